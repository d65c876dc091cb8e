"""
axe-core (WCAG 2.0, 2.1 and 2.2, A and AA, and axe's best practices) on every public page, at
320, 390 and 1280 px wide, with JavaScript on and off, and reflow: no page scrolls sideways.

One walk for each width and JavaScript setting goes through the pages a person sees, against
the site as `make serve` runs it: the start page; every question page of a self-care and of an
urgent journey; the error state of the emergency checklist and of a page of questions (sent
with nothing answered); a question page reached with "Change"; check your answers; the results
of every urgency level (the emergency one straight after the checklist); the start page with
answers from earlier; the start-again page; the page shown when an answer is sent after the
session was lost; and the page-not-found page. Each page is checked as it is shown, and the
test fails at the end listing every violation of every page.

axe runs as a script in the page. A browser with JavaScript off cannot run it (a script
waiting on a timer would wait forever), so each page the no-JavaScript browser shows is copied,
as that browser built it, into a page of a second context at the same width whose own scripts
are blocked, and axe runs there: it sees what a person without JavaScript sees.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Route, expect

from tests.answer_sets import CASES, complete_answers
from tests.e2e.browsing import WAIT, answer, click, follow, walk_to_result

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

WIDTHS = [320, 390, 1280]
HEIGHT = 844
RULES = {
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22a",
            "wcag22aa",
            "best-practice",
        ],
    },
    "resultTypes": ["violations"],
}
AXE_SOURCE = Axe().axe_script
# axe in the page, given 30 s (the page's own timer: Playwright's evaluate has no timeout).
AXE_RUN = """options => Promise.race([
  axe.run(document, options),
  new Promise((_, fail) => setTimeout(() => fail(new Error("axe did not finish in 30 s")), 30000)),
])"""


class Audit:
    """
    A browser context, JavaScript on or off, walked at 390 px, whose every page is checked at
    each width of WIDTHS; and what was found.
    """

    def __init__(self, browser, javascript: bool):
        viewport = {"width": 390, "height": HEIGHT}
        self.context = browser.new_context(
            java_script_enabled=javascript, locale="en-GB", viewport=viewport
        )
        self.context.set_default_timeout(WAIT)
        self.page = self.context.new_page()
        self.findings: dict[str, list[int]] = {}  # what was found: at which widths
        self.checked: list[str] = []
        self.copies = None
        self.target = self.page
        if not javascript:
            self.copies = browser.new_context(locale="en-GB", viewport=viewport)
            self.copies.set_default_timeout(WAIT)
            self.target = self.copies.new_page()
            self.target.route("**/*", self._serve_copy)
            self._copy = ""

    def _serve_copy(self, route: Route) -> None:
        kind = route.request.resource_type
        if kind == "document":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self._copy)
        elif kind == "script":
            route.abort()
        else:
            route.continue_()  # the style sheets, as the server sends them

    def check(self, what: str) -> None:
        """axe and reflow on the page shown now, at every width; findings are kept."""
        if self.copies is not None:
            # What the browser without JavaScript applied of its <noscript> (a style sheet)
            # would be raw text in a context with JavaScript on: applied there too.
            self._copy = re.sub(r"</?noscript>", "", self.page.content())
            self.target.goto(self.page.url.split("#")[0], wait_until="load", timeout=WAIT)
        page = self.target
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.evaluate(AXE_SOURCE)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            found = []
            for violation in page.evaluate(AXE_RUN, RULES)["violations"]:
                nodes = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
                found.append(
                    f"{what}: {violation['id']} ({violation['impact']}): {violation['help']}"
                    f" [{len(violation['nodes'])} element(s): {nodes}]"
                )
            scrolled = page.evaluate("() => document.documentElement.scrollWidth")
            if scrolled > width:
                found.append(f"{what}: scrolls sideways ({scrolled} px wide)")
            for finding in found:
                self.findings.setdefault(finding, []).append(width)
        page.set_viewport_size({"width": 390, "height": HEIGHT})
        self.checked.append(what)

    def close(self) -> None:
        self.context.close()
        if self.copies is not None:
            self.copies.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def audit(browser, request):
    audit = Audit(browser, javascript=request.param)
    yield audit
    audit.close()


def question_page(page: Page) -> tuple:
    """What makes a question page different from another: its address and its questions."""
    names = page.locator("#region form input[name]:not([type=hidden])").evaluate_all(
        "els => [...new Set(els.map(e => e.name))]"
    )
    return (page.url.split("?")[0], tuple(names))


def journey(audit: Audit, content, urgency: str, seen: set, *, errors=False, change=False):
    """
    From the emergency checklist to the results of ``urgency``, checking every question page
    not seen before. ``errors``: also send the first page of questions after the checklist
    with nothing answered; ``change``: also check a question page reached with "Change".
    """
    page = audit.page
    answers = complete_answers(content, CASES[urgency])
    pending = {"errors": errors, "change": change}

    def shown(kind: str) -> None:
        if kind == "question":
            key = question_page(page)
            if key in seen:
                return
            seen.add(key)
            slug = key[0].rstrip("/").rsplit("/", 1)[-1]
            audit.check(f"{urgency} journey, question page {slug}")
            if pending["errors"] and slug != "emergency":
                pending["errors"] = False
                click(page, "button", "Continue")
                expect(page.locator(".error-summary")).to_be_visible(timeout=WAIT)
                audit.check(f"question page {slug} sent with nothing answered")
        elif kind == "answers":
            if "answers" not in seen:
                seen.add("answers")
                audit.check("check your answers")
            if pending["change"]:
                pending["change"] = False
                change_link = page.locator("#region a[href$='?change=1']").nth(1)
                follow(page, lambda: change_link.click(timeout=WAIT))
                expect(page).to_have_url(re.compile(r"\?change=1$"), timeout=WAIT)
                audit.check("a question page reached with Change")
                answer(page, answers)
                expect(page).to_have_url(re.compile(r"/check/answers/$"), timeout=WAIT)
        else:
            expect(page.locator(f"#care-card.care-card--{urgency}")).to_be_visible(timeout=WAIT)
            audit.check(f"{urgency} results")

    walk_to_result(page, answers, shown)


def test_every_page_has_no_axe_violation_and_no_sideways_scrolling(served, audit, content):
    page = audit.page
    page.goto(served.url + "/", wait_until="load", timeout=WAIT)
    audit.check("start page")
    click(page, "link", "Start now")
    seen: set = set()
    audit.check("emergency checklist")
    seen.add(question_page(page))
    click(page, "button", "Continue")
    expect(page.locator(".error-summary")).to_be_visible(timeout=WAIT)
    audit.check("emergency checklist sent with nothing ticked")

    journey(audit, content, "self_care", seen, errors=True, change=True)
    page.goto(served.url + "/", wait_until="load", timeout=WAIT)
    audit.check("start page with answers from earlier")
    click(page, "link", "start again")
    audit.check("start again")
    click(page, "button", "Start again")
    audit.check("answers deleted")
    click(page, "link", "Go to the start page")

    for urgency in ("urgent", "soon", "emergency"):
        click(page, "link", "Start now")
        journey(audit, content, urgency, seen)
        click(page, "link", "Start again")
        click(page, "button", "Start again")
        click(page, "link", "Go to the start page")

    # An answer sent after the session (and its CSRF cookie) was lost.
    click(page, "link", "Start now")
    page.context.clear_cookies()
    page.locator("#region input[name=signs][value=none]").check()
    click(page, "button", "Continue")
    expect(page.locator("#region h1")).to_have_text("Your session may have expired")
    audit.check("answer sent after the session was lost")

    page.goto(served.url + "/no-such-page/", wait_until="load", timeout=WAIT)
    expect(page.locator("#region h1")).to_have_text("Page not found")
    audit.check("page not found")

    assert len(audit.checked) >= 20, audit.checked
    assert not audit.findings, "\n".join(
        f"at {', '.join(map(str, widths))} px, {finding}"
        for finding, widths in audit.findings.items()
    )
