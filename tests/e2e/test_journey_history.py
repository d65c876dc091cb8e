"""Back and forward after htmx swaps, and where focus goes after a swap or an error."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The tick-all-that-apply lists of the first page after the checklist, answered "None of these".
ABOUT_YOU_LISTS = ["group-before-the-pain", "group-pain-and-cramps"]


def start(page, base_url):
    page.goto(base_url + "/")
    page.get_by_role("link", name="Start now").click()
    expect(page).to_have_url(re.compile(r"/check/emergency/$"))
    expect(page.locator("#region h1")).to_be_focused()


def test_focus_moves_to_the_heading_and_the_step_is_announced(seeded_live_server, page):
    start(page, seeded_live_server.url)
    expect(page).to_have_title("Do you have any of these? - Calf pain self-check")
    expect(page.locator("#announcer")).to_have_text("Do you have any of these?")
    page.get_by_label("None of these").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/check/about-you/$"))
    expect(page.locator("#region h1")).to_have_text("About you and the pain")
    expect(page.locator("#region h1")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("About you and the pain")
    expect(page).to_have_title("About you and the pain - Calf pain self-check")


def test_focus_moves_to_the_error_summary_after_an_error(seeded_live_server, page):
    start(page, seeded_live_server.url)
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#announcer")).to_contain_text("There is a problem")
    # The summary's link takes the person to the first checkbox.
    summary.get_by_role("link").click()
    expect(page.locator("#id_signs_0")).to_be_focused()


def test_back_and_forward_after_swaps_show_whole_pages(seeded_live_server, page):
    start(page, seeded_live_server.url)
    page.get_by_label("None of these").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/check/about-you/$"))
    page.get_by_label("How old are you?").fill("45")
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Both legs", exact=True).check()
    for name in ABOUT_YOU_LISTS:
        page.locator(f'input[name="{name}"][value="none"]').check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/check/the-leg/$"))

    page.go_back()
    expect(page).to_have_url(re.compile(r"/check/about-you/$"))
    expect(page.locator("#region h1")).to_have_text("About you and the pain")
    expect(page.locator("header")).to_have_count(1)  # a whole page, not a bare fragment
    expect(page.get_by_label("How old are you?")).to_have_value("45")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/check/emergency/$"))
    expect(page.get_by_label("None of these")).to_be_checked()
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/check/about-you/$"))
    expect(page.locator("#region h1")).to_have_text("About you and the pain")
    expect(page.locator("header")).to_have_count(1)
    # No page snapshot with answers is kept in the browser's storage.
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None


def test_the_back_link_and_change_links_work_after_swaps(seeded_live_server, page):
    start(page, seeded_live_server.url)
    page.get_by_label("None of these").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#region h1")).to_have_text("About you and the pain")
    page.get_by_role("link", name="Back").click()
    expect(page).to_have_url(re.compile(r"/check/emergency/$"))
    expect(page.get_by_label("None of these")).to_be_checked()
    expect(page.locator("#region h1")).to_be_focused()


def test_none_of_these_unticks_the_signs_with_javascript(seeded_live_server, page):
    start(page, seeded_live_server.url)
    first = page.locator("#id_signs_0")
    first.check()
    page.get_by_label("None of these").check()
    expect(first).not_to_be_checked()
