"""In real Chromium: a clinical reviewer edits a cause's summary; the public results show it."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from tests.admin_support import REVIEWER, isolated_content
from triage.models import EvidenceRule

pytestmark = pytest.mark.browser

PASSWORD = "a long reviewer passphrase 7"


@pytest.fixture
def reviewer_world(seeded_live_server):
    # live_server flushes the database between tests, groups included: make the roles again.
    roles = importlib.import_module("triage.migrations.0002_roles")
    roles.ensure_roles(apps)
    world = isolated_content()
    # Breathlessness alone makes the test cause "possible", so it shows on an emergency result.
    EvidenceRule.objects.create(
        slug="test-clot-breathless",
        cause=world["cause"],
        criteria={"fact": "chest_pain_or_breathless", "is": True},
        strength=3,
        statement="You said you are short of breath.",
    )
    user = User.objects.create_user("reviewer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWER))
    return seeded_live_server.url, world


def test_a_reviewer_edits_a_cause_summary_and_the_public_results_show_it(page, reviewer_world):
    base, world = reviewer_world
    cause = world["cause"]

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    page.goto(f"{base}/admin/triage/cause/{cause.pk}/change/")
    page.fill("#id_summary", "Edited in the browser a moment ago.")
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/triage/cause/")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{base}/check/emergency/")
    page.check("input[name=signs][value=chest_pain_or_breathless]")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/result/")

    expect(page.locator("#cause-test-clot")).to_have_text("A clot in a leg vein")
    expect(page.locator("article.cause")).to_contain_text("Edited in the browser a moment ago.")
    expect(page.locator("article.cause")).not_to_contain_text("Old summary.")
