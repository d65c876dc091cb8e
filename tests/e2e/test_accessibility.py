"""axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) on every kind of page, and reflow at 320 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.answer_sets import CASES, complete_answers
from tests.e2e.test_journey import answer_page, run_journey
from triage.questionnaire import Journey
from triage.selectors import get_content

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE = Axe()


def assert_accessible(page, what: str) -> None:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    violations = results.response["violations"]
    assert not violations, f"{what}:\n{results.generate_report()}"
    # Reflow: nothing wider than the viewport.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{what}: scrolls sideways ({width}px)"


@pytest.mark.parametrize("width", [1024, 320], ids=["desktop", "320px"])
def test_start_question_error_and_check_answers_pages(seeded_live_server, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    base = seeded_live_server.url
    page.goto(base + "/")
    assert_accessible(page, "start page")
    content = get_content()
    answers = complete_answers(content, CASES["soon"])
    page.goto(base + "/check/emergency/")
    page.get_by_role("button", name="Continue").click()
    page.locator(".error-summary").wait_for()
    assert_accessible(page, "error page")
    for topic in Journey(content, answers).progress.active:
        page.wait_for_url(f"**/check/{topic.slug}/")
        page.locator("#region h1").wait_for()
        assert_accessible(page, f"question page {topic.slug}")
        page.evaluate("document.getElementById('region').dataset.answered = 'yes'")
        answer_page(page, answers)
        page.wait_for_function("() => !document.querySelector('#region[data-answered]')")
        if page.url.endswith(f"/check/{topic.slug}/"):  # a follow-up on the same page
            assert_accessible(page, f"question page {topic.slug} with follow-up")
            page.evaluate("document.getElementById('region').dataset.answered = 'yes'")
            answer_page(page, answers)
            page.wait_for_function("() => !document.querySelector('#region[data-answered]')")
    page.wait_for_url("**/check/answers/")
    assert_accessible(page, "check your answers")
    page.goto(base + "/no-such-page/")
    assert_accessible(page, "page not found")


@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
def test_a_results_page_of_each_urgency(seeded_live_server, page, urgency):
    answers = complete_answers(get_content(), CASES[urgency])
    run_journey(page, seeded_live_server.url, answers)
    page.locator(".care-card").wait_for()
    page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
    assert_accessible(page, f"{urgency} result")
    page.set_viewport_size({"width": 320, "height": 800})
    assert_accessible(page, f"{urgency} result at 320px")
