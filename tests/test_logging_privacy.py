"""No answers or health details in any log line, even with every logger at DEBUG."""

import logging

import pytest
from django.test import Client

from tests.journeys import EMERGENCY, POSSIBLE_CLOT, STATIN_ACHES, django_client_driver, walk
from triage.models import Cause, RedFlag


class Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.loggers: set[str] = set()
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))  # with the traceback, if the record has one
        self.loggers.add(record.name)


@pytest.fixture
def every_log_line(settings):
    # settings.DEBUG makes Django log every SQL statement with its parameters.
    settings.DEBUG = True
    handler = Everything()
    names = ["", *logging.root.manager.loggerDict]
    saved = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.root.addHandler(handler)
    yield handler
    logging.root.removeHandler(handler)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def health_words(answers: dict, result_html: str) -> set[str]:
    """What must never be logged: what this person has, said in any of the ways the site says it."""
    words = set()
    for fact, value in answers.items():
        if value is True:
            words.add(fact)
        elif isinstance(value, str):
            words.add(value)
    for cause in Cause.objects.all():
        if f'id="cause-{cause.slug}"' in result_html:
            words.update({cause.slug, cause.title})
    for flag in RedFlag.objects.all():
        if flag.title in result_html:
            words.update({flag.slug, flag.title})
    return words


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona",
    [POSSIBLE_CLOT, STATIN_ACHES, EMERGENCY],
    ids=["possible-clot", "statin-aches", "emergency"],
)
def test_a_whole_journey_logs_no_answers_or_health_details(every_log_line, persona):
    client = Client()
    get, post = django_client_driver(client)
    journey = walk(get, post, persona)
    # Start again, and a few mistakes, log too: an invalid answer and an unknown page.
    client.post("/check/emergency/", {"signs": ["none", "chest_pain_or_breathless"]})
    client.get("/check/no-such-page/")
    client.post("/start-again/")

    assert any(name.startswith("django.db.backends") for name in every_log_line.loggers), (
        "SQL was not captured: the test would not see a leak"
    )
    words = health_words(journey.answers, journey.result.html)
    assert len(words) >= 2
    leaks = [
        (word, line)
        for line in every_log_line.lines
        for word in words
        if word.lower() in line.lower()
    ]
    assert leaks == []
