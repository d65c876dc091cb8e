"""Shared fixtures: the shipped content, loaded once per test database."""

import pytest

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
def seeded_live_server(live_server, transactional_db):
    """A live server whose database holds the shipped content (live_server flushes it)."""
    seed_content()
    return live_server
