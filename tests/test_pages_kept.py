"""
How the public pages are rendered (triage.pages: the layout rendered once, pages that hold nothing
of the person kept whole) and the other shortcuts of the public pages: each gives exactly what the
plain way gives, and none keeps anything of the person after the request.
"""

import re

import pytest
from django.http import HttpResponse
from django.shortcuts import render
from django.test import Client
from django.utils.html import conditional_escape
from django.utils.http import parse_http_date
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers

from tests.journeys import PERSONAS, Page, walk
from triage import pages, views
from triage.forms import FieldView, Option, _field_html
from triage.html import esc
from triage.models import Question, Topic

HTMX = {"HX-Request": "true"}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]*)"')
NONCE = re.compile(r'nonce="([^"]*)"')
PRINTED_AT = re.compile(r"<p>Date: [^<]*</p>")  # the results page's print header


def masked(html: str) -> str:
    """The page without the values that differ on every request."""
    html = CSRF_INPUT.sub('name="csrfmiddlewaretoken" value="TOKEN"', html)
    html = CSRF_HEADER.sub('"X-CSRFToken": "TOKEN"', html)
    html = PRINTED_AT.sub("<p>Date: NOW</p>", html)
    return NONCE.sub('nonce="NONCE"', html)


def kept_text(pieces) -> str:
    """A kept page's or fragment's pieces (pages are kept encoded) as one text."""
    return "".join(piece.decode() if isinstance(piece, bytes) else piece for piece in pieces)


def plain_render(request, template_name, context, *, partial, kept=None, parts=None, status=200):
    """Plain Django: the template engine renders the whole template for every request."""
    name = f"{template_name}#region" if partial else template_name
    return render(request, name, context(), status=status)


def driver(client: Client, headers: dict, seen: list[Page]):
    def page(response) -> Page:
        result = Page(
            response.status_code, response.request["PATH_INFO"], response.content.decode()
        )
        seen.append(result)
        return result

    def get(path):
        return page(client.get(path, follow=True, headers=headers))

    def post(path, data):
        return page(client.post(path, data, follow=True, headers=headers))

    return get, post


def journey_pages(persona: dict, headers: dict) -> list[Page]:
    """Every page of a whole journey, then every question page again, with its answers in."""
    seen: list[Page] = []
    get, post = driver(Client(), headers, seen)
    journey = walk(get, post, persona)
    for path in journey.visited:
        if path.startswith("/check/") and path != "/check/answers/":
            get(path)
            get(path + "?change=1")
    return seen


@pytest.fixture
def one_leg_step(db):
    """A step asked only of people with pain in one leg: for the others the later pages have
    another number, another count and another back link."""
    topic = Topic.objects.create(slug="the-pain-one-leg", title="One leg", order=3)
    Question.objects.create(
        slug="one_leg_extra",
        topic=topic,
        order=1,
        kind="boolean",
        text="Is it always the same leg?",
        short_label="Same leg",
        ask_when={"fact": "side", "is": "one_leg"},
    )
    return topic


@pytest.fixture
def empty_store():
    pages.store.clear()
    yield pages.store
    pages.store.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_pages_are_the_pages_the_template_engine_gives(
    headers, one_leg_step, empty_store, monkeypatch
):
    # Every persona in turn on one store, so that each also meets the pages the others left;
    # the one-leg step makes the same page sit at another place in the journey.
    personas = sorted(PERSONAS) * 2
    kept = [journey_pages(PERSONAS[persona], headers) for persona in personas]
    monkeypatch.setattr(pages, "render_page", plain_render)
    plain = [journey_pages(PERSONAS[persona], headers) for persona in personas]
    assert len(empty_store) > 10
    for persona, kept_pages, plain_pages in zip(personas, kept, plain, strict=True):
        assert [p.path for p in kept_pages] == [p.path for p in plain_pages], persona
        for one, other in zip(kept_pages, plain_pages, strict=True):
            assert masked(one.html) == masked(other.html), (persona, one.path)


@pytest.mark.django_db
def test_a_kept_page_carries_this_request_s_own_token_and_nonce(client, content, empty_store):
    first = client.get("/check/emergency/")
    second = client.get("/check/emergency/")
    assert len(empty_store) == 1
    tokens = []
    for response in (first, second):
        html = response.content.decode()
        (token,) = set(CSRF_INPUT.findall(html))
        assert CSRF_HEADER.findall(html) == [token]
        nonces = set(NONCE.findall(html))
        assert len(nonces) == 1 and "" not in nonces
        assert f"'nonce-{nonces.pop()}'" in response["Content-Security-Policy"]
        tokens.append(token)
    assert tokens[0] != tokens[1]  # masked afresh for each response, as Django does
    # The token works: the checklist is answered with it.
    answer = client.post("/check/emergency/", {"signs": ["none"], "csrfmiddlewaretoken": tokens[1]})
    assert answer.status_code == 302


@pytest.mark.django_db
def test_a_page_showing_an_answer_is_kept_without_the_answer(client, content, empty_store):
    client.post("/check/emergency/", {"signs": ["none"]})
    client.get("/check/about-you/")
    kept = len(empty_store)
    back = client.get("/check/emergency/")  # pre-filled: "None of these" ticked
    assert 'value="none" checked' in back.content.decode()
    assert len(empty_store) == kept + 1
    for pieces in empty_store._pages.values():
        assert " checked" not in kept_text(pieces)
    other = Client()
    other.post("/check/emergency/", {"signs": ["chest_pain_or_breathless"]})
    mine = client.get("/check/emergency/").content.decode()
    theirs = other.get("/check/emergency/").content.decode()
    assert len(empty_store) == kept + 1  # the same kept page, each with its own answers
    assert 'value="none" checked' in mine and 'value="none" checked' not in theirs
    assert 'value="chest_pain_or_breathless" checked' in theirs


@pytest.mark.django_db
def test_an_edited_question_page_shows_at_the_next_request(client, content, empty_store):
    client.get("/check/emergency/")
    assert len(empty_store) == 1
    Topic.objects.filter(slug="emergency").update(title="Signs that need help now")
    Topic.objects.get(slug="emergency").save()  # the signal moves the content version on
    response = client.get("/check/emergency/")
    assert "Signs that need help now" in response.content.decode()
    assert len(empty_store) == 1  # the old content's page is gone


def test_the_store_drops_the_least_recently_used_page():
    store = pages.PageStore(max_pages=2)
    snapshot = object()
    store.put(snapshot, "a", ("A",))
    store.put(snapshot, "b", ("B",))
    assert store.get(snapshot, "a") == ("A",)  # "a" is now the most recently used
    store.put(snapshot, "c", ("C",))
    assert store.get(snapshot, "b") is None
    assert store.get(snapshot, "a") == ("A",) and store.get(snapshot, "c") == ("C",)
    assert store.get(object(), "a") is None  # another snapshot sees nothing
    store.put(object(), "d", ("D",))
    assert len(store) == 1


def test_placeholders_split_and_fill_back():
    html = f"<a>{pages._NONCE}</a>{pages._CSRF}<b>{pages._CSRF}</b>{pages._TITLE}{pages._REGION}"
    pieces = pages._pieces(html)
    assert "".join(pieces) == html
    assert pieces.count(pages._CSRF) == 2 and pieces.count(pages._NONCE) == 1
    assert pieces[-2:] == (pages._TITLE, pages._REGION)


def test_slots_of_parts_are_pieces_of_their_own_with_their_angle_bracket():
    first, second = pages.Slot(0).html(), pages.Slot(12).html()
    html = f"<p>a < b</p>{first}<div>{second}</div>{pages._CSRF}part3>"
    pieces = pages._pieces(html)
    assert "".join(pieces) == html
    assert pieces == ("<p>a < b</p>", first, "<div>", second, "</div>", pages._CSRF, "part3>")


@pytest.mark.parametrize(
    "value",
    ["plain", "<script>alert('x')</script> & \"quoted\"", 42, None, mark_safe("<b>safe</b>")],
)
def test_fast_escaping_is_django_s_escaping(value):
    assert esc(value) == conditional_escape(value)
    assert esc(gettext_lazy("Yes")) == conditional_escape(gettext_lazy("Yes"))


def field(value: str = "", checked: bool = False) -> FieldView:
    return FieldView(
        name="statin",
        kind="radios",
        id="id_statin_0",
        label="Do you take a statin?",
        hint="",
        why_we_ask="",
        options=(
            Option("yes", "Yes", "", "id_statin_0", checked),
            Option("no", "No", "", "id_statin_1", False),
        ),
        value=value,
        errors=(),
    )


def test_field_markup_with_an_answer_is_built_for_its_request_only():
    _field_html.cache_clear()
    blank = field()
    assert blank.html() == blank.build_html()
    assert _field_html.cache_info().currsize == 1
    answered = field(value="yes", checked=True)
    assert " checked" in answered.html()
    assert _field_html.cache_info().currsize == 1


def test_step_urls_are_the_urls_reverse_gives(content):
    from django.urls import reverse

    for topic in content.topics:
        assert views._step_url(topic) == reverse("triage:step", args=[topic.slug])
        assert views._step_url(topic, changing=True).startswith(views._step_url(topic) + "?")


@pytest.mark.parametrize("headers", [{}, {"Vary": "Cookie", "Cache-Control": "public"}])
def test_personal_pages_get_the_headers_django_s_decorators_give(rf, headers):
    def view(request):
        response = HttpResponse("x")
        for name, value in headers.items():
            response[name] = value
        return response

    django_way = never_cache(vary_on_headers("HX-Request")(view))(rf.get("/"))
    ours = views.personal_page(view)(rf.get("/"))
    for name in ("Cache-Control", "Vary"):
        assert ours[name] == django_way[name]
    assert abs(parse_http_date(ours["Expires"]) - parse_http_date(django_way["Expires"])) <= 1


@pytest.mark.django_db
def test_a_kept_cause_block_is_the_block_the_template_engine_gives(content, empty_store):
    from django.template.loader import render_to_string

    from triage.html import list_items

    statements = ("It fits <this> answer", "And 'that' one")
    for cause in content.causes.values():
        for opposing in ((), ("Not this & not that",)):
            item = views.CauseView(cause, "possible", statements, opposing)
            plain = {"cause": cause, "supporting": pages.Built(list_items(statements))}
            if opposing:
                plain["opposing"] = pages.Built(list_items(opposing))
            expected = render_to_string("triage/cause.html", plain)
            assert views.cause_block(content, item) == expected  # rendered, then kept
            assert views.cause_block(content, item) == expected  # from the store
    assert len(empty_store) == 2 * len(content.causes)
    for pieces in empty_store._pages.values():
        kept = kept_text(pieces)
        assert "It fits" not in kept and "not that" not in kept


def test_a_fragment_cannot_hold_the_request_s_token(content, empty_store):
    with pytest.raises(ValueError, match="needs the request"):
        pages.fragment(content, "triage/start_again_form.html", "x", {}, {})
