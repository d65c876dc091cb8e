"""
The shipped causes and their evidence rules (fixtures/causes.json), checked as loaded by
seed_content: texts, sources, review dates, rules that fit the answer schema, and a textbook
presentation of every cause that must rank it first.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

from triage import criteria
from triage.rules import (
    LESS_LIKELY,
    MORE_LIKELY,
    POSSIBLE,
    URGENCY_LEVELS,
    band_for,
    evaluate,
)

BASE_DIR = Path(settings.BASE_DIR)
SCHEMA = json.loads((BASE_DIR / "triage" / "answer_schema.json").read_text(encoding="utf-8"))
FIXTURE = json.loads((BASE_DIR / "fixtures" / "causes.json").read_text(encoding="utf-8"))

SCHEMA_CAUSES = [cause["slug"] for cause in SCHEMA["causes"]]
FIXTURE_CAUSES = {
    row["fields"]["slug"]: row["fields"] for row in FIXTURE if row["model"] == "triage.cause"
}
FIXTURE_RULES = [row["fields"] for row in FIXTURE if row["model"] == "triage.evidencerule"]
CLOT_RISK_FACTS = [
    "recent_surgery_or_immobility",
    "long_travel_last_4_weeks",
    "pregnant_or_postpartum",
    "oestrogen_pill_or_hrt",
    "active_cancer",
    "previous_clot",
]

# The level of care each cause usually needs, shown with it (red-flags.md §1.3, §1.4 and §2).
# A cause never sets the urgency of a result: the red flags do (§1.5).
CAUSE_URGENCY = {
    "overuse": "self_care",
    "dehydration_electrolyte_imbalance": "self_care",
    "footwear": "self_care",
    "post_nocturnal_cramp": "self_care",
    "magnesium_deficiency": "soon",
    "potassium_deficiency": "soon",
    "vitamin_d_deficiency": "soon",
    "statin_side_effect": "soon",
    "diuretic_side_effect": "soon",
    "viral_illness": "self_care",
    "dvt": "urgent",
    "pad": "soon",
    "cecs": "soon",
    # New sciatica is self care (§1.4); the red flag sciatica_not_improving raises it to "soon"
    # after 3 weeks or when it is getting worse (§1.3), and weakness to "urgent".
    "sciatica_nerve_compression": "self_care",
}

# One textbook presentation per cause: the cause must come first, in the "more likely" band.
TEXTBOOK = {
    "overuse": {
        "age": 34,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 1,
        "swelling": False,
        "more_standing_walking_than_usual": True,
    },
    "dehydration_electrolyte_imbalance": {
        "age": 28,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 1,
        "swelling": False,
        "dehydration_signs": True,
    },
    "footwear": {
        "age": 40,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 5,
        "swelling": False,
        "new_footwear_or_worn_shoes": True,
    },
    "post_nocturnal_cramp": {
        "age": 55,
        "side": "one_leg",
        "onset": "sudden",
        "duration_days": 0,
        "swelling": False,
        "warmth": False,
        "redness_or_discolouration": False,
        "tenderness_on_touch": True,
        "night_cramp_before": True,
    },
    "magnesium_deficiency": {
        "age": 60,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 30,
        "cramps_frequent": True,
        "ppi_or_heavy_alcohol": True,
    },
    "potassium_deficiency": {
        "age": 45,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 3,
        "cramps_frequent": True,
        "leg_weakness": True,
        "dehydration_signs": True,
    },
    "vitamin_d_deficiency": {
        "age": 70,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 60,
        "aches_elsewhere": True,
        "proximal_weakness_or_bone_pain": True,
        "low_sun_or_indoor": True,
    },
    "statin_side_effect": {
        "age": 62,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 10,
        "statin": True,
        "statin_started_recently": True,
        "aches_elsewhere": True,
    },
    "diuretic_side_effect": {
        "age": 68,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 14,
        "cramps_frequent": True,
        "diuretic": True,
    },
    "viral_illness": {
        "age": 30,
        "side": "both_legs",
        "onset": "sudden",
        "duration_days": 2,
        "fever": True,
        "recent_viral_illness": True,
        "aches_elsewhere": True,
    },
    "dvt": {
        "age": 50,
        "side": "one_leg",
        "onset": "gradual",
        "duration_days": 2,
        "swelling": True,
        "warmth": True,
        "redness_or_discolouration": True,
        "recent_surgery_or_immobility": True,
    },
    "pad": {
        "age": 67,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 120,
        "pain_on_walking_relieved_by_rest": True,
        "numbness_tingling": False,
        "smoker": True,
        "diabetes": True,
    },
    "cecs": {
        "age": 24,
        "side": "both_legs",
        "onset": "gradual",
        "duration_days": 60,
        "exertional_pain_during_sport": True,
        "numbness_tingling": True,
    },
    "sciatica_nerve_compression": {
        "age": 45,
        "side": "one_leg",
        "onset": "gradual",
        "duration_days": 10,
        "swelling": False,
        "back_pain_radiating": True,
        "numbness_tingling": True,
    },
}


def cause_spec(ruleset, slug):
    return next(cause for cause in ruleset.causes if cause.slug == slug)


def ranked(assessment, slug):
    return next((cause for cause in assessment.causes if cause.slug == slug), None)


def lowest_score(cause, answers):
    """
    The lowest score the cause can have once more answers are given: supporting rules already
    true, minus every opposing rule not yet ruled out (unknown answers may still make it true).
    """
    score = 0
    for rule in cause.rules:
        result, _ = rule.test(answers)
        may_apply = result is True if rule.weight > 0 else result is not False
        if may_apply:
            score += rule.weight
    return score


def test_the_content_has_exactly_the_causes_of_the_answer_schema(content):
    assert sorted(content.causes) == sorted(SCHEMA_CAUSES)
    assert [cause.slug for cause in content.ruleset.causes] == SCHEMA_CAUSES


@pytest.mark.parametrize("slug", SCHEMA_CAUSES)
def test_every_cause_has_all_its_texts(content, slug):
    cause = content.causes[slug]
    for text in (cause.title, cause.summary):
        assert text.strip()
        assert text == text.strip()
    for html in (cause.explanation, cause.self_care, cause.when_to_get_help):
        assert "<p>" in html or "<li>" in html


@pytest.mark.parametrize("slug", SCHEMA_CAUSES)
def test_every_cause_calls_for_its_agreed_urgency(content, slug):
    assert content.causes[slug].urgency == CAUSE_URGENCY[slug]
    assert content.causes[slug].urgency in URGENCY_LEVELS


@pytest.mark.parametrize("slug", SCHEMA_CAUSES)
def test_every_cause_cites_its_sources_and_never_the_seed_text(content, slug):
    cited = {source.slug for source in content.causes[slug].sources}
    assert cited
    # Every source the fixture names was loaded.
    assert cited == {key[0] for key in FIXTURE_CAUSES[slug]["sources"]}
    # The seed text is where the wording comes from, not a medical source (red-flags.md §5).
    assert all("seed" not in source.slug for source in content.causes[slug].sources)


@pytest.mark.parametrize("slug", SCHEMA_CAUSES)
def test_every_cause_is_due_for_review_after_its_last_review(content, slug):
    cause = content.causes[slug]
    assert cause.next_review_due > cause.last_reviewed


@pytest.mark.parametrize("slug", SCHEMA_CAUSES)
def test_every_cause_has_four_to_ten_rules_and_at_least_one_supports_it(ruleset, slug):
    rules = cause_spec(ruleset, slug).rules
    assert 4 <= len(rules) <= 12
    assert any(rule.weight > 0 for rule in rules)
    assert all(rule.weight in (-3, -2, -1, 1, 2, 3) for rule in rules)


def test_every_rule_of_the_fixture_is_in_the_loaded_ruleset(ruleset):
    loaded = {(cause.slug, rule.slug) for cause in ruleset.causes for rule in cause.rules}
    assert loaded == {(rule["cause"][0], rule["slug"]) for rule in FIXTURE_RULES}


@pytest.mark.parametrize("rule", FIXTURE_RULES, ids=[rule["slug"] for rule in FIXTURE_RULES])
def test_every_rule_names_known_facts_and_allowed_values(ruleset, rule):
    assert criteria.facts_in(rule["criteria"]) <= set(ruleset.facts)
    criteria.parse(rule["criteria"], ruleset.facts, where=rule["slug"])


@pytest.mark.parametrize("rule", FIXTURE_RULES, ids=[rule["slug"] for rule in FIXTURE_RULES])
def test_every_rule_slug_names_its_cause(rule):
    assert rule["slug"].startswith(rule["cause"][0].replace("_", "-") + "-")


@pytest.mark.parametrize("rule", FIXTURE_RULES, ids=[rule["slug"] for rule in FIXTURE_RULES])
def test_every_statement_is_one_plain_sentence(rule):
    statement = rule["statement"]
    assert statement == statement.strip()
    assert statement[0].isupper()
    assert statement.endswith(".")
    assert "  " not in statement
    assert len(statement) <= 300


@pytest.mark.parametrize("slug", SCHEMA_CAUSES)
def test_a_textbook_presentation_puts_its_cause_first_and_more_likely(ruleset, slug):
    assessment = evaluate(answers=TEXTBOOK[slug], ruleset=ruleset)
    top = assessment.causes[0]
    assert top.slug == slug, [(c.slug, c.score) for c in assessment.causes]
    assert top.band == MORE_LIKELY


def test_one_sided_pain_with_swelling_is_a_possible_dvt_whatever_else_is_said(ruleset):
    answers = {"side": "one_leg", "swelling": True}
    assert band_for(lowest_score(cause_spec(ruleset, "dvt"), answers)) in (MORE_LIKELY, POSSIBLE)
    assessment = evaluate(answers=answers, ruleset=ruleset)
    assert ranked(assessment, "dvt").band in (MORE_LIKELY, POSSIBLE)
    assert assessment.urgency in ("urgent", "emergency")


@pytest.mark.parametrize("risk", CLOT_RISK_FACTS)
def test_one_sided_pain_with_a_clot_risk_factor_ranks_dvt_but_does_not_raise_the_level(
    ruleset, risk
):
    # red-flags.md §1.5 row 4: a risk factor ranks causes, but without a matching sign in the
    # leg it never raises the level.
    answers = {"side": "one_leg", risk: True}
    assert band_for(lowest_score(cause_spec(ruleset, "dvt"), answers)) in (MORE_LIKELY, POSSIBLE)
    assessment = evaluate(answers=answers, ruleset=ruleset)
    assert ranked(assessment, "dvt").band in (MORE_LIKELY, POSSIBLE)
    assert assessment.urgency == "self_care"
    with_sign = evaluate(answers={**answers, "tenderness_on_touch": True}, ruleset=ruleset)
    assert with_sign.urgency == "urgent"


def test_one_sided_pain_alone_is_only_weak_evidence_of_dvt(ruleset):
    assessment = evaluate(answers={"side": "one_leg"}, ruleset=ruleset)
    assert ranked(assessment, "dvt").band == LESS_LIKELY
    assert assessment.urgency == "self_care"


def test_both_legs_argue_only_weakly_against_dvt(ruleset):
    answers = {
        "side": "both_legs",
        "swelling": True,
        "recent_surgery_or_immobility": True,
        "previous_clot": True,
    }
    dvt = ranked(evaluate(answers=answers, ruleset=ruleset), "dvt")
    assert [reason.weight for reason in dvt.opposing] == [-1]
    assert dvt.supporting


def test_a_young_runner_is_not_ranked_as_narrowed_arteries(ruleset):
    answers = {
        "age": 25,
        "exertional_pain_during_sport": True,
        "pain_on_walking_relieved_by_rest": True,
        "numbness_tingling": True,
    }
    assessment = evaluate(answers=answers, ruleset=ruleset)
    assert assessment.causes[0].slug == "cecs"
    assert ranked(assessment, "pad").band == LESS_LIKELY


@pytest.mark.parametrize(
    "answers",
    [
        {"statin": True, "statin_started_recently": False, "side": "one_leg"},
        {"statin": True, "statin_started_recently": False, "numbness_tingling": True},
    ],
    ids=["old-statin-one-leg", "old-statin-tingling"],
)
def test_a_long_standing_statin_with_atypical_pain_is_a_less_likely_cause(ruleset, answers):
    statin = ranked(evaluate(answers=answers, ruleset=ruleset), "statin_side_effect")
    assert statin.band == LESS_LIKELY
    assert len(statin.opposing) == 2


# A medicine, risk factor or lifestyle fact counts towards a cause only with something of the
# cause's own pattern (red-flags.md §1.5 row 4), so that it is asked only then.
RISK_AND_MEDICINE_FACTS = [
    *CLOT_RISK_FACTS,
    "statin",
    "diuretic",
    "ppi_or_heavy_alcohol",
    "low_sun_or_indoor",
    "smoker",
    "diabetes",
    "vascular_risk_factors",
    "new_medication_other",
]


@pytest.mark.parametrize("fact", RISK_AND_MEDICINE_FACTS)
def test_a_medicine_or_risk_factor_alone_makes_no_cause_possible(ruleset, fact):
    # No cause is "possible" on this answer alone: the rules it meets add up to less than 2.
    answers = {fact: True}
    for cause in ruleset.causes:
        alone = sum(rule.weight for rule in cause.rules if rule.test(answers)[0])
        assert alone < 2, cause.slug
    assessment = evaluate(answers=answers, ruleset=ruleset)
    assert all(cause.band == LESS_LIKELY for cause in assessment.causes)
    assert assessment.urgency == "self_care"


def test_all_the_risk_factors_together_without_a_sign_in_either_leg_stay_less_likely(ruleset):
    answers = {"side": "both_legs"} | {fact: True for fact in RISK_AND_MEDICINE_FACTS}
    answers |= {f: False for f in ("swelling", "warmth", "tenderness_on_touch")}
    answers |= {"one_calf_bigger": False, "redness_or_discolouration": False}
    assessment = evaluate(answers=answers, ruleset=ruleset)
    assert ranked(assessment, "dvt").band == LESS_LIKELY
    # With the pattern, the same medicines count: cramps with a water tablet.
    with_cramps = evaluate(answers={"diuretic": True, "cramps_frequent": True}, ruleset=ruleset)
    assert ranked(with_cramps, "diuretic_side_effect").band == MORE_LIKELY
