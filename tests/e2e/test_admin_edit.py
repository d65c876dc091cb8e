"""
In real Chromium, as an editor and a clinical reviewer: an editor's change stays in the draft,
invisible to the public, until a different reviewer approves it; the preview shows it first; the
results page and the printout name the release; a release is rolled back; the editor alone
cannot publish.
"""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from tests.admin_support import EDITOR, REVIEWER, isolated_content, publish_draft
from triage.models import EvidenceRule, Release

pytestmark = pytest.mark.browser

PASSWORD = "a long test passphrase 7"
EDITED = "Edited in the browser a moment ago."


@pytest.fixture
def governed(seeded_live_server):
    # live_server flushes the database between tests, groups included: make the roles again.
    importlib.import_module("triage.migrations.0002_roles").ensure_roles(apps)
    world = isolated_content()
    # Breathlessness alone makes the test cause "possible", so it shows on an emergency result.
    EvidenceRule.objects.create(
        slug="test-clot-breathless",
        cause=world["cause"],
        criteria={"fact": "chest_pain_or_breathless", "is": True},
        strength=3,
        statement="You said you are short of breath.",
    )
    live = publish_draft()
    for name, role in (("editor", EDITOR), ("reviewer", REVIEWER)):
        user = User.objects.create_user(name, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
    return seeded_live_server.url, world, live


def _signed_in(browser, base: str, username: str):
    context = browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


def _public_result(page, base: str):
    page.context.clear_cookies()
    page.goto(f"{base}/check/emergency/")
    page.check("input[name=signs][value=chest_pain_or_breathless]")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/result/")
    return page


def _crafted_post(page, url: str, form: dict):
    """A POST made by hand with the signed-in user's CSRF token, as a crafted request would be."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(
        url,
        form={"csrfmiddlewaretoken": token, **form},
        headers={"Referer": page.url},
        max_redirects=0,
    )


def test_a_change_goes_live_only_when_a_different_reviewer_approves_it_and_rolls_back(
    browser, page, governed
):
    base, world, live = governed
    cause = world["cause"]
    editor = _signed_in(browser, base, "editor")

    # The editor changes the cause's title (an emergency result shows a cause's title and why it
    # came up, not its summary): saved, in the draft only.
    old_title = cause.title
    editor.goto(f"{base}/admin/triage/cause/{cause.pk}/change/")
    editor.fill("#id_title", EDITED)
    editor.click("input[name=_save]")
    editor.wait_for_url(f"{base}/admin/triage/cause/")
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    _public_result(page, base)
    expect(page.locator("article.cause")).to_contain_text(old_title)
    expect(page.locator("article.cause")).not_to_contain_text(EDITED)
    expect(page.locator("#content-release")).to_contain_text(f"Content release {live.number}")

    # The editor sees the review page and the preview, but cannot approve.
    editor.goto(f"{base}/admin/")
    editor.click("#draft-pending a")
    expect(editor.locator("#changes ins")).to_have_text(EDITED)
    expect(editor.locator("#approve-form")).to_have_count(0)
    expect(editor.locator("#approve-unavailable")).to_contain_text("Only a clinical reviewer")
    refused = _crafted_post(editor, editor.url, {"note": "Publishing it myself."})
    assert refused.status == 403
    rollback = f"{base}/admin/triage/release/{live.pk}/rollback/"
    assert _crafted_post(editor, rollback, {}).status == 403
    editor.select_option("#id_case", label="Breathless")
    editor.get_by_role("button", name="Show the results").click()
    expect(editor.locator("#preview-banner")).to_contain_text("Preview of the draft")
    expect(editor.locator("article.cause")).to_contain_text(EDITED)
    _public_result(page, base)
    expect(page.locator("article.cause")).not_to_contain_text(EDITED)
    assert Release.objects.count() == live.number

    # A reviewer looks at the question pages of the draft, then approves it.
    reviewer = _signed_in(browser, base, "reviewer")
    reviewer.goto(f"{base}/admin/triage/release/review/")
    expect(reviewer.locator("#review-authors")).to_contain_text("editor")
    titles = reviewer.locator("#preview-steps a").all_text_contents()
    reviewer.locator("#preview-steps a").first.click()
    expect(reviewer.locator("#region h1")).to_have_text(titles[0])
    reviewer.get_by_role("button", name="Continue").click()
    expect(reviewer.locator("#region h1")).to_have_text(titles[1])
    reviewer.goto(f"{base}/admin/triage/release/review/")
    reviewer.fill("#id_note", "Checked the title against the source.")
    reviewer.click("#approve")
    expect(reviewer.locator(".messagelist")).to_contain_text(f"Release {live.number + 1} is live.")

    # The public sees it at the next request, with the release number on screen and in print.
    _public_result(page, base)
    expect(page.locator("article.cause")).to_contain_text(EDITED)
    expect(page.locator("#content-release")).to_contain_text(f"Content release {live.number + 1}")
    page.emulate_media(media="print")
    expect(page.locator("#content-release")).to_be_visible()
    expect(page.locator("#content-release")).to_contain_text(f"Content release {live.number + 1}")
    page.emulate_media(media="screen")

    # The reviewer rolls back to the release before: the old title is live again.
    reviewer.goto(f"{base}/admin/triage/release/{live.pk}/change/")
    reviewer.click("#roll-back")
    expect(reviewer.locator("#changes")).to_contain_text(old_title)
    reviewer.click("#confirm-rollback")
    expect(reviewer.locator(".messagelist")).to_contain_text(
        f"Release {live.number + 2} is live: the content of release {live.number} again."
    )
    _public_result(page, base)
    expect(page.locator("article.cause")).to_contain_text(old_title)
    expect(page.locator("#content-release")).to_contain_text(f"Content release {live.number + 2}")
    editor.context.close()
    reviewer.context.close()
