"""
Shared fixtures: the shipped content, loaded once per test database, and real Chromium
(Debian's package) driven by Playwright. A missing browser is an error, never a skip.
"""

import os
import threading

import pytest
from playwright.sync_api import sync_playwright

from tests.admin_support import EDITOR, REVIEWER, isolated_content, make_user
from triage.selectors import get_content
from triage.services import seed_content


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the shipped content once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        seed_content()


@pytest.fixture
def content(db):
    """The ContentSnapshot of the shipped content (RuleSet, questions, causes, red flags)."""
    return get_content()


@pytest.fixture
def ruleset(content):
    return content.ruleset


@pytest.fixture
def world(db):
    """A small content set of its own for admin tests, independent of the shipped fixtures."""
    return isolated_content()


@pytest.fixture
def editor(client, db):
    """The test client, logged in as a content editor."""
    client.force_login(make_user("editor", EDITOR))
    return client


@pytest.fixture
def reviewer(client, db):
    """The test client, logged in as a clinical reviewer."""
    client.force_login(make_user("reviewer", REVIEWER))
    return client


@pytest.fixture(scope="session")
def live_server(live_server):
    """
    pytest-django's live server, its requests taking turns: its request threads all use the
    test process's one in-memory SQLite connection, and two requests reading it at the same
    moment can get an empty result (a start page saying the check is not available).
    Production never shares a connection between threads.
    """
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            return app(environ, start_response)

    httpd.set_app(one_at_a_time)
    return live_server


@pytest.fixture
def seeded_live_server(live_server, transactional_db):
    """A live server whose database holds the shipped content (live_server flushes it)."""
    seed_content()
    return live_server


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 800})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def no_js_context(browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def no_js_page(no_js_context):
    return no_js_context.new_page()
