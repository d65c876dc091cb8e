"""The step registry: order, skip conditions, pruning and the rules-service input."""

import json
from pathlib import Path

import pytest

from tests.answer_sets import CASES, complete_answers
from triage import questionnaire
from triage.questionnaire import Journey
from triage.rules import evaluate

SCHEMA = json.loads(Path("triage/answer_schema.json").read_text(encoding="utf-8"))


def test_every_fact_of_the_answer_schema_is_asked_on_some_step(content):
    asked = [q.fact for topic in content.topics for q in topic.questions]
    assert {fact["name"] for fact in SCHEMA["facts"]} <= set(asked)
    assert len(asked) == len(set(asked))


def test_the_emergency_checklist_comes_first(content):
    assert content.topics[0].kind == questionnaire.CHECKLIST
    assert Journey(content, {}).first_unanswered_step() == content.topics[0]


def test_no_pregnancy_question_after_male(content):
    page = questionnaire.get_step(content, content.questions["pregnant_or_postpartum"].topic)
    male = [q.fact for q in questionnaire.applicable_questions(page, {"sex": "male"})]
    female = [q.fact for q in questionnaire.applicable_questions(page, {"sex": "female"})]
    assert "pregnant_or_postpartum" not in male
    assert "pregnant_or_postpartum" in female


def test_statin_follow_up_is_asked_only_with_a_statin(content):
    page = questionnaire.get_step(content, content.questions["statin_started_recently"].topic)
    facts = [
        [q.fact for q in questionnaire.applicable_questions(page, answers)]
        for answers in ({}, {"statin": False}, {"statin": "not_sure"}, {"statin": True})
    ]
    assert ["statin_started_recently" in f for f in facts] == [False, False, False, True]
    assert ["statin_interacting_medicine" in f for f in facts] == [False, False, False, True]


def test_prune_drops_a_follow_up_that_no_longer_applies(content):
    answers = {"statin": False, "statin_started_recently": True, "age": 50}
    assert questionnaire.prune(content, answers) == {"statin": False, "age": 50}


def test_prune_drops_unknown_facts_and_values_not_allowed(content):
    answers = {"age": 5000, "sex": "robot", "made_up": True, "side": "one_leg"}
    assert questionnaire.prune(content, answers) == {"side": "one_leg"}


def test_not_sure_counts_as_answered_and_reaches_the_rules_as_not_sure(content):
    answers = {"swelling": "not_sure", "warmth": True}
    assert Journey.of(content, answers).evaluation_input == answers
    leg = questionnaire.get_step(content, "the-leg")
    full = {q.fact: "not_sure" for q in leg.questions if q.allow_not_sure}
    full |= {q.fact: False for q in leg.questions if not q.allow_not_sure}
    assert questionnaire.is_answered(leg, full)


def test_a_not_sure_kept_as_none_by_an_older_version_is_read_as_not_sure(content):
    assert questionnaire.prune(content, {"swelling": None}) == {"swelling": "not_sure"}
    # A question that does not offer "Not sure" drops it, so it is asked again.
    assert questionnaire.prune(content, {"age": None}) == {}


def test_next_and_previous_step_skip_nothing_for_a_full_set(content):
    answers = complete_answers(content, CASES["self_care"])
    journey = Journey(content, answers)
    steps = journey.progress.active
    for before, after in zip(steps, steps[1:], strict=False):
        assert journey.next_step(before) == after
        assert journey.previous_step(after) == before
    assert journey.next_step(steps[-1]) is None
    assert journey.previous_step(steps[0]) is None


def test_a_later_step_is_not_reachable_before_the_earlier_ones(content):
    last = content.topics[-1]
    assert not Journey(content, {}).is_reachable(last)
    assert Journey(content, {}).is_reachable(content.topics[0])


@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
def test_each_ordinary_case_reaches_its_urgency(content, urgency):
    answers = complete_answers(content, CASES[urgency])
    assessment = Journey.of(content, answers).assessment
    assert assessment.urgency == urgency
    assert assessment == evaluate(answers=answers, ruleset=content.ruleset)


def test_the_checklist_summary_says_none_of_these(content):
    answers = {q.fact: False for q in content.topics[0].questions}
    (section,) = Journey(content, answers).answered_steps()
    assert [row.answer for row in section.rows] == ["None of these"]


def test_display_answer_uses_the_words_the_person_chose(content):
    side = content.questions["side"]
    assert questionnaire.display_answer(side, "one_leg") == side.label_for("one_leg")
    assert questionnaire.display_answer(content.questions["swelling"], "not_sure") == "Not sure"
    assert questionnaire.display_answer(content.questions["age"], 40).startswith("40")


def test_a_journey_works_each_answer_out_once(content):
    journey = Journey.of(content, {"statin": False, "statin_started_recently": True, "age": 40})
    assert journey.answers == {"statin": False, "age": 40}  # the follow-up no longer applies
    assert journey.progress is journey.progress
    assert journey.first_unanswered_step() == content.topics[0]
    assert journey.is_emergency is journey.assessment.is_emergency is False


def test_a_step_knows_whether_all_its_questions_always_apply(content):
    steps = {topic.slug: topic for topic in content.topics}
    assert steps["about-you"].unconditional
    assert not steps["medicines"].unconditional  # pregnancy: only asked of women
    for topic in content.topics:
        assert topic.unconditional == all(q.ask_when is None for q in topic.questions)
        if topic.unconditional:
            assert questionnaire.applicable_questions(topic, {}) == list(topic.questions)
