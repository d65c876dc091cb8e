"""The admin and the public pages work under the strict Content Security Policy, in Chromium."""

from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth.models import User

from tests.journeys import POSSIBLE_CLOT, Page, walk
from triage.models import Cause, Question, Release, SafetyCase, Topic

PASSWORD = "a long passphrase 42"

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile
      + ":" + event.lineNumber
  );
});
"""

pytestmark = [pytest.mark.browser]


@pytest.fixture
def watched_page(page):
    messages = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text) if message.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    page.add_init_script(WATCH_VIOLATIONS)
    page.console_messages_seen = messages
    return page


def problems(tab) -> list[str]:
    violations = tab.evaluate("window.__cspViolations || []")
    console = [
        m for m in tab.console_messages_seen if "Content Security Policy" in m or "page error" in m
    ]
    return violations + console


def test_the_admin_works_under_the_content_security_policy(seeded_live_server, watched_page):
    User.objects.create_superuser("editor", "editor@example.org", PASSWORD)
    tab = watched_page
    base = seeded_live_server.url
    tab.goto(f"{base}/admin/login/")
    tab.fill("#id_username", "editor")
    tab.fill("#id_password", PASSWORD)
    tab.click("input[type=submit]")
    tab.wait_for_url(f"{base}/admin/")
    assert problems(tab) == []

    cause = Cause.objects.order_by("pk").first()
    question = Question.objects.filter(choices__isnull=False).order_by("pk").first()
    visits = [
        "/admin/triage/cause/",
        "/admin/triage/cause/?q=cramp",
        f"/admin/triage/cause/{cause.pk}/change/",
        f"/admin/triage/question/{question.pk}/change/",
        "/admin/triage/question/add/",
        f"/admin/triage/cause/{cause.pk}/history/",
        "/admin/triage/release/",
        f"/admin/triage/release/{Release.objects.get().pk}/change/",
        "/admin/triage/release/review/",
        f"/admin/triage/release/review/preview/?step={Topic.objects.order_by('order').first().slug}",
        f"/admin/triage/release/review/preview/?case={SafetyCase.objects.first().slug}",
        f"/admin/triage/release/review/preview/?case={SafetyCase.objects.first().slug}&print=1",
    ]
    for path in visits:
        response = tab.goto(f"{base}{path}")
        assert response.status == 200, path
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
        assert problems(tab) == [], path

    # The admin's own JavaScript runs: "Add another" on an inline adds a form row.
    tab.goto(f"{base}/admin/triage/question/{question.pk}/change/")
    rows = tab.locator(".dynamic-choices").count()
    tab.locator(".add-row a").first.click()
    assert tab.locator(".dynamic-choices").count() == rows + 1
    assert problems(tab) == []

    # An edit saves under the policy too.
    tab.goto(f"{base}/admin/triage/cause/{cause.pk}/change/")
    tab.fill("#id_summary", cause.summary + " Edited.")
    tab.click("input[name=_save]")
    tab.wait_for_url(f"{base}/admin/triage/cause/**")
    assert problems(tab) == []


def test_the_public_pages_work_under_the_content_security_policy(seeded_live_server, watched_page):
    """Every public page, with JavaScript on (htmx and the site's scripts run)."""
    tab = watched_page
    base = seeded_live_server.url
    api = tab.context.request  # shares the browser's cookies

    def get(path):
        response = api.get(base + path)
        return Page(response.status, urlsplit(response.url).path, response.text())

    def post(path, data):
        response = api.post(
            base + path,
            data=urlencode(data, doseq=True),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return Page(response.status, urlsplit(response.url).path, response.text())

    journey = walk(get, post, POSSIBLE_CLOT)
    paths = ["/", *dict.fromkeys(journey.visited), "/check/the-leg/?change=1", "/start-again/"]
    for path in paths:
        response = tab.goto(base + path)
        assert response.status == 200, path
        tab.wait_for_load_state("networkidle")
        assert problems(tab) == [], path

    # An htmx step: the region is swapped in place, under the same policy.
    tab.goto(base + "/check/the-leg/?change=1")
    tab.locator("form[method=post] button[type=submit]").click()
    tab.wait_for_load_state("networkidle")
    assert problems(tab) == []
