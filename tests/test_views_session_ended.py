"""A session that has gone mid-journey is said so, never silently started again."""

import json
import time

import pytest
from django.conf import settings
from django.urls import reverse

from calfsite.sessions import cipher, encrypt
from tests.answer_sets import CASES, complete_answers, form_data, session_answers

HTMX = {"hx-request": "true"}
ENDED = reverse("triage:session_ended")


def step(slug):
    return reverse("triage:step", args=[slug])


def expired_cookie(answers: dict) -> str:
    """The cookie of a session whose last answer was given longer ago than it is kept."""
    payload = json.dumps({"answers": answers}).encode()
    made = int(time.time()) - settings.SESSION_COOKIE_AGE - 60
    return cipher().encrypt_at_time(payload, made).decode("ascii")


@pytest.fixture(params=["expired", "unreadable"])
def gone(request, client, content):
    """A client whose session cookie has expired, or cannot be read (another key, altered)."""
    answers = complete_answers(content, CASES["soon"])
    value = expired_cookie(answers) if request.param == "expired" else encrypt(answers)[:-4]
    client.cookies[settings.SESSION_COOKIE_NAME] = value
    return answers


@pytest.mark.parametrize(
    "path", [step("medicines"), step("about-you"), reverse("triage:check_answers"), "/result/"]
)
def test_opening_a_page_mid_journey_after_the_session_has_gone_says_so(client, gone, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == ENDED
    # The cookie that could not be read is deleted.
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""
    page = client.get(ENDED).content.decode()
    assert "Your answers were not kept" in page
    assert "for 2 hours" in page
    assert 'href="/check/emergency/" class="button"' in page


def test_an_answer_posted_after_the_session_has_gone_is_not_taken(client, content, gone):
    response = client.post(step("medicines"), form_data(content, "medicines", gone))
    assert response.status_code == 302 and response["Location"] == ENDED
    assert session_answers(client) == {}


def test_with_htmx_the_session_ended_page_is_pushed(client, content, gone):
    response = client.post(step("medicines"), form_data(content, "medicines", gone), headers=HTMX)
    assert response.status_code == 200 and response["HX-Push-Url"] == ENDED
    body = response.content.decode()
    assert "Your answers were not kept" in body and "<html" not in body


def test_the_first_step_starts_a_new_journey_whatever_the_cookie(client, content, gone):
    assert client.get(step("emergency")).status_code == 200
    response = client.post(step("emergency"), {"signs": ["none"]})
    assert response["Location"] == step("about-you")


def test_a_new_visitor_opening_a_later_page_goes_to_the_first(client, content):
    response = client.get(step("medicines"))
    assert response["Location"] == step("emergency")


def test_the_page_says_how_long_answers_are_kept(client, content, settings):
    settings.SESSION_COOKIE_AGE = 90 * 60
    assert "for 90 minutes" in client.get(ENDED).content.decode()


def test_someone_with_answers_is_not_told_they_are_gone(client, content):
    from tests.answer_sets import set_answers

    set_answers(client, {"chest_pain_or_breathless": False})
    response = client.get(ENDED)
    assert response.status_code == 302 and response["Location"] == reverse("triage:start")
