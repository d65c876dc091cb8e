"""
With JavaScript on, in Chromium against the stack `make serve` starts: an error page that
htmx receives (the 503 page while the database is down) is shown as the server sent it, and a
request that gets no answer at all is made again as a normal page load.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.servers import shared_site
from tests.test_faults_servers import allow_connections

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

DOWN_HEADING = "Sorry, the self-check is not working right now"
ADVICE = "Call 999 now if you have calf pain and any of these"


@pytest.fixture
def stack(tmp_path_factory):
    site = shared_site(tmp_path_factory.mktemp("site"))
    stack = site.start_stack()
    yield site, stack
    stack.stop()


def htmx_ready(page) -> None:
    page.wait_for_function("() => window.htmx !== undefined")


def test_continue_with_the_database_down_shows_the_503_page(stack, page):
    site, server = stack
    page.goto(f"{server.url}/check/emergency/")
    htmx_ready(page)
    page.locator("input[name=signs][value=none]").check()
    allow_connections(site.database, False)
    try:
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(DOWN_HEADING)
        expect(page.get_by_text(ADVICE)).to_be_visible()
        border = page.locator(".emergency").evaluate(
            "element => getComputedStyle(element).borderTopColor"
        )
    finally:
        allow_connections(site.database, True)
    assert border == "rgb(213, 40, 27)"  # the 503 page's own style, under its own policy
    # Back up: the same answer goes through, and the journey carries on.
    page.go_back()
    htmx_ready(page)
    page.locator("input[name=signs][value=none]").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/check/emergency/$"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text(DOWN_HEADING)


def test_a_link_followed_with_the_database_down_shows_the_503_page(stack, page):
    site, server = stack
    page.goto(f"{server.url}/")
    htmx_ready(page)
    start = page.locator("main a[href^='/check/']").first
    allow_connections(site.database, False)
    try:
        start.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(DOWN_HEADING)
        expect(page.get_by_text(ADVICE)).to_be_visible()
    finally:
        allow_connections(site.database, True)


def test_an_htmx_request_that_gets_no_answer_is_made_again_as_a_page_load(stack, page):
    _, server = stack
    page.goto(f"{server.url}/check/emergency/")
    htmx_ready(page)
    before = page.get_by_role("heading", level=1).text_content()
    # The server cannot be reached by htmx's request; a normal page load still gets through.
    page.route(
        "**/*",
        lambda route: (
            route.abort("connectionrefused")
            if route.request.resource_type in ("xhr", "fetch")
            else route.continue_()
        ),
    )
    with page.expect_navigation():
        page.locator("input[name=signs][value=none]").check()
        page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/check/emergency/$"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text(before)
