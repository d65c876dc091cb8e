"""
The rules service: first on hand-made rule sets (no database), then on the shipped content with
a table of presentations written from the clinical guidance (red-flags.md), typical and atypical.
"""

import pytest

from triage.criteria import FactSpec, parse
from triage.rules import (
    URGENCY_RANK,
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
    name: FactSpec(name, "boolean", not_sure=name in ("swelling", "statin", "travel"))
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
        ({"side": "one_leg", "travel": True}, "self_care", [], "clot"),
        ({"statin": True}, "self_care", [], "statin"),
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
        "a-possible-cause-never-raises-urgency-on-its-own",
        "a-medicine-alone-never-raises-urgency",
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


def test_the_urgency_comes_from_red_flags_only():
    # A possible clot from a risk factor ranks the cause but leaves the level alone (§1.5 row 4).
    assessment = evaluate(answers={"side": "one_leg", "travel": True}, ruleset=RULESET)
    assert assessment.causes[0].slug == "clot"
    assert assessment.causes[0].band == "possible"
    assert assessment.urgency == "self_care"


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
        (
            {"swelling": "yes"},
            "swelling: 'yes' is not allowed; expected true, false or \"not_sure\"",
        ),
        ({"weakness": "yes"}, "weakness: 'yes' is not allowed; expected true or false"),
        ({"age": 12}, "age: 12 is not allowed; expected a whole number from 16 to 110"),
        ({"side": "left"}, 'expected one of "one_leg", "both_legs"'),
    ],
)
def test_it_rejects_answers_outside_the_schema(answers, message):
    with pytest.raises(AnswerError, match=message):
        validate_answers(answers, FACTS)


# ---------------------------------------------------------------------------- "Not sure" (§1.6)


def test_one_not_sure_part_fires_an_emergency_flag_on_doubt():
    assessment = evaluate(answers={"swelling": "not_sure", "chest_pain": True}, ruleset=RULESET)
    assert assessment.urgency == "emergency"
    (pe,) = assessment.red_flags
    assert (pe.slug, pe.not_sure) == ("pe", "swelling")
    assert pe.because == ("swelling", "chest_pain")


def test_a_flag_met_outright_says_nothing_about_doubt():
    assessment = evaluate(answers={"swelling": True, "chest_pain": True}, ruleset=RULESET)
    assert assessment.red_flags[0].not_sure == ""
    assert "not_sure" not in assessment.as_dict()["red_flags"][0]


def test_not_sure_with_the_rest_of_the_flag_unknown_does_not_fire():
    assessment = evaluate(answers={"swelling": "not_sure"}, ruleset=RULESET)
    assert assessment.red_flags == ()
    assert assessment.urgency == "self_care"


def test_not_sure_with_the_rest_of_the_flag_definitely_not_met_does_not_fire():
    answers = {"swelling": "not_sure", "chest_pain": False, "side": "both_legs"}
    assessment = evaluate(answers=answers, ruleset=RULESET)
    assert assessment.red_flags == ()


def test_two_not_sure_parts_do_not_fire_but_are_named_in_the_safety_net():
    ruleset = RuleSet(
        facts=FACTS,
        red_flags=(
            flag(
                "clot_travel",
                "urgent",
                {"all": [yes("swelling"), yes("travel")]},
                "Get help today if it swells after travel.",
            ),
        ),
        causes=(),
    )
    assessment = evaluate(answers={"swelling": "not_sure", "travel": "not_sure"}, ruleset=ruleset)
    assert assessment.red_flags == ()
    assert assessment.urgency == "self_care"
    (open_flag,) = assessment.uncertain
    assert (open_flag.slug, open_flag.not_sure) == ("clot_travel", ("swelling", "travel"))
    assert assessment.safety_net == ("Get help today if it swells after travel.",)
    assert assessment.as_dict()["not_sure_signs"] == [
        {"slug": "clot_travel", "urgency": "urgent", "not_sure": ["swelling", "travel"]}
    ]
    one_sure = evaluate(answers={"swelling": True, "travel": "not_sure"}, ruleset=ruleset)
    assert [f.not_sure for f in one_sure.red_flags] == ["travel"]


def test_soon_flags_never_fire_on_doubt():
    ruleset = RuleSet(
        facts=FACTS,
        red_flags=(flag("statin_soon", "soon", {"all": [yes("statin"), yes("weakness")]}),),
        causes=(),
    )
    assessment = evaluate(answers={"statin": "not_sure", "weakness": True}, ruleset=ruleset)
    assert assessment.urgency == "self_care"


def test_not_sure_never_excludes_a_flag():
    ruleset = RuleSet(
        facts=FACTS,
        red_flags=(
            flag(
                "pe_unless_travel",
                "emergency",
                {"all": [yes("chest_pain"), {"unless": yes("travel")}]},
            ),
        ),
        causes=(),
    )
    for travel in ("not_sure", False, None):
        answers = {"chest_pain": True} | ({} if travel is None else {"travel": travel})
        assert evaluate(answers=answers, ruleset=ruleset).urgency == "emergency", travel
    assert evaluate(answers={"chest_pain": True, "travel": True}, ruleset=ruleset).red_flags == ()


def test_not_sure_is_unknown_when_ranking_causes():
    assessment = evaluate(answers={"swelling": "not_sure", "statin": "not_sure"}, ruleset=RULESET)
    assert assessment.causes == ()


def test_not_sure_is_rejected_where_the_question_does_not_offer_it():
    validate_answers({"swelling": "not_sure"}, FACTS)
    with pytest.raises(AnswerError, match="chest_pain: 'not_sure' is not allowed"):
        validate_answers({"chest_pain": "not_sure"}, FACTS)


# --------------------------------------------- the shipped content, case by case (red-flags.md)

# What a person with calf pain and nothing else wrong answers on a whole journey.
CALM = {
    "chest_pain_or_breathless": False,
    "coughing_blood": False,
    "fainting_or_collapse": False,
    "cold_pale_leg": False,
    "severe_pain_out_of_proportion": False,
    "saddle_numbness_or_bladder_bowel_change": False,
    "feels_very_unwell_or_confused": False,
    "age": 45,
    "sex": "male",
    "side": "one_leg",
    "onset": "gradual",
    "duration_days": 2,
    "pain_severity": "mild",
    "swelling": False,
    "one_calf_bigger": False,
    "warmth": False,
    "redness_or_discolouration": False,
    "tenderness_on_touch": False,
    "tense_hard_calf": False,
    "wound_or_broken_skin": False,
    "lump_behind_knee": False,
    "symptoms_getting_worse": False,
    "improving": False,
    "pain_on_walking_relieved_by_rest": False,
    "exertional_pain_during_sport": False,
    "rest_pain": False,
    "night_cramp_before": False,
    "cramps_frequent": False,
    "cramp_lasting_over_10_min": False,
    "injury_or_trauma": False,
    "sudden_pop_or_kicked_feeling": False,
    "unable_to_weight_bear_or_tiptoe": False,
    "more_standing_walking_than_usual": False,
    "new_footwear_or_worn_shoes": False,
    "statin": False,
    "diuretic": False,
    "ppi_or_heavy_alcohol": False,
    "new_medication_other": False,
    "oestrogen_pill_or_hrt": False,
    "cancer_treatment_or_low_immunity": False,
    "fever": False,
    "recent_viral_illness": False,
    "aches_elsewhere": False,
    "dark_urine": False,
    "dehydration_signs": False,
    "proximal_weakness_or_bone_pain": False,
    "back_pain_radiating": False,
    "numbness_tingling": False,
    "leg_weakness": False,
    "recent_surgery_or_immobility": False,
    "long_travel_last_4_weeks": False,
    "previous_clot": False,
    "active_cancer": False,
    "smoker": False,
    "diabetes": False,
    "vascular_risk_factors": False,
    "low_sun_or_indoor": False,
}

# (id, answers that differ from CALM, urgency, a red flag that must fire or None, a red flag
# that must stay quiet or None, a cause expected among the first three or None)
GUIDANCE = [
    # §1.1 emergency rows
    (
        "pe-from-a-clot",
        {"swelling": True, "chest_pain_or_breathless": True},
        "emergency",
        "pe_dvt_with_breathlessness",
        None,
        "dvt",
    ),
    (
        "limb-cold-and-pale",
        {"cold_pale_leg": True, "pain_severity": "severe"},
        "emergency",
        "acute_limb_ischaemia_cold_pale_leg",
        None,
        None,
    ),
    (
        "limb-ischaemia-called-gradual",
        {
            "age": 74,
            "pain_severity": "severe",
            "rest_pain": True,
            "numbness_tingling": True,
            "vascular_risk_factors": True,
            "duration_days": 0,
        },
        "emergency",
        "acute_limb_ischaemia_over_hours",
        None,
        "pad",
    ),
    (
        "limb-ischaemia-over-hours-with-weakness",
        {"age": 68, "pain_severity": "severe", "leg_weakness": True, "duration_days": 1},
        "emergency",
        "acute_limb_ischaemia_over_hours",
        None,
        None,
    ),
    (
        "ali-excluded-by-sciatica-without-pad",
        {
            "pain_severity": "severe",
            "numbness_tingling": True,
            "back_pain_radiating": True,
            "duration_days": 5,
        },
        "soon",  # severe sciatica stops normal activities (§1.3 row 5)
        "sciatica_not_improving",
        "acute_limb_ischaemia_over_hours",
        "sciatica_nerve_compression",
    ),
    (
        "ali-over-hours-with-sciatica-and-af",
        {
            "age": 70,
            "pain_severity": "severe",
            "numbness_tingling": True,
            "back_pain_radiating": True,
            "vascular_risk_factors": True,
            "duration_days": 1,
        },
        "emergency",
        "acute_limb_ischaemia_over_hours",
        None,
        None,
    ),
    (
        "ali-not-after-two-weeks",
        {
            "age": 70,
            "pain_severity": "severe",
            "numbness_tingling": True,
            "duration_days": 30,
            "vascular_risk_factors": True,
        },
        "self_care",
        None,
        "acute_limb_ischaemia_over_hours",
        None,
    ),
    (
        "compartment-after-injury-not-sure-hard",
        {
            "injury_or_trauma": True,
            "symptoms_getting_worse": True,
            "pain_severity": "severe",
            "tense_hard_calf": "not_sure",
        },
        "emergency",
        "compartment_after_injury_worsening",
        None,
        None,
    ),
    (
        "compartment-tense-after-injury",
        {"injury_or_trauma": True, "tense_hard_calf": True, "pain_severity": "severe"},
        "emergency",
        "acute_compartment_syndrome",
        None,
        None,
    ),
    (
        "cauda-equina-sciatica-both-sides",
        {"side": "both_legs", "back_pain_radiating": True},
        "emergency",
        "cauda_equina_both_legs",
        None,
        "sciatica_nerve_compression",
    ),
    (
        "weakness-both-legs-worsening",
        {
            "side": "both_legs",
            "leg_weakness": True,
            "numbness_tingling": True,
            "symptoms_getting_worse": True,
            "recent_viral_illness": True,
        },
        "emergency",
        "cauda_equina_both_legs",
        None,
        None,
    ),
    (
        "sepsis-signs",
        {"feels_very_unwell_or_confused": True},
        "emergency",
        "sepsis_very_unwell",
        None,
        None,
    ),
    (
        "fever-during-chemotherapy",
        {
            "cancer_treatment_or_low_immunity": True,
            "fever": True,
            "side": "both_legs",
            "aches_elsewhere": True,
        },
        "emergency",
        "neutropenic_sepsis",
        None,
        "viral_illness",
    ),
    (
        "diabetic-wound-with-fever",
        {"diabetes": True, "wound_or_broken_skin": True, "fever": True},
        "emergency",
        "diabetic_foot_emergency",
        None,
        None,
    ),
    (
        "brown-urine-little-urine",
        {"dark_urine": True, "little_or_no_urine": True, "side": "both_legs"},
        "emergency",
        "rhabdomyolysis_unwell",
        None,
        None,
    ),
    (
        "brown-urine-after-hard-exercise",
        {"dark_urine": True, "more_standing_walking_than_usual": True, "side": "both_legs"},
        "emergency",
        "rhabdomyolysis_unwell",
        None,
        "overuse",
    ),
    (
        "injury-numb-foot",
        {"injury_or_trauma": True, "numbness_tingling": True},
        "emergency",
        "injury_fracture_or_vascular",
        None,
        None,
    ),
    (
        "blood-thinner-tense-calf-after-knock",
        {"blood_thinner": True, "injury_or_trauma": True, "tense_hard_calf": True},
        "emergency",
        "calf_bleed_on_blood_thinner",
        None,
        None,
    ),
    # §1.2 urgent rows
    (
        "dvt-one-leg-swollen",
        {"swelling": True, "tenderness_on_touch": True},
        "urgent",
        "dvt_one_leg_signs",
        None,
        "dvt",
    ),
    (
        "dvt-both-legs-one-bigger",
        {"side": "both_legs", "one_calf_bigger": True, "tenderness_on_touch": True},
        "urgent",
        "one_calf_bigger",
        None,
        "dvt",
    ),
    (
        "dvt-pill-and-tender-calf",
        {"sex": "female", "age": 30, "oestrogen_pill_or_hrt": True, "tenderness_on_touch": True},
        "urgent",
        "dvt_with_risk_factor",
        None,
        "dvt",
    ),
    (
        "swelling-both-legs-after-an-operation",
        {"side": "both_legs", "swelling": True, "recent_surgery_or_immobility": True},
        "urgent",
        "clot_risk_swelling_either_leg",
        None,
        "dvt",
    ),
    (
        "pregnant-red-swollen-leg",
        {
            "sex": "female",
            "pregnant_or_postpartum": True,
            "side": "both_legs",
            "swelling": True,
            "redness_or_discolouration": True,
            "headache_or_vision_change": False,
        },
        "urgent",
        "dvt_pregnancy",
        None,
        "dvt",
    ),
    (
        "pre-eclampsia",
        {
            "sex": "female",
            "pregnant_or_postpartum": True,
            "headache_or_vision_change": True,
            "side": "both_legs",
        },
        "urgent",
        "pre_eclampsia",
        None,
        None,
    ),
    (
        "tendon-gave-way-without-a-pop",
        {
            "injury_or_trauma": True,
            "unable_to_weight_bear_or_tiptoe": True,
            "tendon_risk_medicine": False,
        },
        "urgent",
        "tendon_gave_way",
        "acute_limb_ischaemia_sudden_numb_weak",
        None,
    ),
    (
        "tendon-after-ciprofloxacin",
        {"unable_to_weight_bear_or_tiptoe": True, "tendon_risk_medicine": True},
        "urgent",
        "tendon_gave_way",
        None,
        None,
    ),
    (
        "pop-with-weakness-warm-foot",
        {
            "onset": "sudden",
            "sudden_pop_or_kicked_feeling": True,
            "leg_weakness": True,
            "unable_to_weight_bear_or_tiptoe": True,
            "injury_or_trauma": True,
        },
        "urgent",
        "achilles_rupture_or_calf_tear",
        "acute_limb_ischaemia_sudden_numb_weak",
        None,
    ),
    (
        "blood-thinner-bruised-calf",
        {"blood_thinner": True, "injury_or_trauma": True, "redness_or_discolouration": True},
        "urgent",
        "calf_bleed_blood_thinner",
        "calf_bleed_on_blood_thinner",
        None,
    ),
    (
        "statin-with-new-clarithromycin",
        {"statin": True, "statin_started_recently": False, "statin_interacting_medicine": True},
        "urgent",
        "statin_interaction",
        None,
        "statin_side_effect",
    ),
    (
        "statin-weakness-both-legs-not-cauda-equina",
        {
            "age": 66,
            "side": "both_legs",
            "statin": True,
            "statin_started_recently": True,
            "statin_interacting_medicine": False,
            "leg_weakness": True,
            "aches_elsewhere": True,
        },
        "urgent",
        "statin_weakness_or_dark_urine",
        "cauda_equina_both_legs",
        "statin_side_effect",
    ),
    (
        "flu-aged-70",
        {
            "age": 70,
            "recent_viral_illness": True,
            "long_term_condition": False,
            "fever": True,
            "side": "both_legs",
            "aches_elsewhere": True,
        },
        "urgent",
        "flu_higher_risk",
        None,
        "viral_illness",
    ),
    (
        "flu-not-better-after-a-week",
        {
            "recent_viral_illness": True,
            "long_term_condition": False,
            "fever": True,
            "duration_days": 8,
            "side": "both_legs",
        },
        "urgent",
        "flu_higher_risk",
        None,
        "viral_illness",
    ),
    (
        "diabetic-wound",
        {"diabetes": True, "wound_or_broken_skin": True},
        "urgent",
        "diabetic_foot_wound",
        "diabetic_foot_emergency",
        None,
    ),
    (
        "cellulitis-in-an-older-person",
        {"age": 70, "redness_or_discolouration": True, "warmth": True},
        "urgent",
        "cellulitis",
        None,
        None,
    ),
    (
        "dark-urine-alone",
        {"dark_urine": True, "little_or_no_urine": False},
        "urgent",
        "dark_urine_muscle_breakdown",
        "rhabdomyolysis_unwell",
        None,
    ),
    (
        "rest-pain-in-a-smoker",
        {"age": 62, "smoker": True, "rest_pain": True},
        "urgent",
        "critical_limb_ischaemia",
        None,
        "pad",
    ),
    # §1.3 soon rows
    (
        "claudication",
        {
            "age": 67,
            "side": "both_legs",
            "smoker": True,
            "pain_on_walking_relieved_by_rest": True,
            "same_pattern_before": True,
            "duration_days": 120,
        },
        "soon",
        "claudication",
        "acute_limb_ischaemia_sudden_numb_weak",
        "pad",
    ),
    (
        "young-runner-numb-called-sudden",
        {
            "age": 24,
            "side": "both_legs",
            "onset": "sudden",
            "exertional_pain_during_sport": True,
            "same_pattern_before": True,
            "numbness_tingling": True,
            "pain_severity": "moderate",
            "duration_days": 90,
        },
        "soon",
        "exertional_calf_pain",
        "acute_limb_ischaemia_sudden_numb_weak",
        "cecs",
    ),
    (
        "statin-pattern-aches",
        {
            "age": 63,
            "side": "both_legs",
            "statin": True,
            "statin_started_recently": True,
            "statin_interacting_medicine": False,
            "aches_elsewhere": True,
        },
        "soon",
        "statin_muscle_aches",
        None,
        "statin_side_effect",
    ),
    (
        "sciatica-four-weeks-not-sure-if-improving",
        {"back_pain_radiating": True, "duration_days": 28, "improving": "not_sure"},
        "soon",
        "sciatica_not_improving",
        None,
        "sciatica_nerve_compression",
    ),
    (
        "aches-three-weeks-after-flu",
        {
            "side": "both_legs",
            "recent_viral_illness": True,
            "long_term_condition": False,
            "duration_days": 20,
        },
        "soon",
        "flu_aches_not_improving",
        None,
        "viral_illness",
    ),
    (
        "oedema-both-legs-persisting",
        {
            "age": 70,
            "side": "both_legs",
            "swelling": True,
            "new_medication_other": True,
            "duration_days": 21,
        },
        "soon",
        "swelling_both_legs",
        None,
        None,
    ),
    (
        "little-sun-and-weak-thighs",
        {
            "age": 80,
            "side": "both_legs",
            "low_sun_or_indoor": True,
            "proximal_weakness_or_bone_pain": True,
            "aches_elsewhere": True,
            "duration_days": 60,
        },
        "soon",
        "vitamin_d_osteomalacia",
        None,
        "vitamin_d_deficiency",
    ),
    (
        "cramps-on-omeprazole",
        {
            "age": 58,
            "side": "both_legs",
            "ppi_or_heavy_alcohol": True,
            "cramps_frequent": True,
            "duration_days": 30,
        },
        "soon",
        "low_magnesium_cramps",
        None,
        "magnesium_deficiency",
    ),
    (
        "soreness-after-hiking-day-9",
        {"side": "both_legs", "more_standing_walking_than_usual": True, "duration_days": 9},
        "soon",
        "overuse_not_settling",
        None,
        "overuse",
    ),
    # §1.4 and §1.5: self care, and what must not raise the level on its own
    (
        "doms-day-2",
        {"side": "both_legs", "more_standing_walking_than_usual": True},
        "self_care",
        None,
        None,
        "overuse",
    ),
    (
        "doms-day-6-improving",
        {
            "side": "both_legs",
            "more_standing_walking_than_usual": True,
            "duration_days": 6,
            "improving": True,
        },
        "self_care",
        None,
        "overuse_not_settling",
        "overuse",
    ),
    (
        "doms-day-6-not-sure-if-improving",
        {
            "side": "both_legs",
            "more_standing_walking_than_usual": True,
            "duration_days": 6,
            "improving": "not_sure",
        },
        "soon",
        "overuse_not_settling",
        None,
        "overuse",
    ),
    (
        "post-viral-aches-improving",
        {
            "side": "both_legs",
            "recent_viral_illness": True,
            "long_term_condition": False,
            "duration_days": 16,
            "improving": True,
            "aches_elsewhere": True,
        },
        "self_care",
        None,
        "flu_aches_not_improving",
        "viral_illness",
    ),
    (
        "risk-factors-without-a-symptom",
        {
            "age": 58,
            "side": "both_legs",
            "smoker": True,
            "diabetes": True,
            "vascular_risk_factors": True,
            "diuretic": True,
            "low_sun_or_indoor": True,
            "long_travel_last_4_weeks": True,
            "new_footwear_or_worn_shoes": True,
        },
        "self_care",
        None,
        None,
        "footwear",
    ),
    (
        "statin-for-years-one-leg-mild",
        {
            "statin": True,
            "statin_started_recently": False,
            "statin_interacting_medicine": False,
            "new_footwear_or_worn_shoes": True,
        },
        "self_care",
        None,
        "statin_muscle_aches",
        "footwear",
    ),
    (
        "young-rest-pain-after-new-exercise",
        {
            "age": 28,
            "side": "both_legs",
            "rest_pain": True,
            "more_standing_walking_than_usual": True,
            "duration_days": 1,
        },
        "self_care",
        None,
        "critical_limb_ischaemia",
        "overuse",
    ),
    (
        "knock-with-old-sciatica-numbness",
        {"injury_or_trauma": True, "numbness_tingling": True, "back_pain_radiating": True},
        "self_care",
        None,
        "injury_fracture_or_vascular",
        "sciatica_nerve_compression",
    ),
    (
        "dependent-oedema",
        {"age": 72, "side": "both_legs", "swelling": True, "improving": True},
        "self_care",
        None,
        "swelling_both_legs",
        None,
    ),
    (
        "night-cramp-tender-next-day",
        {"night_cramp_before": True, "tenderness_on_touch": True, "duration_days": 0},
        "self_care",
        None,
        None,
        "post_nocturnal_cramp",
    ),
    (
        "pregnancy-cramps",
        {
            "sex": "female",
            "age": 31,
            "pregnant_or_postpartum": True,
            "headache_or_vision_change": False,
            "side": "both_legs",
            "night_cramp_before": True,
            "duration_days": 0,
        },
        "self_care",
        None,
        None,
        "post_nocturnal_cramp",
    ),
    # §1.6: "Not sure"
    (
        "not-sure-if-one-calf-bigger",
        {"side": "both_legs", "one_calf_bigger": "not_sure"},
        "urgent",
        "one_calf_bigger",
        None,
        None,
    ),
    (
        "not-sure-if-swollen-one-leg",
        {"swelling": "not_sure"},
        "urgent",
        "dvt_one_leg_signs",
        None,
        None,
    ),
    (
        "not-sure-if-on-a-blood-thinner",
        {
            "blood_thinner": "not_sure",
            "injury_or_trauma": True,
            "swelling": True,
            "pain_severity": "severe",
        },
        "emergency",
        "calf_bleed_on_blood_thinner",
        None,
        None,
    ),
    (
        "not-sure-about-warmth-and-redness",
        {"warmth": "not_sure", "redness_or_discolouration": "not_sure"},
        "self_care",
        None,
        "dvt_one_leg_signs",
        None,
    ),
    (
        "sudden-weak-foot-one-leg",
        {"onset": "sudden", "leg_weakness": True, "pain_severity": "moderate", "duration_days": 0},
        "emergency",
        "acute_limb_ischaemia_sudden_numb_weak",
        None,
        None,
    ),
    (
        "statin-weakness-both-legs-called-sudden",
        {
            "age": 64,
            "side": "both_legs",
            "onset": "sudden",
            "statin": True,
            "statin_started_recently": True,
            "statin_interacting_medicine": False,
            "leg_weakness": True,
        },
        "urgent",
        "statin_weakness_or_dark_urine",
        "acute_limb_ischaemia_sudden_numb_weak",
        "statin_side_effect",
    ),
    (
        "strain-not-better-after-three-weeks",
        {"injury_or_trauma": True, "duration_days": 21, "pain_severity": "moderate"},
        "urgent",
        "soft_tissue_injury_worsening",
        None,
        None,
    ),
    (
        "strain-slowly-improving-at-three-weeks",
        {"injury_or_trauma": True, "duration_days": 21, "improving": True},
        "self_care",
        None,
        "soft_tissue_injury_worsening",
        None,
    ),
]


@pytest.mark.parametrize(
    ("changes", "urgency", "fires", "quiet", "cause"),
    [case[1:] for case in GUIDANCE],
    ids=[case[0] for case in GUIDANCE],
)
def test_the_content_follows_the_guidance(ruleset, changes, urgency, fires, quiet, cause):
    answers = validate_answers({**CALM, **changes}, ruleset.facts)
    assessment = evaluate(answers=answers, ruleset=ruleset)
    fired = [flag.slug for flag in assessment.red_flags]
    top3 = [c.slug for c in assessment.causes[:3]]
    assert assessment.urgency == urgency, (fired, top3)
    if fires:
        assert fires in fired
    if quiet:
        assert quiet not in fired
    if cause:
        assert cause in top3, [(c.slug, c.score) for c in assessment.causes[:4]]


def test_a_flag_fired_on_doubt_says_which_answer_it_took_the_safer_way(ruleset):
    answers = {**CALM, "side": "both_legs", "one_calf_bigger": "not_sure"}
    assessment = evaluate(answers=answers, ruleset=ruleset)
    (flag,) = [f for f in assessment.red_flags if f.slug == "one_calf_bigger"]
    assert flag.not_sure == "one_calf_bigger"


def test_two_unsure_signs_of_a_flag_are_named_in_the_safety_net(ruleset):
    answers = {**CALM, "warmth": "not_sure", "redness_or_discolouration": "not_sure"}
    assessment = evaluate(answers=answers, ruleset=ruleset)
    open_flags = {flag.slug: flag.not_sure for flag in assessment.uncertain}
    assert open_flags["dvt_one_leg_signs"] == ("warmth", "redness_or_discolouration")


@pytest.mark.parametrize("fact", ["improving", "same_pattern_before"])
def test_not_sure_never_lowers_a_level(ruleset, fact):
    # red-flags.md §1.6: "Not sure" is never read as better day by day or as the same pattern.
    cases = [
        {**CALM, "back_pain_radiating": True, "duration_days": 25},
        {
            **CALM,
            "age": 70,
            "pain_severity": "severe",
            "rest_pain": True,
            "numbness_tingling": True,
            "vascular_risk_factors": True,
            "duration_days": 0,
        },
        {**CALM, "side": "both_legs", "swelling": True},
    ]
    for answers in cases:
        unknown = evaluate(answers=answers, ruleset=ruleset).urgency
        unsure = evaluate(answers={**answers, fact: "not_sure"}, ruleset=ruleset).urgency
        assert URGENCY_RANK[unsure] >= URGENCY_RANK[unknown], answers


@pytest.mark.parametrize(
    "risk",
    [
        "smoker",
        "diabetes",
        "vascular_risk_factors",
        "oestrogen_pill_or_hrt",
        "diuretic",
        "statin",
        "low_sun_or_indoor",
        "long_travel_last_4_weeks",
        "ppi_or_heavy_alcohol",
        "previous_clot",
        "active_cancer",
        "recent_surgery_or_immobility",
        "blood_thinner",
        "tendon_risk_medicine",
        "cancer_treatment_or_low_immunity",
        "new_medication_other",
    ],
)
def test_a_risk_factor_or_medicine_alone_never_raises_the_level(ruleset, risk):
    # red-flags.md §1.5 row 4, one leg and both legs.
    for side in ("one_leg", "both_legs"):
        answers = {**CALM, "side": side, risk: True}
        if risk == "statin" and side == "both_legs":
            continue  # a statin with aches in both legs is the statin pattern (§1.3 row 3)
        assert evaluate(answers=answers, ruleset=ruleset).urgency == "self_care", (risk, side)


def test_each_red_flag_names_a_condition_in_its_title(ruleset):
    # Each message names the condition that fits: a title says what it may be, not only signs.
    for flag in ruleset.red_flags:
        assert flag.title and flag.title[0].isupper(), flag.slug


@pytest.mark.parametrize(
    ("answers", "urgency", "fires"),
    [
        ({"swelling": True}, "urgent", "dvt_one_leg_signs"),
        ({"warmth": True, "tenderness_on_touch": True}, "urgent", "dvt_one_leg_signs"),
        (
            {"pain_severity": "severe", "numbness_tingling": True, "duration_days": 0},
            "emergency",
            "acute_limb_ischaemia_over_hours",
        ),
        ({"injury_or_trauma": True, "numbness_tingling": True}, "emergency", None),
        ({"dark_urine": "not_sure", "little_or_no_urine": True}, "emergency", None),
        ({"swelling": True, "side": "both_legs"}, "soon", "swelling_both_legs"),
        ({"more_standing_walking_than_usual": True}, "self_care", None),
    ],
    ids=[
        "swelling-side-not-given",
        "two-signs-side-not-given",
        "severe-numb-leg-side-not-given",
        "injury-with-numbness-nothing-else-known",
        "not-sure-brown-urine-with-little-urine",
        "both-legs-swollen-nothing-else-known",
        "extra-activity-nothing-else-known",
    ],
)
def test_half_answered_cases_take_the_safer_reading_of_what_is_unknown(
    ruleset, answers, urgency, fires
):
    # An unknown side is not "both legs"; an unknown exclusion never excludes (§1.6, §1.7).
    assessment = evaluate(answers=answers, ruleset=ruleset)
    assert assessment.urgency == urgency, [f.slug for f in assessment.red_flags]
    if fires:
        assert fires in [flag.slug for flag in assessment.red_flags]
