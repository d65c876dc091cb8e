"""
What a phone shows first, on a 390 x 844 screen (CSS pixels; an iPhone 12 to 15), JavaScript
on and off, against the site as `make serve` runs it: the results' care card (#care-card) starts
in the upper half of the screen, and every question page's first answer in the upper two
thirds, as each page is first shown.

Results are loaded as a page (as after a reload, a link or without JavaScript: at the top of
the page, the worst case); question pages are reached by answering, as a person does (with
JavaScript, htmx then scrolls the new question's heading into view).
"""

import pytest
from playwright.sync_api import Page, expect

from tests.answer_sets import CASES, complete_answers
from tests.e2e.browsing import WAIT, click, walk_to_result
from tests.journeys import result_summary, walk
from tests.servers import http_driver

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SCREEN = {"width": 390, "height": 844}
CARE_CARD_BEFORE = 422  # px from the top of the screen: the upper half
FIRST_ANSWER_BEFORE = 563  # the upper two thirds


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def phone(browser, request):
    context = browser.new_context(
        java_script_enabled=request.param, locale="en-GB", viewport=SCREEN, is_mobile=True
    )
    context.set_default_timeout(WAIT)
    yield context
    context.close()


def top(page: Page, selector: str) -> float:
    """Where the first element matching ``selector`` starts, from the top of the screen."""
    box = page.locator(selector).first.bounding_box(timeout=WAIT)
    assert box is not None, f"{selector} is not shown on {page.url}"
    return box["y"]


def test_the_care_card_starts_in_the_upper_half_of_a_phone_screen(served, phone, content):
    tops = {}
    for urgency in CASES:
        # The answers, given over HTTP; the browser gets the session cookie they made.
        get, post, jar = http_driver(served.url)
        journey = walk(get, post, complete_answers(content, CASES[urgency]))
        assert result_summary(journey.result.html)["urgency"] == urgency
        phone.clear_cookies()
        phone.add_cookies([{"name": c.name, "value": c.value, "url": served.url} for c in jar])
        page = phone.new_page()
        page.goto(served.url + "/result/", wait_until="load", timeout=WAIT)
        expect(page.locator(f"#care-card.care-card--{urgency}")).to_be_visible(timeout=WAIT)
        tops[urgency] = top(page, "#care-card")
        page.close()
    late = {urgency: y for urgency, y in tops.items() if y >= CARE_CARD_BEFORE}
    assert not late, f"the care card starts at {tops} px; it must start above {CARE_CARD_BEFORE} px"


@pytest.mark.parametrize("urgency", ["urgent", "self_care"])
def test_the_first_answer_of_every_question_page_is_in_the_upper_two_thirds(
    served, phone, content, urgency
):
    page = phone.new_page()
    page.goto(served.url + "/", wait_until="load", timeout=WAIT)
    click(page, "link", "Start now")
    tops = {}

    def shown(kind: str) -> None:
        if kind == "question":
            # A follow-up question shows the same page again: its first showing counts.
            slug = page.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
            tops.setdefault(slug, top(page, "#region form input:not([type=hidden])"))

    walk_to_result(page, complete_answers(content, CASES[urgency]), shown)
    assert "emergency" in tops and len(tops) >= 3, tops
    late = {slug: y for slug, y in tops.items() if y >= FIRST_ANSWER_BEFORE}
    assert not late, (
        f"the first answer starts at {tops} px; it must start above {FIRST_ANSWER_BEFORE} px"
    )
