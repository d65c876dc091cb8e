"""
Pages reached the way a person reaches them in Chromium: with JavaScript on, htmx swaps the
page's region; with it off, every answer is a page load. Every wait is bounded (WAIT), so a
page that never comes fails the test at once instead of holding up the run.
"""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.test_journey import answer_page

WAIT = 10_000  # ms: the longest any page may take to be shown

# True once the region marked before an action has been replaced and htmx has settled (or a
# page load has replaced the whole document).
NEXT_PAGE_SHOWN = """() => {
  const region = document.getElementById("region");
  return region !== null && region.dataset.left === undefined
    && document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling") === null;
}"""


def javascript_on(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.classList.contains('js-enabled')")


def follow(page: Page, action: Callable[[], None]) -> None:
    """Do ``action`` (a click that leads to another page) and wait until that page is shown."""
    if javascript_on(page):
        page.evaluate("() => { document.getElementById('region').dataset.left = 'yes'; }")
        action()
        page.wait_for_function(NEXT_PAGE_SHOWN, timeout=WAIT, polling=50)
    else:
        with page.expect_navigation(timeout=WAIT, wait_until="load"):
            action()
    expect(page.locator("#region h1")).to_be_visible(timeout=WAIT)


def click(page: Page, role: str, name: str) -> None:
    """Follow the link or button ``name`` of the page's region."""
    follow(page, lambda: page.locator("#region").get_by_role(role, name=name).click(timeout=WAIT))


def answer(page: Page, answers: dict) -> None:
    """Answer the questions of this page (tests.e2e.test_journey.answer_page) and go on."""
    follow(page, lambda: answer_page(page, answers))


def walk_to_result(page: Page, answers: dict, shown: Callable[[str], None]) -> None:
    """
    From the question page shown to the results page. ``shown(kind)`` is called on every page
    on the way, kind "question", "answers" (check your answers) or "result".
    """
    for _ in range(30):
        expect(page.locator("#region h1")).to_be_visible(timeout=WAIT)
        if "/result/" in page.url:
            shown("result")
            return
        if "/check/answers/" in page.url:
            shown("answers")
            click(page, "link", "See your results")
            continue
        shown("question")
        answer(page, answers)
    raise AssertionError(f"no results page after 30 pages (at {page.url})")
