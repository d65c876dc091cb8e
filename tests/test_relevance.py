"""Which questions can still matter: hand-made criteria, and a brute-force check of soundness."""

import dataclasses
import itertools
import random
import re

import pytest
from django.core.management import call_command

from triage import questionnaire
from triage.criteria import NOT_SURE, FactSpec, facts_in, parse
from triage.models import SafetyCase
from triage.relevance import Criteria, possible_red_flags, relevant_facts
from triage.rules import (
    LESS_LIKELY,
    URGENCY_LEVELS,
    CauseSpec,
    EvidenceSpec,
    RedFlagSpec,
    RuleSet,
    evaluate,
)
from triage.safety import CaseSpec
from triage.selectors import get_content

FACTS = {name: FactSpec(name, "boolean", not_sure=True) for name in ("a", "b", "c", "d", "e")}
FACTS["side"] = FactSpec("side", "choice", ("one_leg", "both_legs", "neither"))
FACTS["age"] = FactSpec("age", "integer", min_value=16, max_value=110)
FACTS["sex"] = FactSpec("sex", "choice", ("female", "male"))
FACTS["pregnant"] = FactSpec("pregnant", "boolean")


def yes(fact):
    return {"fact": fact, "is": True}


def criteria(red_flags=(), causes=(), ask_when=None):
    """Red flags as (urgency, criterion), or a criterion alone for a flag of urgency "soon"."""
    flags = [flag if isinstance(flag, tuple) else ("soon", flag) for flag in red_flags]
    flags = [(f"flag-{i}", urgency, data) for i, (urgency, data) in enumerate(flags)]
    asked = {fact: None for fact in FACTS} | (ask_when or {})
    return Criteria.build(facts=FACTS, red_flags=flags, causes=list(causes), ask_when=asked)


def test_every_fact_of_an_undecided_conjunction_matters():
    flags = criteria([{"all": [yes("a"), yes("b"), yes("c")]}])
    assert relevant_facts(flags, {}) == {"a", "b", "c"}
    assert relevant_facts(flags, {"a": True}) == {"b", "c"}


def test_a_decided_red_flag_asks_nothing_more():
    flags = criteria([{"all": [yes("a"), yes("b")]}, {"any": [yes("c"), yes("d")]}])
    assert relevant_facts(flags, {"a": False, "c": True}) == set()


def test_at_least_keeps_every_part_that_could_make_up_the_count():
    flags = criteria([{"at_least": 2, "of": [yes("a"), yes("b"), yes("c")]}])
    # One step ahead no single answer fires it, yet each of them may be one of the two.
    assert relevant_facts(flags, {}) == {"a", "b", "c"}
    assert relevant_facts(flags, {"a": False}) == {"b", "c"}
    assert relevant_facts(flags, {"a": False, "b": False}) == set()


def test_not_sure_leaves_the_other_ways_to_fire_open():
    flags = criteria([{"any": [yes("a"), {"all": [yes("b"), yes("c")]}]}])
    # "Not sure" about a: the rules never read it as yes here, b and c still matter.
    assert relevant_facts(flags, {"a": NOT_SURE}) == {"b", "c"}
    # "Not sure" about b: that branch can never hold, only a is left to ask.
    assert relevant_facts(flags, {"b": NOT_SURE}) == {"a"}


def test_not_sure_may_still_fire_an_urgent_flag_so_the_rest_of_it_matters():
    # An urgent or emergency flag fires on one "Not sure" answer read the safer way.
    urgent = criteria([("urgent", {"all": [yes("a"), yes("b")]})])
    assert relevant_facts(urgent, {"a": NOT_SURE}) == {"b"}
    soon = criteria([("soon", {"all": [yes("a"), yes("b")]})])
    assert relevant_facts(soon, {"a": NOT_SURE}) == set()


def test_an_exclusion_matters_until_it_is_decided():
    flags = criteria([{"all": [yes("a"), {"unless": yes("b")}]}])
    assert relevant_facts(flags, {}) == {"a", "b"}
    assert relevant_facts(flags, {"b": True}) == set()  # excluded
    assert relevant_facts(flags, {"b": NOT_SURE}) == {"a"}  # doubt never excludes


def test_whole_number_thresholds_decide_a_flag():
    flags = criteria([{"all": [{"fact": "age", "gte": 60}, yes("a")]}])
    assert relevant_facts(flags, {"age": 70}) == {"a"}
    assert relevant_facts(flags, {"age": 40}) == set()


def test_choice_values_decide_a_flag():
    flags = criteria([{"all": [{"fact": "side", "in": ["one_leg", "both_legs"]}, yes("a")]}])
    assert relevant_facts(flags, {"side": "neither"}) == set()
    assert relevant_facts(flags, {"side": "both_legs"}) == {"a"}


def test_a_skip_condition_of_a_question_that_matters_matters_too():
    flags = criteria(
        [{"all": [yes("pregnant"), yes("a")]}],
        ask_when={"pregnant": {"fact": "sex", "is": "female"}},
    )
    assert relevant_facts(flags, {}) == {"pregnant", "a", "sex"}
    # Never asked after "male": the flag can no longer fire, so a does not matter for it.
    assert relevant_facts(flags, {"sex": "male"}) == set()


def test_a_red_flag_is_possible_unless_the_answers_given_rule_it_out():
    flags = criteria(
        [
            {"all": [yes("pregnant"), yes("a")]},
            {"any": [yes("pregnant"), yes("a")]},
            {"all": [yes("a"), yes("b")]},
        ],
        ask_when={"pregnant": {"fact": "sex", "is": "female"}},
    )
    everything = {"flag-0", "flag-1", "flag-2"}
    assert possible_red_flags(flags, {}) == everything
    assert possible_red_flags(flags, {"sex": "female"}) == everything
    # Pregnancy is never asked of a man: a flag that needs it cannot fire; one it is an
    # alternative in still can.
    assert possible_red_flags(flags, {"sex": "male"}) == {"flag-1", "flag-2"}
    assert possible_red_flags(flags, {"sex": "male", "a": False}) == set()


def test_a_cause_that_cannot_change_band_asks_nothing():
    weights = [(3, yes("a")), (1, {"all": [yes("a"), yes("b")]}), (-1, yes("c"))]
    causes = criteria(causes=[("cause", weights)])
    assert relevant_facts(causes, {}) == {"a", "b", "c"}
    # Without a the score is 0 or -1: "less likely" whatever b and c are.
    assert relevant_facts(causes, {"a": False}) == set()
    # With a and b the score is 4 or 3: more likely or possible, so c still matters.
    assert relevant_facts(causes, {"a": True, "b": True}) == {"c"}
    # With a and not b it is 3 or 2: possible either way.
    assert relevant_facts(causes, {"a": True, "b": False}) == set()


def test_a_fact_whose_rules_are_too_small_to_cross_a_threshold_does_not_matter():
    weights = [(3, yes("a")), (1, yes("b")), (2, yes("c"))]
    causes = criteria(causes=[("cause", weights)])
    # 3 so far: b alone can lift it to 4, so it matters; so does c.
    assert relevant_facts(causes, {"a": True}) == {"b", "c"}
    # 4 or more whatever: nothing left.
    assert relevant_facts(causes, {"a": True, "c": True}) == set()


# Brute force: on random criteria, no fact said not to matter can change which red flags fire
# (on doubt included) or any cause's band, whatever the other unanswered facts turn out to be.

MISSING = object()  # never asked
VALUES = {
    "a": (True, False, NOT_SURE, MISSING),
    "b": (True, False, NOT_SURE, MISSING),
    "side": ("one_leg", "both_legs", "neither", MISSING),
    "age": (30, 60, 70, MISSING),
}
NAMES = tuple(VALUES)


def _atom(rng):
    fact = rng.choice(NAMES)
    if fact == "age":
        return {"fact": "age", rng.choice(("gte", "lte")): rng.choice((40, 60, 65))}
    if fact == "side":
        return {"fact": "side", "in": rng.sample(VALUES["side"][:3], rng.randint(1, 2))}
    return {"fact": fact, "is": rng.choice((True, True, False))}


def _criterion(rng, depth=0):
    if depth >= 2 or rng.random() < 0.3:
        return _atom(rng)
    kind = rng.choice(("all", "any", "at_least", "unless"))
    if kind == "unless":
        return {"unless": _criterion(rng, depth + 1)}
    parts = [_criterion(rng, depth + 1) for _ in range(rng.randint(2, 3))]
    if kind == "at_least":
        return {"at_least": rng.randint(1, len(parts)), "of": parts}
    return {kind: parts}


def _ruleset(flags, rules):
    return RuleSet(
        facts=FACTS,
        red_flags=tuple(
            RedFlagSpec(
                f"flag-{i}", "A flag", urgency, parse(data, FACTS), facts=frozenset(facts_in(data))
            )
            for i, (urgency, data) in enumerate(flags)
        ),
        causes=(
            CauseSpec(
                "cause",
                "A cause",
                "soon",
                tuple(
                    EvidenceSpec(f"rule-{i}", parse(data, FACTS), weight, "Because.")
                    for i, (weight, data) in enumerate(rules)
                ),
            ),
        ),
    )


def _outcome(ruleset, answers):
    assessment = evaluate(answers=answers, ruleset=ruleset)
    bands = {cause.slug: cause.band for cause in assessment.causes if cause.band != LESS_LIKELY}
    return tuple(sorted(flag.slug for flag in assessment.red_flags)), bands.get("cause")


@pytest.mark.parametrize("seed", range(10))
def test_no_fact_said_not_to_matter_could_change_the_outcome(seed):
    rng = random.Random(seed)
    flags = [(rng.choice(URGENCY_LEVELS[:3]), _criterion(rng)) for _ in range(2)]
    rules = [(rng.choice((3, 2, 1, -1, -2)), _criterion(rng)) for _ in range(4)]
    content = criteria(flags, [("cause", rules)])
    ruleset = _ruleset(flags, rules)

    def given(values):
        return {fact: value for fact, value in values.items() if value is not MISSING}

    skipped = 0
    for _ in range(40):
        known = rng.sample(NAMES, rng.randint(0, 3))
        answers = given({fact: rng.choice(VALUES[fact]) for fact in known})
        unknown = [fact for fact in NAMES if fact not in known]
        for fact in set(unknown) - relevant_facts(content, answers):
            skipped += 1
            others = [f for f in unknown if f != fact]
            for rest in itertools.product(*(VALUES[f] for f in others)):
                base = answers | dict(zip(others, rest, strict=True))
                outcomes = {
                    _outcome(ruleset, given(base | {fact: value})) for value in VALUES[fact]
                }
                assert len(outcomes) == 1, (flags, rules, answers, fact)
    assert skipped  # the check saw facts left out


# The proof on the shipped content: every safety case walked through the questionnaire by a
# person who answers each question asked with the case's value ("Not sure" where the case says
# nothing), against the same person answering every question.


@dataclasses.dataclass(frozen=True)
class Walked:
    case: CaseSpec
    short: questionnaire.Walk  # asked only what can still matter
    every: questionnaire.Walk  # asked every question that applies
    assessment: object
    every_assessment: object


_walked: dict[str, list[Walked]] = {}


def walked(content) -> list[Walked]:
    """Both walks of every case, worked out once for the content (they take a few seconds)."""
    if content.token not in _walked:
        every_question = dataclasses.replace(content, criteria=None)
        rows = []
        for model in SafetyCase.objects.order_by("slug"):
            case = CaseSpec.from_model(model)
            short = questionnaire.walk(content, case.answers)
            every = questionnaire.walk(every_question, case.answers)
            rows.append(
                Walked(
                    case,
                    short,
                    every,
                    questionnaire.Journey(content, short.answers).assessment,
                    questionnaire.Journey(content, every.answers).assessment,
                )
            )
        _walked[content.token] = rows
    return _walked[content.token]


def _flags(assessment):
    return [flag.slug for flag in assessment.red_flags]


def _top(assessment):
    return [cause.slug for cause in assessment.causes[:3]]


def test_the_shortened_questionnaire_reaches_the_same_urgency_and_red_flags(content):
    rows = walked(content)
    assert len(rows) >= 50
    for row in rows:
        assert row.assessment.urgency == row.every_assessment.urgency, row.case.slug
        assert _flags(row.assessment) == _flags(row.every_assessment), row.case.slug


def test_answering_every_question_is_evaluating_the_whole_case(content):
    # So the comparison above is with the case as written, as far as the questionnaire asks
    # it: up to an emergency, which ends the questionnaire at once.
    for row in walked(content):
        whole = evaluate(answers=row.case.answers, ruleset=content.ruleset)
        assert row.every_assessment.urgency == whole.urgency, row.case.slug
        if not row.every.emergency:
            assert _flags(row.every_assessment) == _flags(whole), row.case.slug


def test_the_shortened_questionnaire_keeps_the_top_three_causes_in_95_percent(content):
    rows = walked(content)
    differ = [r.case.slug for r in rows if _top(r.assessment) != _top(r.every_assessment)]
    assert len(differ) <= 0.05 * len(rows), differ


def test_it_asks_fewer_questions_than_answering_everything(content):
    rows = walked(content)
    for row in rows:
        assert row.short.questions <= row.every.questions, row.case.slug
        assert row.short.screens <= row.every.screens, row.case.slug
    assert sum(row.short.questions < row.every.questions for row in rows) >= len(rows) // 2


def test_question_page_n_of_about_m_only_ever_tightens(content):
    for row in walked(content):
        numbers = [number for number, _ in row.short.shown]
        counts = [count for _, count in row.short.shown]
        # Each page is the next one (a page brought back for a follow-up keeps its number)...
        assert numbers[0] == 1, row.case.slug
        assert all(b - a in (0, 1) for a, b in zip(numbers, numbers[1:], strict=False))
        # ... and "of about m" never grows and never falls below the pages this person sees.
        assert counts == sorted(counts, reverse=True), (row.case.slug, row.short.shown)
        assert counts[-1] >= numbers[-1], (row.case.slug, row.short.shown)


def test_everyone_is_asked_their_age(content):
    # The check is for people aged 16 and over: the age question is never skipped.
    for row in walked(content):
        assert row.short.emergency or "age" in row.short.answers, row.case.slug


def test_the_cases_command_prints_how_many_questions_and_screens_a_case_takes(world, capsys):
    # The small world of tests/admin_support.py: one emergency sign, one cause that the swelling
    # and warmth of the calf decide. The swollen, warm calf is asked those two questions, on the
    # page of the leg: the checklist, that page, check your answers and the results.
    call_command("cases")
    out = capsys.readouterr().out
    assert "Questionnaire: the 1 cases that do not end in an emergency" in out
    swollen = SafetyCase.objects.get(slug="case-swollen-warm").answers
    every = questionnaire.walk(dataclasses.replace(get_content(), criteria=None), swollen)
    assert every.questions > 2 and every.screens == 7
    assert re.search(rf"^Questions asked +2 +2 +{every.questions}, {every.questions}$", out, re.M)
    assert re.search(r"^Screens +4 +4 +7, 7$", out, re.M), out
