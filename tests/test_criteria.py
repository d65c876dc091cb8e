"""The criteria language: parsing, validation and three-valued evaluation (no database)."""

import pytest

from triage.criteria import CriteriaError, FactSpec, facts_in, parse

FACTS = {
    "swelling": FactSpec("swelling", "boolean", not_sure=True),
    "warmth": FactSpec("warmth", "boolean"),
    "fever": FactSpec("fever", "boolean"),
    "side": FactSpec("side", "choice", ("one_leg", "both_legs")),
    "age": FactSpec("age", "integer", min_value=16, max_value=110),
}


@pytest.mark.parametrize(
    ("criteria", "answers", "expected"),
    [
        ({"fact": "swelling", "is": True}, {"swelling": True}, (True, ("swelling",))),
        ({"fact": "swelling", "is": True}, {"swelling": False}, (False, ())),
        ({"fact": "swelling", "is": True}, {}, (None, ())),
        ({"fact": "side", "in": ["one_leg"]}, {"side": "one_leg"}, (True, ("side",))),
        ({"fact": "age", "gte": 60}, {"age": 60}, (True, ("age",))),
        ({"fact": "age", "gte": 60}, {"age": 59}, (False, ())),
        ({"fact": "age", "lte": 40}, {"age": 41}, (False, ())),
        (
            {"all": [{"fact": "swelling", "is": True}, {"fact": "warmth", "is": True}]},
            {"swelling": True, "warmth": True},
            (True, ("swelling", "warmth")),
        ),
        (
            {"all": [{"fact": "swelling", "is": True}, {"fact": "warmth", "is": True}]},
            {"swelling": True},
            (None, ()),
        ),
        (
            {"all": [{"fact": "swelling", "is": True}, {"fact": "warmth", "is": True}]},
            {"warmth": False},
            (False, ()),
        ),
        (
            {"any": [{"fact": "swelling", "is": True}, {"fact": "warmth", "is": True}]},
            {"warmth": True},
            (True, ("warmth",)),
        ),
        (
            {"any": [{"fact": "swelling", "is": True}, {"fact": "warmth", "is": True}]},
            {"warmth": False},
            (None, ()),
        ),
        (
            {"any": [{"fact": "swelling", "is": True}, {"fact": "warmth", "is": True}]},
            {"warmth": False, "swelling": False},
            (False, ()),
        ),
        (
            {
                "at_least": 2,
                "of": [{"fact": f, "is": True} for f in ("swelling", "warmth", "fever")],
            },
            {"swelling": True, "fever": True},
            (True, ("swelling", "fever")),
        ),
        (
            {
                "at_least": 2,
                "of": [{"fact": f, "is": True} for f in ("swelling", "warmth", "fever")],
            },
            {"swelling": True, "fever": False},
            (None, ()),
        ),
        (
            {
                "at_least": 2,
                "of": [{"fact": f, "is": True} for f in ("swelling", "warmth", "fever")],
            },
            {"swelling": True, "fever": False, "warmth": False},
            (False, ()),
        ),
    ],
    ids=[
        "is-true",
        "is-false",
        "is-unknown",
        "in",
        "gte-at-limit",
        "gte-below",
        "lte-above",
        "all-true",
        "all-with-unknown-is-unknown",
        "all-with-false-is-false",
        "any-one-true",
        "any-false-and-unknown-is-unknown",
        "any-all-false",
        "at-least-met",
        "at-least-still-possible-is-unknown",
        "at-least-impossible-is-false",
    ],
)
def test_it_evaluates_with_unknown_answers_never_counting_as_no(criteria, answers, expected):
    assert parse(criteria, FACTS)(answers) == expected


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"fact": "pain", "is": True}, "unknown fact 'pain'"),
        ({"fact": "side", "is": "left"}, 'one of "one_leg", "both_legs"'),
        ({"fact": "swelling", "is": "yes"}, 'true, false or "not_sure"'),
        ({"fact": "age", "is": 200}, "from 16 to 110"),
        ({"fact": "age", "gte": "sixty"}, "needs a whole number"),
        ({"fact": "swelling", "gte": 1}, "only applies to whole-number facts"),
        ({"fact": "swelling"}, "exactly one of"),
        ({"any": []}, "non-empty list"),
        ({"all": "swelling"}, "non-empty list"),
        ({"at_least": 3, "of": [{"fact": "swelling", "is": True}]}, "from 1 to 1"),
        ({"at_least": 1}, "needs 'of'"),
        ({"all": [{"fact": "fever", "is": True}], "any": []}, "cannot be mixed"),
        ({"fact": "side", "in": []}, "non-empty list"),
        ({"fact": "side", "like": "one"}, "unknown operator"),
        ([], "expected an object"),
        ({"maybe": 1}, "expected 'fact', 'all', 'any', 'at_least' or 'unless'"),
        ({"unless": {"fact": "fever", "is": True}, "fact": "age"}, "unknown operator"),
        ({"fact": "fever", "is": "not_sure"}, "true or false"),
    ],
    ids=[
        "unknown-fact",
        "choice-not-allowed",
        "boolean-wrong-type",
        "integer-out-of-range",
        "comparison-not-a-number",
        "comparison-on-boolean",
        "missing-operator",
        "empty-any",
        "all-not-a-list",
        "at-least-too-many",
        "at-least-without-of",
        "mixed-keys",
        "empty-in",
        "unknown-operator",
        "not-an-object",
        "unknown-shape",
        "unless-beside-a-fact",
        "not-sure-on-a-fact-without-it",
    ],
)
def test_it_rejects_bad_criteria_with_a_clear_message(criteria, message):
    with pytest.raises(CriteriaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(criteria, FACTS)


def test_it_names_where_in_nested_criteria_the_error_is():
    with pytest.raises(CriteriaError, match=r"criteria\.all\[1\]: unknown fact 'nope'"):
        parse({"all": [{"fact": "fever", "is": True}, {"fact": "nope", "is": True}]}, FACTS)


def test_it_lists_every_fact_a_criterion_mentions():
    data = {"any": [{"fact": "fever", "is": True}, {"at_least": 1, "of": [{"fact": "age"}]}]}
    assert facts_in(data) == {"fever", "age"}


@pytest.mark.parametrize(
    ("spec", "value", "ok"),
    [
        (FACTS["age"], 16, True),
        (FACTS["age"], 15, False),
        (FACTS["age"], True, False),
        (FACTS["age"], 30.0, False),
        (FACTS["swelling"], 1, False),
        (FACTS["swelling"], False, True),
        (FACTS["side"], "both_legs", True),
        (FACTS["side"], None, False),
    ],
)
def test_a_fact_accepts_only_its_allowed_values(spec, value, ok):
    if ok:
        spec.check(value)
    else:
        with pytest.raises(ValueError, match=spec.name):
            spec.check(value)


SWELLING = {"fact": "swelling", "is": True}


@pytest.mark.parametrize(
    ("criteria", "answers", "expected"),
    [
        (SWELLING, {"swelling": "not_sure"}, (None, ())),
        ({"fact": "swelling", "is": False}, {"swelling": "not_sure"}, (None, ())),
        (
            {"fact": "swelling", "in": [True, "not_sure"]},
            {"swelling": "not_sure"},
            (True, ("swelling",)),
        ),
        ({"fact": "swelling", "in": [True, "not_sure"]}, {"swelling": False}, (False, ())),
        ({"fact": "swelling", "in": [True, "not_sure"]}, {}, (None, ())),
        ({"fact": "swelling", "is": "not_sure"}, {"swelling": True}, (False, ())),
        ({"unless": SWELLING}, {"swelling": True}, (False, ())),
        ({"unless": SWELLING}, {"swelling": False}, (True, ())),
        ({"unless": SWELLING}, {}, (True, ())),
        ({"unless": SWELLING}, {"swelling": "not_sure"}, (True, ())),
        (
            {"all": [{"fact": "fever", "is": True}, {"unless": SWELLING}]},
            {"fever": True, "swelling": "not_sure"},
            (True, ("fever",)),
        ),
        ({"any": [{"unless": SWELLING}, {"fact": "fever", "is": True}]}, {}, (True, ())),
    ],
    ids=[
        "not-sure-is-unknown-to-yes",
        "not-sure-is-unknown-to-no",
        "a-follow-up-may-name-not-sure",
        "a-follow-up-after-no-is-skipped",
        "a-follow-up-waits-for-an-answer",
        "naming-not-sure-matches-only-not-sure",
        "unless-excludes-when-definitely-true",
        "unless-holds-when-false",
        "unless-holds-when-unknown",
        "not-sure-never-excludes",
        "an-exclusion-inside-all",
        "an-exclusion-that-holds-makes-any-hold",
    ],
)
def test_not_sure_is_unknown_and_never_excludes(criteria, answers, expected):
    assert parse(criteria, FACTS)(answers) == expected


def test_facts_in_sees_inside_unless():
    assert facts_in({"all": [{"unless": SWELLING}, {"fact": "age", "gte": 60}]}) == {
        "swelling",
        "age",
    }


def test_not_sure_is_an_answer_only_where_the_question_offers_it():
    FACTS["swelling"].check("not_sure")
    with pytest.raises(ValueError, match='expected true, false or "not_sure"'):
        FACTS["swelling"].check("maybe")
    with pytest.raises(ValueError, match="expected true or false"):
        FACTS["fever"].check("not_sure")
