"""
Whole journeys through the public questionnaire, driven the way a person's browser does it.

Each step page is read as HTML: its form is filled from a persona (fact names to values, as in
the answer schema) and posted, and the redirect is followed to the next page. Facts the persona
does not name get a quiet default ("None of these", "No", the first choice, the lowest number),
so a persona only says what matters to it. The driver records the answers it gave in fact terms,
so a test can compare the site's result with ``manage.py assess`` on the same answers.

Used by the tests and by the load test's people (bench/locustfile.py); it knows nothing of how
requests are sent.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

CHECKLIST_NONE = "none"
YES, NO, NOT_SURE = "yes", "no", "not_sure"

# Personas: what a person answers (facts not named get the quiet default).
CALF_STRAIN = {
    "age": 34,
    "sex": "male",
    "side": "one_leg",
    "onset": "sudden",
    "duration_days": 2,
    "pain_severity": "moderate",
    "injury_or_trauma": True,
    "more_standing_walking_than_usual": True,
}
POSSIBLE_CLOT = {
    "age": 67,
    "sex": "female",
    "side": "one_leg",
    "onset": "gradual",
    "duration_days": 3,
    "pain_severity": "moderate",
    "swelling": True,
    "warmth": True,
    "tenderness_on_touch": True,
    "long_travel_last_4_weeks": True,
    "oestrogen_pill_or_hrt": True,
}
STATIN_ACHES = {
    "age": 58,
    "sex": "male",
    "side": "both_legs",
    "onset": "gradual",
    "duration_days": 14,
    "pain_severity": "mild",
    "statin": True,
    "statin_started_recently": True,
    "aches_elsewhere": True,
}
EMERGENCY = {"chest_pain_or_breathless": True}
PERSONAS = {
    "calf-strain": CALF_STRAIN,
    "possible-clot": POSSIBLE_CLOT,
    "statin-aches": STATIN_ACHES,
    "emergency": EMERGENCY,
}


@dataclass
class Field:
    name: str
    kind: str  # "checkbox" | "radio" | "number" | "hidden" | "text"
    options: list[str] = field(default_factory=list)
    value: str = ""
    minimum: int | None = None
    # option value -> the id of the follow-ups' container that choosing it reveals
    reveals: dict[str, str] = field(default_factory=dict)
    # the id of the reveal it is in, if any
    inside: str | None = None


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)
    # a hidden reveal's id -> the inputs inside it, disabled until the page script reveals it
    hidden: dict[str, dict[str, Field]] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._divs: list[str | None] = []  # the open divs: a reveal's id, or None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._current = Form(action=attributes.get("action") or "")
            self.forms.append(self._current)
        elif tag == "div":
            classes = (attributes.get("class") or "").split()
            self._divs.append(attributes.get("id") if "conditional" in classes else None)
        elif tag == "input" and self._current is not None and attributes.get("name"):
            fields = self._current.fields
            reveal = next((div for div in reversed(self._divs) if div), None)
            if "disabled" in attributes:
                # As a browser does: a disabled input (in a hidden reveal) is not sent, unless
                # the page script reveals it.
                if reveal is None:
                    return
                fields = self._current.hidden.setdefault(reveal, {})
            name = attributes["name"]
            kind = (attributes.get("type") or "text").lower()
            known = fields.setdefault(name, Field(name=name, kind=kind, inside=reveal))
            if kind in ("checkbox", "radio"):
                value = attributes.get("value") or "on"
                known.options.append(value)
                if attributes.get("data-aria-controls"):
                    known.reveals[value] = attributes["data-aria-controls"]
            elif kind == "hidden":
                known.options.append(attributes.get("value") or "")
            else:
                known.value = attributes.get("value") or ""
                if attributes.get("min") not in (None, ""):
                    known.minimum = int(attributes["min"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "div" and self._divs:
            self._divs.pop()


def step_form(html: str) -> Form | None:
    """The questionnaire form of a step page (the POST form with a question on it)."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if any(f.kind in ("checkbox", "radio", "number", "text") for f in form.fields.values()):
            return form
    return None


def fill(
    form: Form, persona: dict, *, javascript: bool = False
) -> tuple[dict[str, list[str]], dict]:
    """
    The POST data for ``form`` and the answers it gives, in fact terms. With ``javascript``, a
    choice that reveals follow-up questions brings their inputs, as the page script does, and
    they are answered on the same page.
    """
    data: dict[str, list[str]] = {}
    answers: dict = {}
    items = list(form.fields.values())
    # A list's "Which are you not sure about?", in the reveal of its "I'm not sure about some of
    # these" (sent with or without the page script), is answered with the list.
    doubt_lists = {item.inside: item for item in items if item.inside and item.kind == "checkbox"}
    for item in items:
        chosen: list[str] = []
        if item.kind == "hidden":
            data[item.name] = list(item.options)
        elif item.kind == "checkbox":
            if item.inside in doubt_lists:
                continue  # answered with its list, below
            doubt_list = doubt_lists.get(item.reveals.get(NOT_SURE))
            signs = [option for option in item.options if option not in (CHECKLIST_NONE, NOT_SURE)]
            ticked = [sign for sign in signs if persona.get(sign) is True]
            doubts = [
                sign
                for sign in (doubt_list.options if doubt_list else [])
                if persona.get(sign) == NOT_SURE
            ]
            chosen = data[item.name] = ticked + [NOT_SURE] * bool(doubts) or [CHECKLIST_NONE]
            if doubts:
                data[doubt_list.name] = doubts
            answers.update(
                {s: True if s in ticked else NOT_SURE if s in doubts else False for s in signs}
            )
        elif item.kind == "radio":
            wanted = persona.get(item.name)
            if wanted is True:
                value = YES
            elif wanted is False or (wanted is None and NO in item.options):
                value = NO
            elif wanted is None:
                value = item.options[0]
            else:
                value = str(wanted)
            chosen = data[item.name] = [value]
            if value in (YES, NO):
                answers[item.name] = value == YES
            else:
                answers[item.name] = value  # a choice, or "not_sure" as it is stored
        elif item.kind in ("number", "text"):
            number = persona.get(item.name, item.minimum if item.minimum is not None else 1)
            data[item.name] = [str(number)]
            answers[item.name] = int(number)
        if javascript:
            for value in chosen:
                if value in item.reveals:
                    items.extend(form.hidden.get(item.reveals[value], {}).values())
    return data, answers


def start_link(html: str) -> str:
    match = re.search(r'href="(/check/[^"?]+/)"', html)
    if match is None:
        start = html.find("button--start")
        shown = html[max(start - 200, 0) : start + 200] if start >= 0 else html[-1500:]
        raise AssertionError(f"the start page has no link to the first question page: {shown!r}")
    return match.group(1)


@dataclass
class Page:
    status: int
    path: str  # after redirects
    html: str


@dataclass
class Journey:
    answers: dict
    result: Page
    pages: int
    visited: list[str]  # the path of every page shown, in order


def walk(
    get: Callable[[str], Page],
    post: Callable[[str, dict[str, list[str]]], Page],
    persona: dict,
    *,
    before_answer: Callable[[int], None] | None = None,
    max_steps: int = 40,
    javascript: bool = False,
) -> Journey:
    """
    Start page, every step, check your answers, results; following redirects throughout.
    ``before_answer(n)`` runs before the n-th answer is posted (to restart a server, say).
    ``javascript``: follow-up questions are answered where the page script reveals them.
    """
    page = get("/")
    assert page.status == 200, (page.status, page.path)
    visited = [page.path]
    page = get(start_link(page.html))
    answers: dict = {}
    pages = 2
    posted = 0
    for _ in range(max_steps):
        assert page.status == 200, (page.status, page.path)
        visited.append(page.path)
        if page.path.startswith("/result/"):
            return Journey(answers, page, pages, visited)
        if page.path.startswith("/check/answers/"):
            page = get("/result/")
            pages += 1
            continue
        form = step_form(page.html)
        assert form is not None, f"no questionnaire form on {page.path}"
        data, given = fill(form, persona, javascript=javascript)
        answers.update(given)
        if before_answer is not None:
            before_answer(posted)
        page = post(form.action or page.path, data)
        posted += 1
        pages += 1
    raise AssertionError("the journey did not reach the results page")


def result_summary(html: str) -> dict:
    """The urgency and the ranked causes (band, slug) that a results page shows."""
    urgency = re.search(r'class="care-card care-card--([a-z_]+)"', html)
    causes = []
    band = None
    for match in re.finditer(
        r'band-heading--([a-z_]+)|<h4 class="cause__title" id="cause-([^"]+)"', html
    ):
        if match.group(1):
            band = match.group(1)
        else:
            causes.append((band, match.group(2)))
    return {"urgency": urgency.group(1) if urgency else None, "causes": causes}


def django_client_driver(client, *, htmx: bool = False) -> tuple[Callable, Callable]:
    """
    get/post for ``walk`` through a Django test client (redirects followed). With ``htmx``,
    every request carries the HX-Request header, as a browser with JavaScript sends it, and a
    page's path is the address the response pushes (HX-Push-Url), as htmx shows it.
    """
    headers = {"HX-Request": "true"} if htmx else {}

    def page(response) -> Page:
        query = response.request.get("QUERY_STRING")
        address = response.request["PATH_INFO"] + (f"?{query}" if query else "")
        path = response.headers.get("HX-Push-Url") or address
        return Page(response.status_code, path, response.content.decode())

    def get(path: str) -> Page:
        return page(client.get(path, follow=True, headers=headers))

    def post(path: str, data: dict[str, list[str]]) -> Page:
        return page(client.post(path, data, follow=True, headers=headers))

    return get, post
