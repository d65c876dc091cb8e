"""The step registry: order, skip conditions, pruning and the rules-service input."""

import json
from pathlib import Path

import pytest

from tests.answer_sets import CASES, complete_answers
from triage import questionnaire
from triage.rules import evaluate

SCHEMA = json.loads(Path("triage/answer_schema.json").read_text(encoding="utf-8"))


def test_every_fact_of_the_answer_schema_is_asked_on_some_step(content):
    asked = [q.fact for topic in content.topics for q in topic.questions]
    assert {fact["name"] for fact in SCHEMA["facts"]} <= set(asked)
    assert len(asked) == len(set(asked))


def test_the_emergency_checklist_comes_first(content):
    assert content.topics[0].kind == questionnaire.CHECKLIST
    assert questionnaire.first_unanswered_step(content, {}) == content.topics[0]


def test_no_pregnancy_question_after_male(content):
    about = questionnaire.get_step(content, "about-you")
    male = [q.fact for q in questionnaire.applicable_questions(about, {"sex": "male"})]
    female = [q.fact for q in questionnaire.applicable_questions(about, {"sex": "female"})]
    assert "pregnant_or_postpartum" not in male
    assert "pregnant_or_postpartum" in female


def test_statin_follow_up_is_asked_only_with_a_statin(content):
    medicines = questionnaire.get_step(content, "medicines")
    facts = [
        [q.fact for q in questionnaire.applicable_questions(medicines, answers)]
        for answers in ({}, {"statin": False}, {"statin": None}, {"statin": True})
    ]
    assert ["statin_started_recently" in f for f in facts] == [False, False, False, True]


def test_prune_drops_a_follow_up_that_no_longer_applies(content):
    answers = {"statin": False, "statin_started_recently": True, "age": 50}
    assert questionnaire.prune(content, answers) == {"statin": False, "age": 50}


def test_prune_drops_unknown_facts_and_values_not_allowed(content):
    answers = {"age": 5000, "sex": "robot", "made_up": True, "side": "one_leg"}
    assert questionnaire.prune(content, answers) == {"side": "one_leg"}


def test_not_sure_counts_as_answered_but_the_rules_never_see_it(content):
    answers = {"swelling": None, "warmth": True}
    assert questionnaire.evaluation_input(content, answers) == {"warmth": True}
    leg = questionnaire.get_step(content, "the-leg")
    full = {q.fact: None for q in leg.questions}
    assert questionnaire.is_answered(leg, full)


def test_next_and_previous_step_skip_nothing_for_a_full_set(content):
    answers = complete_answers(content, CASES["self_care"])
    steps = questionnaire.active_steps(content, answers)
    for before, after in zip(steps, steps[1:], strict=False):
        assert questionnaire.next_step(content, answers, before) == after
        assert questionnaire.previous_step(content, answers, after) == before
    assert questionnaire.next_step(content, answers, steps[-1]) is None
    assert questionnaire.previous_step(content, answers, steps[0]) is None


def test_a_later_step_is_not_reachable_before_the_earlier_ones(content):
    last = content.topics[-1]
    assert not questionnaire.is_reachable(content, {}, last)
    assert questionnaire.is_reachable(content, {}, content.topics[0])


@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
def test_each_ordinary_case_reaches_its_urgency(content, urgency):
    answers = complete_answers(content, CASES[urgency])
    assessment = questionnaire.assess(content, answers)
    assert assessment.urgency == urgency
    assert assessment == evaluate(answers=answers, ruleset=content.ruleset)


def test_the_checklist_summary_says_none_of_these(content):
    answers = {q.fact: False for q in content.topics[0].questions}
    (section,) = questionnaire.answered_steps(content, answers)
    assert [row.answer for row in section.rows] == ["None of these"]


def test_display_answer_uses_the_words_the_person_chose(content):
    side = content.questions["side"]
    assert questionnaire.display_answer(side, "one_leg") == side.label_for("one_leg")
    assert questionnaire.display_answer(content.questions["swelling"], None) == "Not sure"
    assert questionnaire.display_answer(content.questions["age"], 40).startswith("40")
