"""
Safety cases walked through the public question pages: the results page shows what the rules
(and ``manage.py assess``) give for the answers the journey gave, "Not sure" answers included.

A seeded sample of the library, plus every case with a "Not sure" answer. Facts a case leaves out
get the journey's quiet default, so the journey's answers can be a superset of the case's; where
the journey asked exactly the case's facts, the result is also the case's expected urgency.
"""

import random

import pytest
from django.test import Client

from tests.journeys import django_client_driver, result_summary, walk
from tests.test_safety_cases import FIXTURE_CASES
from tests.test_views_results import page_summary
from triage.rules import evaluate

SAMPLE = 30


def _sample() -> list[dict]:
    not_sure = [c for c in FIXTURE_CASES if "not_sure" in c["answers"].values()]
    others = [c for c in FIXTURE_CASES if c not in not_sure]
    return not_sure + random.Random(20261201).sample(others, k=min(SAMPLE, len(others)))


CASES = _sample()


@pytest.mark.parametrize("case", CASES, ids=[c["slug"] for c in CASES])
def test_a_walked_case_gets_the_assessment_of_its_answers(content, case):
    # A sparse case that leaves out the age gets an adult one (the driver's default is too low).
    persona = {"age": 40, "duration_days": 1} | case["answers"]
    journey = walk(*django_client_driver(Client()), persona)
    shown = result_summary(journey.result.html)
    assessment = evaluate(answers=journey.answers, ruleset=content.ruleset)
    assert shown == page_summary(assessment)
    asked = {fact: value for fact, value in case["answers"].items() if fact in journey.answers}
    assert asked == {f: journey.answers[f] for f in asked}, "the journey changed an answer"
    if journey.answers == case["answers"]:
        assert shown["urgency"] == case["expected_urgency"]
