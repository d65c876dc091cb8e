"""
On a phone, the 999 reminder comes after what matters: below the results' care card and below a
question's answers, and in full only on the start page and the emergency questions. The care
card's action is on the first screen, and at 320 px the card still starts in the upper half.
(tests/e2e/test_layout.py checks where the care card and the first answer start at 390 px,
with JavaScript on and off, against the `make serve` stack.)
"""

import pytest

from tests.answer_sets import CASES, complete_answers
from tests.e2e.test_journey import answer_page
from tests.e2e.test_print import open_results
from triage.questionnaire import Journey
from triage.selectors import get_content

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("width", [390, 320])
@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
def test_the_care_card_s_action_is_on_the_first_screen_and_the_reminder_below_the_card(
    seeded_live_server, page, urgency, width
):
    page.set_viewport_size({"width": width, "height": PHONE["height"]})
    open_results(page, seeded_live_server.url, complete_answers(get_content(), CASES[urgency]))
    card = page.locator("#care-card").bounding_box()
    if width < PHONE["width"]:
        assert card["y"] < PHONE["height"] / 2, card
    # The action is on the first screen too: the number to call, or the first line of advice.
    first = page.locator("#care-card .care-card__content > *").first.bounding_box()
    assert first["y"] + first["height"] < PHONE["height"], first
    reminder = page.locator(".emergency-reminder")
    if urgency == "emergency":
        assert reminder.is_hidden()  # the page is the emergency advice
    else:
        assert reminder.bounding_box()["y"] > card["y"] + card["height"]


def test_the_999_reminder_comes_after_a_question_s_answers(seeded_live_server, page):
    page.set_viewport_size(PHONE)
    content = get_content()
    answers = complete_answers(content, CASES["soon"])
    page.goto(seeded_live_server.url + "/check/emergency/")
    for topic in Journey(content, answers).progress.active:
        page.wait_for_url(f"**/check/{topic.slug}/")
        page.locator("#region h1").wait_for()
        answer = page.locator("#region form input:not([type=hidden])").first.bounding_box()
        reminder = page.locator(".emergency-reminder")
        full = page.locator("#region .emergency-box")
        if topic.slug == "emergency":
            assert full.is_visible() and reminder.is_hidden()
            assert full.bounding_box()["y"] > answer["y"]
        else:
            assert full.count() == 0 and reminder.is_visible()
            assert reminder.bounding_box()["y"] > answer["y"]
        page.evaluate("document.getElementById('region').dataset.answered = 'yes'")
        answer_page(page, answers)
        page.wait_for_function("() => !document.querySelector('#region[data-answered]')")
        if page.url.endswith(f"/check/{topic.slug}/"):  # a follow-up on the same page
            page.evaluate("document.getElementById('region').dataset.answered = 'yes'")
            answer_page(page, answers)
            page.wait_for_function("() => !document.querySelector('#region[data-answered]')")
    page.wait_for_url("**/check/answers/")


def test_the_start_page_shows_the_emergency_signs_in_full(seeded_live_server, page):
    page.set_viewport_size(PHONE)
    page.goto(seeded_live_server.url + "/")
    assert page.locator("#region .emergency-box").is_visible()
    assert page.locator(".emergency-reminder").is_hidden()
    call = page.locator("#region .emergency-box a[href^='tel:']")
    assert call.get_attribute("href") == "tel:999"
