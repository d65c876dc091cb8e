"""Tick-all-that-apply lists inside question pages: one fieldset, one answer, one question."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.answer_sets import complete_answers, form_data, session_answers, set_answers
from tests.test_forms import Page
from tests.test_views_steps import answers_up_to
from triage import questionnaire
from triage.forms import GROUP_FIELD, UNSURE, UNSURE_FIELD
from triage.models import SafetyCase
from triage.questionnaire import Journey

LIST = GROUP_FIELD % "before-the-pain"
LIST_ITEMS = ["more_standing_walking_than_usual", "new_footwear_or_worn_shoes", "injury_or_trauma"]


def url(slug):
    return reverse("triage:step", args=[slug])


def at_about_you(client, content):
    """A person past the emergency checklist, and the rest of the first page answered."""
    emergency = {q.fact: False for q in content.topics[0].questions}
    set_answers(client, emergency)
    data = form_data(content, "about-you", complete_answers(content))
    return emergency, data


def test_a_group_is_one_fieldset_with_its_legend_hint_items_and_none_of_these(client, content):
    at_about_you(client, content)
    html = client.get(url("about-you")).content.decode()
    page = Page(html)
    (group,) = [g for g in page.fieldsets if any(i["name"] == LIST for i in g["inputs"])]
    assert group["legend"] and group["classes"] == ["checkboxes"]
    *items, none = group["inputs"]
    assert [item["value"] for item in items] == LIST_ITEMS
    assert none["value"] == "none" and none["data-behaviour"] == "exclusive"
    legend = re.search(r"<legend>([^<]*)</legend>\s*<div class=\"hint\" id=\"([^\"]*)\">", html)
    assert legend and "Has any of these happened recently?" in html
    assert "Select all that apply." in html
    # The items are no longer questions of their own on the page.
    assert 'name="injury_or_trauma"' not in html


def test_a_ticked_item_is_yes_and_every_other_item_shown_is_no(client, content):
    emergency, data = at_about_you(client, content)
    response = client.post(url("about-you"), data | {LIST: ["injury_or_trauma"]})
    assert response.status_code == 302
    stored = session_answers(client)
    assert stored["injury_or_trauma"] is True
    assert stored["more_standing_walking_than_usual"] is False
    assert stored["new_footwear_or_worn_shoes"] is False
    # Going back shows the tick again.
    html = client.get(url("about-you")).content.decode()
    assert re.search(
        r'name="group-before-the-pain" type="checkbox" value="injury_or_trauma"'
        r"[^>]* checked",
        html,
    )


def test_none_of_these_answers_every_item_no(client, content):
    _, data = at_about_you(client, content)
    client.post(url("about-you"), data | {LIST: ["none"]})
    stored = session_answers(client)
    assert all(stored[fact] is False for fact in LIST_ITEMS)
    html = client.get(url("about-you")).content.decode()
    assert re.search(
        r'name="group-before-the-pain" type="checkbox" value="none"[^>]* checked', html
    )


@pytest.mark.parametrize(
    "ticks, message",
    [
        ([], "Select the ones you have, or select None of these"),
        (["none", "injury_or_trauma"], "Select &#x27;None of these&#x27; on its own, or untick it"),
        (["smoker"], "Select the ones you have, or select None of these"),
    ],
    ids=["nothing-ticked", "none-with-an-item", "an-item-of-another-page"],
)
def test_a_list_answered_wrongly_says_what_to_do_and_stores_nothing(
    client, content, ticks, message
):
    emergency, data = at_about_you(client, content)
    data = data | {LIST: ticks}
    if not ticks:
        del data[LIST]
    response = client.post(url("about-you"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'href="#id_{LIST}_0"' in html  # the error summary links to the first checkbox
    assert session_answers(client) == emergency


@pytest.mark.parametrize("injured", [True, False])
def test_an_item_ticked_brings_its_follow_up_on_a_later_page(client, content, injured):
    # A blood thinner is asked after an injury (red-flags.md §1.2 row 16), not without one.
    full = complete_answers(content, {"injury_or_trauma": injured})
    _, data = at_about_you(client, content)
    ticks = ["injury_or_trauma"] if injured else ["none"]
    response = client.post(url("about-you"), form_data(content, "about-you", full) | {LIST: ticks})
    while response["Location"] != url("medicines"):
        slug = response["Location"].strip("/").split("/")[-1]
        answers = session_answers(client)
        response = client.post(url(slug), form_data(content, slug, answers | full))
        assert response.status_code == 302, slug
    assert session_answers(client)["injury_or_trauma"] is injured
    html = client.get(url("medicines")).content.decode()
    assert ('name="blood_thinner"' in html) == injured


def _shown_lists(html: str) -> dict[str, list[str]]:
    """Each tick-all-that-apply list on a page: its name, and its items' facts."""
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="(group-[\w-]+)" type="checkbox" value="(\w+)"', html):
        if value not in ("none", "not_sure") and not name.endswith("-not-sure"):
            found.setdefault(name, []).append(value)
    return found


@pytest.mark.django_db
def test_only_the_items_that_still_matter_are_shown_and_a_list_with_none_is_left_out(
    client, content
):
    partial = left_out = 0
    for case in SafetyCase.objects.order_by("slug")[:60]:
        answers = complete_answers(content, case.answers)
        for topic in content.topics[1:]:
            order = [t.slug for t in content.topics]
            before = {
                q.fact for t in content.topics[: order.index(topic.slug)] for q in t.questions
            }
            reached = {f: v for f, v in answers.items() if f in before}
            journey = Journey(content, reached)
            if journey.first_unanswered_step() != topic or journey.is_emergency:
                continue
            asked = journey.applicable_questions(topic)
            expected = {}
            for question in asked:
                if question.group:
                    expected.setdefault(GROUP_FIELD % question.group, []).append(question.fact)
            set_answers(client, reached)
            html = client.get(url(topic.slug)).content.decode()
            assert _shown_lists(html) == expected, (case.slug, topic.slug)
            for group in topic.groups:
                shown = expected.get(GROUP_FIELD % group.slug, [])
                left_out += not shown
                partial += 0 < len(shown) < len(group.facts)
    assert partial and left_out


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_journey_driver_fills_a_list_from_a_persona(client, content, htmx):
    from tests.journeys import CALF_STRAIN, django_client_driver, walk

    journey = walk(*django_client_driver(client, htmx=htmx), CALF_STRAIN)
    stored = session_answers(client)
    assert stored["injury_or_trauma"] is True and stored["more_standing_walking_than_usual"]
    assert stored["new_footwear_or_worn_shoes"] is False
    grouped = {q.fact for q in content.questions.values() if q.group}
    assert {f: v for f, v in journey.answers.items() if f in grouped} == {
        f: v for f, v in stored.items() if f in grouped
    }
    assessment = Journey.of(content, stored).assessment
    assert f"care-card--{assessment.urgency}" in journey.result.html


# A list whose items offer "Not sure": "I'm not sure about some of these" brings a second list.

LEG = GROUP_FIELD % "leg-signs"
LEG_UNSURE = UNSURE_FIELD % "leg-signs"


def at_the_leg(client, content, overrides=None):
    """A person at the leg page, with the rest of that page answered."""
    full = complete_answers(content, overrides)
    answers, _ = answers_up_to(content, "the-leg", case=None, overrides=overrides)
    set_answers(client, answers)
    data = form_data(content, "the-leg", full)
    data.pop(LEG, None)
    data.pop(LEG_UNSURE, None)
    return answers, data


def _inputs(html: str, name: str) -> list[str]:
    return re.findall(rf'<input id="[^"]+" name="{name}" type="checkbox" value="(\w+)"[^>]*>', html)


def test_a_list_with_not_sure_items_offers_not_sure_about_some_and_a_list_of_those(client, content):
    at_the_leg(client, content)
    html = client.get(url("the-leg")).content.decode()
    items = _inputs(html, LEG)
    assert items[-2:] == [UNSURE, "none"]
    doubtful = [f for f in items[:-2] if content.questions[f].allow_not_sure]
    assert doubtful and len(doubtful) < len(items) - 2
    # Only the items that offer "Not sure", in the list's order.
    assert _inputs(html, LEG_UNSURE) == doubtful
    assert "I&#x27;m not sure about some of these" in html
    assert "Which are you not sure about?" in html
    # Part of the question: hidden for the page script to show, yet sent without it.
    reveal = re.search(
        r'<div class="conditional conditional--without-script" id="([^"]+)" hidden>(.*?)</div>\s*'
        r'<div class="checkboxes__divider">',
        html,
        re.S,
    )
    assert reveal, "the not-sure list's container"
    assert f'data-aria-controls="{reveal.group(1)}"' in html
    assert "disabled" not in reveal.group(2) and 'name="revealed"' not in reveal.group(2)
    # A list without such items has neither.
    set_answers(client, {q.fact: False for q in content.topics[0].questions})
    about = client.get(url("about-you")).content.decode()
    assert _inputs(about, LIST) == [*LIST_ITEMS, "none"]
    assert f'name="{UNSURE_FIELD % "before-the-pain"}"' not in about


@pytest.mark.parametrize(
    "ticks, doubts",
    [
        ([UNSURE], ["fever"]),
        ([UNSURE, "tenderness_on_touch"], ["fever", "redness_or_discolouration"]),
        # Without the page script the second list is always there: a tick in it is enough.
        ([], ["fever"]),
        # Ticked in both: yes.
        (["fever", UNSURE], ["fever", "redness_or_discolouration"]),
    ],
    ids=["one", "with-a-yes", "second-list-only", "both"],
)
def test_an_item_ticked_in_the_second_list_is_not_sure(client, content, ticks, doubts):
    answers, data = at_the_leg(client, content)
    items = _inputs(client.get(url("the-leg")).content.decode(), LEG)[:-2]
    response = client.post(url("the-leg"), data | {LEG: ticks, LEG_UNSURE: doubts})
    assert response.status_code == 302, response.content.decode()
    stored = session_answers(client)
    for fact in items:
        expected = True if fact in ticks else "not_sure" if fact in doubts else False
        assert stored[fact] == expected, fact
    # Going back (or Change): both ticks again, and the second list open.
    html = client.get(url("the-leg")).content.decode()
    assert re.search(rf'name="{LEG}" type="checkbox" value="{UNSURE}"[^>]* checked', html)
    for fact in doubts:
        if fact not in ticks:
            assert re.search(
                rf'name="{LEG_UNSURE}" type="checkbox" value="{fact}"[^>]* checked', html
            )
    assert re.search(r'class="conditional conditional--without-script" id="[^"]+">', html)


@pytest.mark.parametrize(
    "ticks, doubts, message, link",
    [
        ([UNSURE], [], "Select the ones you are not sure about", f"id_{LEG_UNSURE}_0"),
        (["none"], ["fever"], "Select &#x27;None of these&#x27; on its own", f"id_{LEG}_0"),
        ([], [], "Select the ones you have, or select None of these", f"id_{LEG}_0"),
        ([UNSURE], ["tenderness_on_touch"], "Select the ones you are not sure about", None),
    ],
    ids=["not-sure-about-none", "none-and-not-sure", "nothing", "an-item-without-not-sure"],
)
def test_a_list_with_not_sure_answered_wrongly_says_what_to_do_and_stores_nothing(
    client, content, ticks, doubts, message, link
):
    answers, data = at_the_leg(client, content)
    response = client.post(url("the-leg"), data | {LEG: ticks, LEG_UNSURE: doubts})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if link:
        assert f'href="#{link}"' in html and f'id="{link}"' in html
    assert session_answers(client) == answers


def test_the_walk_counts_the_second_list_as_one_more_question(content):
    def counted(walk) -> tuple[int, int]:
        """The questions on their own and lists shown; the lists with a not-sure item."""
        assert len(set(walk.pages)) == len(walk.pages)  # each page shown once
        asked = [content.questions[f] for f in walk.answers if f in content.questions]
        asked = [q for q in asked if q.topic != content.topics[0].slug]
        doubted = {q.group for q in asked if q.group and walk.answers[q.fact] == "not_sure"}
        return len({q.group or q.fact for q in asked}), len(doubted)

    facts = complete_answers(content, {"fever": "not_sure"})
    unsure = questionnaire.walk(content, facts)
    both = questionnaire.walk(content, facts | {"redness_or_discolouration": "not_sure"})
    sure = questionnaire.walk(content, facts | {"fever": False})
    assert unsure.answers["fever"] == "not_sure" and sure.answers["fever"] is False
    # One list of the items not sure about, however many there are.
    for walk, lists in ((unsure, 1), (both, 1), (sure, 0)):
        fields, doubted = counted(walk)
        assert doubted == lists
        assert walk.questions == fields + doubted


def test_a_list_says_why_each_of_its_items_is_asked(client, content):
    at_the_leg(client, content)
    html = client.get(url("the-leg")).content.decode()
    items = _inputs(html, LEG)[:-2]
    match = re.search(
        r"<summary>Why we ask this<span class=\"visually-hidden\">: Do you have any of these\?"
        r"</span></summary><div>(.*?)</div></details>",
        html,
        re.S,
    )
    assert match, "the list's Why we ask this"
    reasons = re.findall(r"<li><strong>([^<]+)</strong>: ([^<]+)</li>", match.group(1))
    expected = [
        (content.questions[f].short_label, content.questions[f].why_we_ask)
        for f in items
        if content.questions[f].why_we_ask
    ]
    assert len(expected) == len(items)  # every item of the shipped list has its reason
    assert [(unescape(a), unescape(b)) for a, b in reasons] == expected
