"""The question pages: GET and POST, with and without htmx, good and bad input."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.answer_sets import (
    CASES,
    complete_answers,
    default_answer,
    form_data,
    session_answers,
    set_answers,
)
from tests.journeys import PERSONAS, STATIN_ACHES, django_client_driver, result_summary, walk
from triage import questionnaire
from triage.questionnaire import Journey

HTMX = {"hx-request": "true"}
NONE_OF_THESE = {"signs": ["none"]}
# Every answer of the first page after the checklist.
ABOUT = {
    "age": "40",
    "sex": "male",
    "side": "both_legs",
    # Two tick-all-that-apply lists, answered "None of these".
    "group-before-the-pain": "none",
    "group-pain-and-cramps": "none",
}
# The page with the statin question and its follow-ups, and the page after the first.
STATIN_PAGE = "the-leg"
SECOND_PAGE = "the-leg"


def url(slug, change=False):
    return reverse("triage:step", args=[slug]) + ("?change=1" if change else "")


def answers_up_to(content, slug, case="self_care", overrides=None):
    """A full answer set cut before step ``slug``: the person has reached that step."""
    full = complete_answers(content, overrides if case is None else CASES[case])
    order = [t.slug for t in content.topics]
    before = {q.fact for t in content.topics[: order.index(slug)] for q in t.questions}
    return {fact: value for fact, value in full.items() if fact in before}, full


def all_steps(content):
    return [t.slug for t in content.topics]


def test_the_first_step_shows_the_emergency_checklist(client, content):
    response = client.get(url("emergency"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "None of these" in html
    assert 'type="checkbox"' in html
    assert "Cache-Control" in response.headers and "no-store" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]


def test_htmx_gets_only_the_form_region(client, content):
    full = client.get(url("emergency"))
    partial = client.get(url("emergency"), headers=HTMX)
    assert partial.status_code == 200
    body = partial.content.decode()
    assert '<div id="region"' in body
    assert "<html" not in body and "<header" not in body
    assert "<title>" in body  # htmx sets the page title from it
    assert len(partial.content) < len(full.content)
    assert len(partial.content) <= 8 * 1024


def test_an_htmx_history_restore_gets_the_whole_page(client, content):
    response = client.get(url("emergency"), headers={**HTMX, "hx-history-restore-request": "true"})
    assert "<html" in response.content.decode()


@pytest.mark.parametrize("slug", ["emergency", "about-you", "how-the-pain-behaves", "medicines"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_step_page_renders_with_its_questions(client, content, slug, htmx):
    answers, _ = answers_up_to(content, slug)
    set_answers(client, answers)
    response = client.get(url(slug), headers=HTMX if htmx else {})
    assert response.status_code == 200
    topic = questionnaire.get_step(content, slug)
    html = response.content.decode()
    questions = questionnaire.Journey(content, answers).applicable_questions(topic)
    assert questions
    for question in questions:
        assert question.text.replace("'", "&#x27;") in html
    assert "Why we ask this" in html
    assert "Continue" in html


def test_a_valid_answer_is_stored_and_goes_to_the_next_step(client, content):
    response = client.post(url("emergency"), NONE_OF_THESE)
    assert response.status_code == 302
    assert response["Location"] == url("about-you")
    stored = session_answers(client)
    assert stored == {q.fact: False for q in content.topics[0].questions}


def test_a_valid_htmx_post_answers_with_the_next_page_region_and_its_address(client, content):
    response = client.post(url("emergency"), NONE_OF_THESE, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == url("about-you")
    body = response.content.decode()
    assert '<div id="region"' in body and "<html" not in body
    assert "<title>About you and the pain - Calf pain self-check</title>" in body
    assert 'action="/check/about-you/"' in body
    assert "no-store" in response["Cache-Control"] and "HX-Request" in response["Vary"]
    assert session_answers(client) == {q.fact: False for q in content.topics[0].questions}
    # The same page as a GET of the address pushed.
    again = client.get(url("about-you"), headers=HTMX)
    assert again.content.decode().replace(csrf_of(again), "") == body.replace(csrf_of(response), "")


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


class CountingClient(Client):
    """A test client that counts the requests it sends, redirects followed included."""

    sent = 0

    def request(self, **request):
        self.sent += 1
        return super().request(**request)


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_a_journey_with_htmx_gives_the_same_result_with_no_redirect_after_an_answer(
    content, persona
):
    plain, htmx = CountingClient(), CountingClient()
    by_plain = walk(*django_client_driver(plain), PERSONAS[persona])
    by_htmx = walk(*django_client_driver(htmx, htmx=True), PERSONAS[persona])
    assert by_htmx.visited == by_plain.visited
    assert by_htmx.answers == by_plain.answers
    assert result_summary(by_htmx.result.html) == result_summary(by_plain.result.html)
    assert "<html" not in by_htmx.result.html  # the results page's region only
    answers_posted = sum(1 for path in by_plain.visited[1:-1] if path != "/check/answers/")
    # Without JavaScript every answer costs a redirect to the next page; with htmx, none.
    assert plain.sent - htmx.sent == answers_posted


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_a_journey_with_the_page_script_answers_a_revealed_follow_up_on_its_page(content, persona):
    # A statin: yes reveals when it was started, in place with JavaScript; on its own page
    # (?more=1) without.
    plain = walk(*django_client_driver(Client()), PERSONAS[persona])
    scripted = walk(*django_client_driver(Client(), htmx=True), PERSONAS[persona], javascript=True)
    follow_ups = [path for path in plain.visited if "more=1" in path]
    assert not [path for path in scripted.visited if "more=1" in path]
    assert scripted.visited == [path for path in plain.visited if path not in follow_ups]
    assert scripted.answers == plain.answers
    assert result_summary(scripted.result.html) == result_summary(plain.result.html)
    if PERSONAS[persona] is STATIN_ACHES:
        assert follow_ups and "statin_started_recently" in scripted.answers


def test_an_htmx_emergency_answer_pushes_the_result_where_a_plain_one_redirects(client, content):
    response = client.post(url("emergency"), {"signs": ["coughing_blood"]}, headers=HTMX)
    assert response["HX-Push-Url"] == reverse("triage:result")
    assert "care-card--emergency" in response.content.decode()
    assert session_answers(client)["coughing_blood"] is True


def test_an_htmx_answer_that_brings_a_follow_up_not_shown_pushes_its_own_page(client, content):
    answers, full = answers_up_to(content, STATIN_PAGE, case="soon")
    set_answers(client, answers)
    data = form_data(content, STATIN_PAGE, full)
    data.pop("statin_started_recently")
    data.pop("statin_interacting_medicine", None)
    response = client.post(url(STATIN_PAGE), data, headers=HTMX)
    assert response["HX-Push-Url"] == url(STATIN_PAGE) + "?more=1"
    body = response.content.decode()
    assert 'name="statin_started_recently"' in body and 'name="statin"' not in body
    assert "Your answers brought" in body


def test_any_emergency_sign_goes_straight_to_the_result(client, content):
    response = client.post(url("emergency"), {"signs": ["coughing_blood"]})
    assert response.status_code == 302
    assert response["Location"] == reverse("triage:result")
    assert session_answers(client)["coughing_blood"] is True


def test_a_later_answer_that_makes_an_emergency_ends_the_questionnaire(client, content):
    # Pain in one leg and a weak leg, then a sudden start: a possible blocked artery.
    case = CASES["self_care"] | {"onset": "sudden", "side": "one_leg"}
    case |= {"numbness_tingling": True, "leg_weakness": True}
    answers, full = answers_up_to(content, "how-the-pain-behaves", case=None, overrides=case)
    assert answers["leg_weakness"] is True and "onset" not in answers
    assert not Journey.of(content, answers).assessment.is_emergency
    set_answers(client, answers)
    data = form_data(content, "how-the-pain-behaves", full)
    response = client.post(url("how-the-pain-behaves"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("triage:result")
    # The questionnaire has ended: the later step is not shown.
    later = client.get(url("medicines"))
    assert later.status_code == 302 and later["Location"] == reverse("triage:result")
    assert client.get(reverse("triage:result")).status_code == 200


def statin_page(client, content):
    """A person at the statin's page, and the answers they give there, statin "yes"."""
    answers, full = answers_up_to(content, STATIN_PAGE, case="soon")
    set_answers(client, answers)
    data = form_data(content, STATIN_PAGE, full)
    follow_ups = {
        fact: data.pop(fact)
        for fact in ("statin_started_recently", "statin_interacting_medicine")
        if fact in data
    }
    assert data["statin"] == "yes" and "statin_started_recently" in follow_ups
    return answers, data, follow_ups


def test_the_follow_ups_of_a_choice_wait_hidden_and_disabled_under_it(client, content):
    answers, _, follow_ups = statin_page(client, content)
    html = client.get(url(STATIN_PAGE)).content.decode()
    statin_yes = re.search(r'<input id="id_statin_0"[^>]*>', html)[0]
    assert 'value="yes"' in statin_yes
    assert 'data-aria-controls="conditional-id_statin_0"' in statin_yes
    container = html[html.index('id="conditional-id_statin_0"') :]
    container = container[: container.index('<input id="id_statin_1"')]
    assert 'id="conditional-id_statin_0" hidden' in html
    for fact in follow_ups:
        assert f'<input type="hidden" name="revealed" value="{fact}" disabled>' in container
        assert re.search(rf'name="{fact}" type="radio" value="yes"[^>]* disabled', container)
    # A radio group with a reveal is never inline: the reveal opens below its choice.
    assert 'class="radios" data-module="radios"' in html


def test_without_javascript_a_follow_up_comes_on_a_page_of_its_own(client, content):
    answers, data, follow_ups = statin_page(client, content)
    response = client.post(url(STATIN_PAGE), data)
    assert response["Location"] == url(STATIN_PAGE) + "?more=1"
    assert session_answers(client)["statin"] is True
    page = client.get(response["Location"]).content.decode()
    for fact in follow_ups:
        assert f'name="{fact}"' in page
    # Only the follow-ups: none of the questions of the page answered already.
    assert set(re.findall(r'name="(\w+)" type="radio"', page)) == set(follow_ups)
    assert "Your answers brought 2 more questions." in page
    assert f'href="{url(STATIN_PAGE)}" class="back-link"' in page
    assert f'action="{url(STATIN_PAGE)}?more=1"' in page
    # The whole page, reached by its back link, shows the follow-ups open under "yes".
    whole = client.get(url(STATIN_PAGE)).content.decode()
    assert 'id="conditional-id_statin_0">' in whole
    assert '<input type="hidden" name="revealed" value="statin_started_recently">' in whole
    response = client.post(url(STATIN_PAGE) + "?more=1", follow_ups)
    assert response["Location"] == page_after(content, client, STATIN_PAGE)
    assert session_answers(client)["statin_started_recently"] is True


def page_after(content, client, slug) -> str:
    """The address of the page that follows ``slug`` for the answers stored now."""
    journey = Journey(content, session_answers(client))
    following = journey.next_step(questionnaire.get_step(content, slug))
    return url(following.slug) if following else reverse("triage:check_answers")


def test_a_follow_up_revealed_in_place_is_answered_with_its_choice(client, content):
    answers, data, follow_ups = statin_page(client, content)
    revealed = {"revealed": list(follow_ups)}
    response = client.post(url(STATIN_PAGE), data | follow_ups | revealed, headers=HTMX)
    assert response["HX-Push-Url"] == page_after(content, client, STATIN_PAGE)
    stored = session_answers(client)
    assert stored["statin"] is True and stored["statin_started_recently"] is True


def test_a_revealed_follow_up_left_empty_is_an_error_and_nothing_is_stored(client, content):
    answers, data, follow_ups = statin_page(client, content)
    response = client.post(url(STATIN_PAGE), data | {"revealed": list(follow_ups)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert html.count('<span class="visually-hidden">Error:</span>') == len(follow_ups)
    assert "Select yes or no" in html or "Select yes, no or not sure" in html
    assert 'href="#id_statin_started_recently_0"' in html
    # The reveal stays open, with its inputs sent again, and the choice is still made.
    assert 'id="conditional-id_statin_0">' in html
    assert re.search(r'<input id="id_statin_0"[^>]* checked', html)
    assert session_answers(client) == answers


def test_a_follow_up_sent_under_a_choice_not_made_is_not_kept(client, content):
    answers, data, follow_ups = statin_page(client, content)
    # "No" chosen after "Yes" had revealed and answered the follow-ups.
    posted = data | {"statin": "no"} | follow_ups | {"revealed": list(follow_ups)}
    response = client.post(url(STATIN_PAGE), posted)
    assert response.status_code == 302
    stored = session_answers(client)
    assert stored["statin"] is False
    assert not set(follow_ups) & set(stored)


@pytest.mark.parametrize("sex", ["female", "male"])
def test_only_women_are_asked_about_pregnancy(client, content, sex):
    # One swollen leg: whether a clot is more likely depends on pregnancy.
    page_slug = content.questions["pregnant_or_postpartum"].topic
    answers, _ = answers_up_to(content, page_slug, case=None, overrides=CASES["urgent"])
    answers["sex"] = sex
    set_answers(client, answers)
    page = client.get(url(page_slug)).content.decode()
    # An item of the leg page's list.
    assert ('value="pregnant_or_postpartum"' in page) == (sex == "female")


def test_male_is_never_asked_about_pregnancy(client, content):
    set_answers(client, {q.fact: False for q in content.topics[0].questions})
    response = client.post(url("about-you"), ABOUT)
    assert response["Location"] == url(SECOND_PAGE)
    page = client.get(url("about-you")).content.decode()
    assert "Your answers brought" not in page and "pregnant" not in page


def test_not_sure_is_stored_as_not_sure(client, content):
    answers, _ = answers_up_to(content, "the-leg")
    set_answers(client, answers)
    data = form_data(content, "the-leg", complete_answers(content, CASES["self_care"]))
    data["swelling"] = "not_sure"
    response = client.post(url("the-leg"), data)
    assert response.status_code == 302
    stored = session_answers(client)
    assert stored["swelling"] == "not_sure"


def test_going_back_shows_earlier_answers_pre_filled(client, content):
    _, full = answers_up_to(content, "about-you")
    set_answers(client, full)
    html = client.get(url("about-you")).content.decode()
    assert f'value="{full["age"]}"' in html
    assert 'value="both_legs" checked' in html
    assert f'href="{url("emergency")}"' in html  # the back link


# Bad input: a clear message or a redirect, never a 500, answers unchanged.


def test_an_unknown_step_is_a_404_page_in_the_site_look(client, content):
    response = client.get(url("no-such-step"))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_nothing_chosen_on_the_checklist_shows_the_error_summary(client, content):
    response = client.post(url("emergency"), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select the signs you have, or select &#x27;None of these&#x27;" in html
    assert 'href="#id_signs_0"' in html and 'id="id_signs_0"' in html
    assert "<title>Error:" in html
    assert session_answers(client) == {}


def test_none_of_these_with_a_sign_is_an_error(client, content):
    response = client.post(url("emergency"), {"signs": ["none", "fainting_or_collapse"]})
    assert response.status_code == 200
    assert "on its own, or untick it" in response.content.decode()
    assert session_answers(client) == {}


def test_an_invalid_htmx_post_gets_the_region_with_errors(client, content):
    response = client.post(url("emergency"), {}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "<html" not in body


@pytest.mark.parametrize(
    "data, message",
    [
        ({"age": "200", "sex": "male"}, "Enter an age of 110 or less"),
        (
            {"age": "ten", "sex": "male"},
            "Enter your age as a whole number of years, for example 42",
        ),
        ({"age": "40", "sex": "robot"}, "Select an answer for"),
        ({"age": "40"}, "Select an answer for"),
        ({"sex": "male"}, "Enter your age in years, for example 42"),
        (
            {"age": "15", "sex": "male"},
            "This check is for people aged 16 and over. If you are younger, ask a GP or NHS 111 "
            "for help with your calf pain. In an emergency, call 999.",
        ),
    ],
    ids=[
        "out-of-range",
        "not-a-number",
        "value-not-offered",
        "missing-choice",
        "missing-number",
        "under-16",
    ],
)
def test_bad_values_get_a_message_and_change_nothing(client, content, data, message):
    before = {q.fact: False for q in content.topics[0].questions}
    set_answers(client, before)
    response = client.post(url("about-you"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message.replace("'", "&#x27;") in html
    assert '<span class="visually-hidden">Error:</span>' in html
    assert session_answers(client) == before


def test_a_yes_or_no_answer_not_offered_gets_a_message_and_changes_nothing(client, content):
    answers, full = answers_up_to(content, SECOND_PAGE)
    set_answers(client, answers)
    data = form_data(content, SECOND_PAGE, full) | {"swelling": "maybe"}
    response = client.post(url(SECOND_PAGE), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select yes, no or not sure" in html
    assert '<span class="visually-hidden">Error:</span>' in html
    assert session_answers(client) == answers


DAYS_PAGE = "how-the-pain-behaves"


@pytest.mark.parametrize(
    "days, message",
    [
        ("999", "Enter 365 days or fewer. If it is more than 365 days, enter 365"),
        ("-1", "Enter 0 days or more"),
        ("", "Enter the number of days, for example 3"),
        ("a week", "Enter the number of days as a whole number, for example 3"),
    ],
    ids=["999-days", "negative", "missing", "not-a-number"],
)
def test_a_duration_out_of_reason_is_refused_with_what_to_enter(client, content, days, message):
    answers, full = answers_up_to(content, DAYS_PAGE)
    assert content.questions["duration_days"].topic == DAYS_PAGE
    set_answers(client, answers)
    data = form_data(content, DAYS_PAGE, full) | {"duration_days": days}
    response = client.post(url(DAYS_PAGE), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert session_answers(client) == answers
    # Nothing else given on the page is lost: it is all still in its fields.
    assert f'value="{days}"' in html
    checked = re.findall(r'name="(\w+)" type="radio" value="(\w+)" checked', html)
    assert set(checked) == {(k, v) for k, v in data.items() if k != "duration_days"}


def test_fields_of_another_step_are_ignored(client, content):
    response = client.post(url("emergency"), {"signs": ["none"], "statin": "yes", "age": "50"})
    assert response.status_code == 302
    stored = session_answers(client)
    assert "statin" not in stored and "age" not in stored


def test_a_step_opened_too_early_redirects_to_the_first_unanswered(client, content):
    response = client.get(url("medicines"))
    assert response.status_code == 302
    assert response["Location"] == url("emergency")
    # An answer posted with no session at all: the session has gone (the browser was closed).
    response = client.post(url("medicines"), {"group-health-and-risks": "smoker"})
    assert response["Location"] == reverse("triage:session_ended")
    assert session_answers(client) == {}


def test_a_replayed_post_changes_nothing_more(client, content):
    client.post(url("emergency"), NONE_OF_THESE)
    client.post(url("about-you"), ABOUT)
    first = session_answers(client)
    response = client.post(url("about-you"), ABOUT)
    assert response.status_code == 302
    assert session_answers(client) == first


def test_a_body_over_64_kb_is_refused_with_400(client, content):
    before = {q.fact: False for q in content.topics[0].questions}
    set_answers(client, before)
    response = client.post(url("about-you"), {"age": "40", "sex": "male", "pad": "x" * 70_000})
    assert response.status_code == 400
    assert session_answers(client) == before


def test_a_post_without_csrf_token_is_refused_in_plain_words(content):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    before = {q.fact: False for q in content.topics[0].questions}
    set_answers(client, before)
    response = client.post(url("about-you"), {"age": "40", "sex": "male"})
    assert response.status_code == 403
    assert "Your session may have expired" in response.content.decode()
    assert "999" in response.content.decode()
    assert session_answers(client) == before


def test_put_is_not_allowed(client, content):
    assert client.put(url("emergency")).status_code == 405


# Change mode (from check your answers).


def test_change_mode_returns_to_check_answers(client, content):
    full = complete_answers(content, CASES["self_care"])
    set_answers(client, full)
    html = client.get(url("about-you", change=True)).content.decode()
    assert f'href="{reverse("triage:check_answers")}"' in html
    assert 'action="/check/about-you/?change=1"' in html
    data = form_data(content, "about-you", full)
    response = client.post(url("about-you", change=True), data)
    assert response["Location"] == reverse("triage:check_answers")


def test_changing_statin_to_yes_asks_its_follow_up_then_returns(client, content):
    full = complete_answers(content, CASES["self_care"])
    assert full["statin"] is False and "statin_started_recently" not in full
    # Every other question answered too, so that only the statin's follow-ups are new.
    full |= {
        q.fact: default_answer(q)
        for q in content.questions.values()
        if q.fact not in full and q.applies(full)
    }
    set_answers(client, full)
    data = form_data(content, STATIN_PAGE, full) | {"statin": "yes"}
    response = client.post(url(STATIN_PAGE, change=True), data)
    assert response["Location"] == url(STATIN_PAGE, change=True) + "&more=1"
    html = client.get(response["Location"]).content.decode()
    assert 'name="statin_started_recently"' in html
    assert 'name="statin_interacting_medicine"' in html
    data["statin_started_recently"] = "no"
    data["statin_interacting_medicine"] = "no"
    response = client.post(response["Location"], data)
    assert response["Location"] == reverse("triage:check_answers")


def test_changing_statin_to_no_drops_its_follow_up(client, content):
    full = complete_answers(content, CASES["soon"])
    set_answers(client, full)
    data = form_data(content, STATIN_PAGE, full) | {"statin": "no"}
    data.pop("statin_started_recently")
    client.post(url(STATIN_PAGE, change=True), data)
    assert "statin_started_recently" not in session_answers(client)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_step_page_takes_a_fixed_small_number_of_queries(
    client, content, django_assert_max_num_queries, htmx
):
    _, full = answers_up_to(content, "medicines")
    set_answers(client, full)
    headers = HTMX if htmx else {}
    for slug in all_steps(content):
        with django_assert_max_num_queries(1):
            assert client.get(url(slug), headers=headers).status_code == 200
    with django_assert_max_num_queries(1):
        client.post(url("medicines"), form_data(content, "medicines", full))


def test_every_htmx_step_response_is_at_most_24_kb(client, content):
    # Every question of every page shown: the largest a step's region can be.
    full = complete_answers(content, CASES["soon"] | {"sex": "female", "side": "one_leg"})
    full |= {q.fact: False for q in content.questions.values() if q.fact not in full}
    set_answers(client, full)
    for slug in all_steps(content):
        response = client.get(url(slug), headers=HTMX)
        assert response.status_code == 200
        assert len(response.content) <= 24 * 1024, (slug, len(response.content))


def test_every_page_shows_the_emergency_number_the_deployment_sets(client, content, settings):
    # The emergency box is rendered once per language and number, never a stale one.
    assert "Call 999 now" in client.get("/").content.decode()
    settings.EMERGENCY_NUMBER = "112"
    page = client.get("/").content.decode()
    assert "Call 112 now" in page
    assert "Call 999 now" not in page


def test_answers_are_pruned_again_once_the_content_changes(client, content):
    from tests.admin_support import publish_draft
    from triage.models import Choice
    from triage.selectors import get_content

    answers, full = answers_up_to(content, "about-you")
    set_answers(client, answers)
    client.post(url("about-you"), form_data(content, "about-you", full))
    assert client.session["pruned_for"] == content.token
    assert client.get(url(SECOND_PAGE)).status_code == 200
    # The choice this person gave is removed and published: it is no longer an answer, so the
    # question is asked again, although the answers were pruned before the change.
    question = next(q for q in content.topics[1].questions if q.kind == "choice")
    Choice.objects.filter(question__slug=question.fact, value=full[question.fact]).delete()
    publish_draft()
    assert get_content().token != content.token
    response = client.get(url(SECOND_PAGE))
    # Only that question, on a page of its own: the others of its page are still answered.
    assert response.status_code == 302 and response["Location"] == url("about-you") + "?more=1"


def test_answers_pruned_against_the_current_content_are_not_pruned_again(
    client, content, monkeypatch
):
    answers, full = answers_up_to(content, "about-you")
    set_answers(client, answers)
    client.post(url("about-you"), form_data(content, "about-you", full))
    calls = []
    real_prune = questionnaire.prune
    monkeypatch.setattr(questionnaire, "prune", lambda *args: calls.append(1) or real_prune(*args))
    assert client.get(url(SECOND_PAGE)).status_code == 200
    assert calls == []
    # A session that does not say which content its answers were pruned against.
    set_answers(client, session_answers(client))
    session = client.session
    del session["pruned_for"]
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert client.get(url(SECOND_PAGE)).status_code == 200
    assert calls == [1]
