"""The rules service on its own: hand-made rule sets, no database."""

import pytest

from triage.criteria import FactSpec, parse
from triage.rules import (
    AnswerError,
    CauseSpec,
    EvidenceSpec,
    RedFlagSpec,
    RuleSet,
    band_for,
    evaluate,
    validate_answers,
)

FACTS = {
    name: FactSpec(name, "boolean")
    for name in ("swelling", "chest_pain", "statin", "weakness", "new_shoes", "travel")
}
FACTS["side"] = FactSpec("side", "choice", ("one_leg", "both_legs"))
FACTS["age"] = FactSpec("age", "integer", min_value=16, max_value=110)


def yes(fact):
    return {"fact": fact, "is": True}


def flag(slug, urgency, criteria, safety_net=""):
    return RedFlagSpec(slug, slug.title(), urgency, parse(criteria, FACTS), "act", safety_net)


def rule(slug, criteria, weight, statement="Because."):
    return EvidenceSpec(slug, parse(criteria, FACTS), weight, statement)


RULESET = RuleSet(
    facts=FACTS,
    red_flags=(
        flag(
            "pe",
            "emergency",
            {"all": [yes("swelling"), yes("chest_pain")]},
            "Call 999 if breathless.",
        ),
        flag(
            "dvt",
            "urgent",
            {"all": [{"fact": "side", "is": "one_leg"}, yes("swelling")]},
            "Get help today if it swells.",
        ),
        flag("statin_weak", "urgent", {"all": [yes("statin"), yes("weakness")]}),
    ),
    causes=(
        CauseSpec(
            "footwear",
            "Shoes",
            "self_care",
            (rule("shoes", yes("new_shoes"), 3, "You said you have new shoes."),),
        ),
        CauseSpec(
            "clot",
            "Clot",
            "urgent",
            (
                rule("clot-one-leg", {"fact": "side", "is": "one_leg"}, 1),
                rule("clot-travel", yes("travel"), 2),
                rule("clot-swelling", yes("swelling"), 2),
                rule("clot-both", {"fact": "side", "is": "both_legs"}, -1),
            ),
        ),
        CauseSpec(
            "statin",
            "Statin",
            "soon",
            (
                rule("statin-yes", yes("statin"), 2),
                rule("statin-young", {"fact": "age", "lte": 30}, -1),
            ),
        ),
    ),
)


def slugs(items):
    return [item.slug for item in items]


@pytest.mark.parametrize(
    ("answers", "urgency", "flags", "top"),
    [
        ({}, "self_care", [], None),
        ({"new_shoes": True}, "self_care", [], "footwear"),
        ({"swelling": True, "chest_pain": True}, "emergency", ["pe"], "clot"),
        ({"side": "one_leg", "swelling": True}, "urgent", ["dvt"], "clot"),
        ({"side": "one_leg"}, "self_care", [], "clot"),
        ({"side": "one_leg", "travel": True}, "urgent", [], "clot"),
        ({"statin": True}, "soon", [], "statin"),
        ({"statin": True, "weakness": True}, "urgent", ["statin_weak"], "statin"),
        ({"statin": True, "age": 25}, "self_care", [], "statin"),
        ({"chest_pain": True}, "self_care", [], None),
    ],
    ids=[
        "nothing-answered-is-self-care",
        "a-self-care-cause",
        "red-flag-emergency",
        "red-flag-urgent",
        "weak-evidence-alone-does-not-raise-urgency",
        "a-possible-cause-raises-urgency",
        "a-possible-soon-cause",
        "red-flag-beats-cause-level",
        "opposing-evidence-lowers-the-band",
        "half-a-red-flag-with-the-rest-unknown-does-not-fire",
    ],
)
def test_it_decides_urgency_and_ranking(answers, urgency, flags, top):
    assessment = evaluate(answers=answers, ruleset=RULESET)
    assert assessment.urgency == urgency
    assert slugs(assessment.red_flags) == flags
    assert (assessment.causes[0].slug if assessment.causes else None) == top


def test_it_says_which_answers_fired_a_red_flag():
    assessment = evaluate(answers={"swelling": True, "chest_pain": True}, ruleset=RULESET)
    assert assessment.red_flags[0].because == ("swelling", "chest_pain")


def test_it_gives_the_answers_for_and_against_a_cause():
    assessment = evaluate(answers={"side": "both_legs", "travel": True}, ruleset=RULESET)
    (clot,) = assessment.causes
    assert [r.rule for r in clot.supporting] == ["clot-travel"]
    assert [r.rule for r in clot.opposing] == ["clot-both"]
    assert clot.score == 1
    assert clot.band == "less_likely"
    assert clot.supporting_facts == ["travel"]
    assert clot.opposing_facts == ["side"]


def test_it_ranks_causes_by_score_then_by_urgency():
    assessment = evaluate(
        answers={"new_shoes": True, "side": "one_leg", "swelling": True, "statin": True},
        ruleset=RULESET,
    )
    assert slugs(assessment.causes) == ["clot", "footwear", "statin"]
    assert [c.band for c in assessment.causes] == ["possible", "possible", "possible"]


def test_it_lists_causes_with_no_supporting_answer_nowhere():
    assessment = evaluate(answers={"side": "both_legs", "age": 20}, ruleset=RULESET)
    assert assessment.causes == ()


def test_it_never_claims_an_answer_that_was_not_given():
    assessment = evaluate(answers={"side": "one_leg"}, ruleset=RULESET)
    facts = {f for cause in assessment.causes for r in cause.supporting for f in r.facts}
    assert facts == {"side"}


def test_it_says_which_causes_raised_the_urgency():
    assessment = evaluate(answers={"side": "one_leg", "travel": True}, ruleset=RULESET)
    assert assessment.urgency_from_causes == ("clot",)
    assessment = evaluate(answers={"side": "one_leg", "swelling": True}, ruleset=RULESET)
    assert assessment.urgency_from_causes == ()


def test_safety_net_advice_covers_only_more_urgent_signs_not_already_found():
    calm = evaluate(answers={"new_shoes": True}, ruleset=RULESET)
    assert calm.safety_net == ("Call 999 if breathless.", "Get help today if it swells.")
    urgent = evaluate(answers={"side": "one_leg", "swelling": True}, ruleset=RULESET)
    assert urgent.safety_net == ("Call 999 if breathless.",)
    emergency = evaluate(answers={"swelling": True, "chest_pain": True}, ruleset=RULESET)
    assert emergency.safety_net == ()


def test_it_is_deterministic():
    answers = {"new_shoes": True, "side": "one_leg", "statin": True, "age": 70}
    first = evaluate(answers=answers, ruleset=RULESET).as_dict()
    assert all(evaluate(answers=answers, ruleset=RULESET).as_dict() == first for _ in range(5))


def test_it_gives_the_assess_json_shape():
    data = evaluate(answers={"side": "one_leg", "swelling": True}, ruleset=RULESET).as_dict()
    assert data["urgency"] == "urgent"
    assert data["red_flags"] == [
        {"slug": "dvt", "urgency": "urgent", "because": ["side", "swelling"]}
    ]
    assert data["causes"][0] == {
        "slug": "clot",
        "band": "possible",
        "score": 3,
        "supporting": ["side", "swelling"],
        "opposing": [],
    }


@pytest.mark.parametrize(
    ("score", "band"),
    [(7, "more_likely"), (4, "more_likely"), (3, "possible"), (2, "possible"), (1, "less_likely")],
)
def test_scores_fall_into_plain_bands(score, band):
    assert band_for(score) == band


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([], "must be a JSON object"),
        ({"pain": True}, "pain: unknown fact"),
        ({"swelling": "yes"}, "swelling: 'yes' is not allowed; expected true or false"),
        ({"age": 12}, "age: 12 is not allowed; expected a whole number from 16 to 110"),
        ({"side": "left"}, 'expected one of "one_leg", "both_legs"'),
    ],
)
def test_it_rejects_answers_outside_the_schema(answers, message):
    with pytest.raises(AnswerError, match=message):
        validate_answers(answers, FACTS)
