"""
Bad input at scale: thousands of generated requests at every public URL, and generated JSON
at the assess command.

Random and hostile field names and values, wrong methods, missing or forged CSRF tokens,
oversized and malformed bodies, odd encodings. Nothing may answer 5xx, and the answers a
journey has stored change only through a valid answer to a question page.
"""

import io
import json
import sys
from unittest import mock
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.journeys import CALF_STRAIN, django_client_driver, walk
from triage import questionnaire
from triage.forms import StepForm
from triage.rules import AnswerError, validate_answers
from triage.selectors import get_content

REQUESTS_WANTED = 2000
FUZZ = settings(
    max_examples=620,
    deadline=None,
    derandomize=True,  # the same examples on every run, so CI is stable
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

HOSTILE_TEXT = [
    "",
    " ",
    "yes ",
    "YES",
    "true",
    "1",
    "-1",
    "0x10",
    "1e9",
    "99999999999999999999999",
    "NaN",
    "None",
    "null",
    "[]",
    "{}",
    '{"chest_pain_or_breathless": true}',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "\x00",
    "\ud800",
    "\u202e",
    "é" * 50,
    "😀",
    "A" * 5000,
]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
ENCODINGS = ["utf-8", "utf-16", "latin-1", "cp1252", "shift_jis", "utf-7", "x-no-such-charset"]


def vocabulary():
    """Real step slugs, field names and values, so many requests come close to valid."""
    content = get_content()
    steps = {topic.slug: topic for topic in content.topics}
    names = ["signs", "csrfmiddlewaretoken", "answers", "change", *content.questions]
    values = ["yes", "no", "not_sure", "none", "16", "110", "0", "7", *content.questions]
    for question in content.questions.values():
        values.extend(choice.value for choice in question.choices)
    return steps, names, values


def public_paths(slugs):
    return st.one_of(
        st.sampled_from(["/", "/check/answers/", "/result/", "/start-again/"]),
        st.sampled_from(slugs).map(lambda slug: f"/check/{slug}/"),
        st.builds(
            lambda slug, query: f"/check/{slug}/?{query}",
            st.sampled_from(slugs),
            st.sampled_from(["change=1", "change=0", "change=%00", "x=" + "y" * 3000]),
        ),
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#"), max_size=40).map(
            lambda text: f"/check/{text}/"
        ),
    )


def form_fields(names, values):
    text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=60))
    return st.lists(
        st.tuples(
            st.one_of(st.sampled_from(names), text),
            st.one_of(st.sampled_from(values), text),
        ),
        max_size=12,
    )


def form_value(question):
    if question.kind == "integer":
        low = question.min_value if question.min_value is not None else 0
        high = question.max_value if question.max_value is not None else low + 100
        return st.integers(min_value=low - 2, max_value=high + 2).map(str)
    if question.kind == "boolean":
        return st.sampled_from(["yes", "no", "not_sure"])
    return st.sampled_from([choice.value for choice in question.choices])


@st.composite
def plausible_answer(draw, topic):
    """A post that a person could send for this step: often valid, sometimes just off."""
    if topic.kind == "checklist":
        facts = [question.fact for question in topic.questions]
        ticked = draw(st.lists(st.sampled_from([*facts, "none"]), unique=True, max_size=3))
        return [("signs", value) for value in ticked]
    return [
        (question.fact, draw(form_value(question)))
        for question in topic.questions
        if draw(st.integers(0, 9)) > 0  # now and then a question is left out
    ]


@st.composite
def hostile_request(draw, steps, names, values):
    slugs = list(steps)
    method = draw(st.sampled_from(METHODS + ["POST"] * 6))  # mostly posts
    if draw(st.integers(0, 3)) == 0:
        slug = draw(st.sampled_from(slugs))
        return {
            "method": "POST",
            "path": f"/check/{slug}/" + draw(st.sampled_from(["", "?change=1"])),
            "csrf": draw(st.sampled_from(["valid", "valid", "missing", "forged"])),
            "headers": {"HX-Request": "true"} if draw(st.booleans()) else {},
            "body_kind": "form",
            "fields": draw(plausible_answer(steps[slug])),
            "charset": "utf-8",
            "raw": b"",
        }
    path = draw(public_paths(slugs))
    csrf = draw(st.sampled_from(["valid", "valid", "missing", "forged", "other-session"]))
    headers = {}
    if draw(st.booleans()):
        headers["HX-Request"] = "true"
    body_kind = draw(
        st.sampled_from(["form", "form", "form", "encoded", "multipart", "json", "bytes", "huge"])
    )
    fields = draw(form_fields(names, values))
    charset = draw(st.sampled_from(ENCODINGS))
    return {
        "method": method,
        "path": path,
        "csrf": csrf,
        "headers": headers,
        "body_kind": body_kind,
        "fields": fields,
        "charset": charset,
        "raw": draw(st.binary(max_size=300)),
    }


def encode(request, token):
    """The body and content type of a generated request."""
    fields = list(request["fields"])
    if token is not None:
        fields.insert(0, ("csrfmiddlewaretoken", token))
    kind = request["body_kind"]
    if kind == "form":
        body = urlencode(fields, errors="surrogatepass")
        return body.encode(), "application/x-www-form-urlencoded"
    if kind == "encoded":
        body = urlencode(fields, encoding=_codec(request["charset"]), errors="replace")
        return (
            body.encode("ascii", errors="replace"),
            f"application/x-www-form-urlencoded; charset={request['charset']}",
        )
    if kind == "multipart":
        boundary = "XyZzY"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields
        ]
        if request["raw"]:
            # A file in a form that takes none, or a part cut short.
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"'
                "\r\n\r\n"
            )
        body = "".join(parts).encode("utf-8", errors="surrogatepass") + request["raw"]
        return (
            body + f"\r\n--{boundary}--\r\n".encode(),
            f"multipart/form-data; boundary={boundary}",
        )
    if kind == "json":
        return (
            json.dumps(dict(fields)).encode("utf-8", errors="surrogatepass"),
            "application/json",
        )
    if kind == "huge":
        return b"signs=" + b"A" * (200 * 1024), "application/x-www-form-urlencoded"
    return request["raw"], f"application/octet-stream; charset={request['charset']}"


def _codec(charset):
    try:
        "".encode(charset)
        return charset
    except LookupError:
        return "utf-8"


def stored_answers(client) -> dict:
    answers = client.session.get("answers")
    return dict(answers) if isinstance(answers, dict) else {}


@pytest.fixture
def prepared_cookies(db):
    """The cookies of someone who has answered the whole questionnaire."""
    client = Client()
    journey = walk(*django_client_driver(client), CALF_STRAIN)
    assert stored_answers(client) == journey.answers
    client.get("/check/answers/")  # sets the CSRF cookie if no page has yet
    return {name: morsel.value for name, morsel in client.cookies.items()}


@pytest.mark.django_db
def test_thousands_of_hostile_requests_never_get_a_5xx_or_change_answers(prepared_cookies):
    steps, names, values = vocabulary()
    facts = get_content().ruleset.facts
    prepared = stored_answers(_client(prepared_cookies))
    statuses: dict[int, int] = {}
    sent = [0]
    changed_by_valid_answer = [0]

    @FUZZ
    @given(st.lists(hostile_request(steps, names, values), min_size=3, max_size=5))
    def run(requests):
        client = _client(prepared_cookies)
        for request in requests:
            before = stored_answers(client)
            token = {
                "valid": prepared_cookies["csrftoken"],
                "missing": None,
                "forged": "x" * 64,
                "other-session": "A1b2C3d4" * 8,
            }[request["csrf"]]
            body, content_type = encode(request, token)
            response = client.generic(
                request["method"],
                request["path"],
                body,
                content_type=content_type,
                headers=request["headers"],
            )
            sent[0] += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, (request, response.status_code)

            after = stored_answers(client)
            if after != before:
                # Only a valid answer, posted with the right token to a question page (or
                # "Start again"), may change what is stored; and what is stored stays valid.
                assert request["method"] == "POST", request
                assert request["csrf"] == "valid", request
                # A redirect to the next page, or for htmx the next page's region and address.
                if request["headers"].get("HX-Request") == "true":
                    assert response.status_code == 200 and response["HX-Push-Url"], request
                else:
                    assert response.status_code == 302, request
                assert request["path"].startswith(("/check/", "/start-again/")), request
                assert was_valid_answer(request, body, content_type, before, after), request
                changed_by_valid_answer[0] += 1
            try:
                validate_answers({k: v for k, v in after.items() if v is not None}, facts)
            except AnswerError as error:
                pytest.fail(f"invalid answers stored after {request}: {error}")

    run()
    print(f"{sent[0]} requests, statuses {sorted(statuses.items())}")
    print(f"answers changed by a valid answer {changed_by_valid_answer[0]} times")
    assert sent[0] >= REQUESTS_WANTED, sent[0]
    # The generated requests reached every kind of answer: refusals, re-shown forms, redirects.
    assert statuses.get(403, 0) > 100, statuses
    assert statuses.get(405, 0) > 10, statuses
    assert statuses.get(400, 0) > 10, statuses
    assert statuses.get(200, 0) > 100, statuses
    assert statuses.get(302, 0) > 10, statuses
    assert changed_by_valid_answer[0] > 10, "no valid answer ever changed the stored answers"
    assert prepared, "the prepared journey stored no answers"


def was_valid_answer(request, body: bytes, content_type: str, before: dict, after: dict) -> bool:
    """Whether the step's own form accepts what was posted ("Start again" clears everything)."""
    path = urlsplit(request["path"]).path
    if path == "/start-again/":
        return after == {}
    snapshot = get_content()
    topic = questionnaire.get_step(snapshot, path.split("/")[2])
    if topic is None:
        return False
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return True  # a multipart post: the server's parser is the only one to trust here
    journey = questionnaire.Journey.of(snapshot, before)
    questions = journey.applicable_questions(topic)
    form = StepForm(QueryDict(body), topic=topic, questions=questions)
    # As the step does: a question that an answer on the same page makes irrelevant is dropped.
    posted = form.valid_alone()
    questions = [q for q in questions if q.applies(journey.answers | posted)]
    form = StepForm(QueryDict(body), topic=topic, questions=questions)
    return form.is_valid() and all(after.get(k) == v for k, v in form.answers().items())


def _client(cookies) -> Client:
    # The status a browser would get; the test client would re-raise even handled 400s.
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


def json_values():
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=10), children, max_size=4),
        ),
        max_leaves=12,
    )


def valid_value(spec):
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "integer":
        return st.integers(min_value=spec.min_value or 0, max_value=spec.max_value or 10_000)
    return st.sampled_from(spec.choices)


@st.composite
def assess_input(draw, specs):
    facts = list(specs)
    kind = draw(st.sampled_from(["valid", "valid", "answers", "answers", "json", "bytes", "deep"]))
    if kind == "valid":
        chosen = draw(st.lists(st.sampled_from(facts), unique=True, max_size=len(facts)))
        answers = {fact: draw(valid_value(specs[fact])) for fact in chosen}
        return json.dumps(answers).encode()
    if kind == "answers":
        keys = st.one_of(st.sampled_from(facts), st.text(max_size=20))
        values = st.one_of(
            st.booleans(),
            st.integers(min_value=-5, max_value=200),
            st.sampled_from(["one_leg", "both_legs", "female", "male", "sudden", "mild", ""]),
            json_values(),
        )
        text = json.dumps(draw(st.dictionaries(keys, values, max_size=10)))
        return text.encode("utf-8", errors="surrogatepass")
    if kind == "json":
        return json.dumps(draw(json_values())).encode("utf-8", errors="surrogatepass")
    if kind == "deep":
        depth = draw(st.integers(min_value=100, max_value=100_000))
        return b"[" * depth + b"]" * depth
    return draw(st.binary(max_size=200))


@pytest.mark.django_db
def test_assess_answers_generated_input_with_a_result_or_a_one_line_error():
    specs = get_content().ruleset.facts
    outcomes = {0: 0, 2: 0}

    @settings(FUZZ, max_examples=400)
    @given(assess_input(specs))
    def run(data):
        stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        stdout = io.StringIO()
        with mock.patch.object(sys, "stdin", stdin):
            try:
                call_command("assess", stdout=stdout)
            except CommandError as error:
                assert error.returncode == 2
                assert "\n" not in str(error).strip()
                outcomes[2] += 1
                return
        result = json.loads(stdout.getvalue())
        assert result["urgency"] in ("emergency", "urgent", "soon", "self_care")
        outcomes[0] += 1

    run()
    print(f"assess: {outcomes[0]} results, {outcomes[2]} refusals")
    assert outcomes[0] > 20 and outcomes[2] > 20, outcomes
