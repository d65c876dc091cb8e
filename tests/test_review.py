"""What the review page shows of a change: differences of wording and rules, reading levels."""

import copy

import pytest

from triage import review
from triage.selectors import content_data

pytestmark = pytest.mark.django_db


def _find(data, kind, slug):
    return next(item for item in data[kind] if item["slug"] == slug)


def test_swapped_choice_labels_and_a_reworded_emergency_sign_are_listed():
    live = content_data()
    draft = copy.deepcopy(live)
    question = next(q for q in draft["questions"] if len(q["choices"]) >= 2)
    first, second = question["choices"][:2]
    first["label"], second["label"] = second["label"], first["label"]
    flag = draft["red_flags"][0]
    flag["action"] = "A mild itch on your ankle"

    changes = {(c.kind, c.key): c for c in review.compare(live, draft)}

    assert set(changes) == {
        ("choices", f"{question['slug']}: {first['value']}"),
        ("choices", f"{question['slug']}: {second['value']}"),
        ("red_flags", flag["slug"]),
    }
    label = changes[("choices", f"{question['slug']}: {first['value']}")].fields[0]
    assert (label.name, label.after) == ("label", first["label"])
    action = changes[("red_flags", flag["slug"])].fields[0]
    assert action.name == "action" and action.wording
    assert "<ins>" in action.words and "itch" in action.words
    assert changes[("red_flags", flag["slug"])].line() == f"red flag {flag['slug']}: action changed"


def test_rules_are_shown_before_and_after_and_new_and_removed_items_are_named():
    live = content_data()
    draft = copy.deepcopy(live)
    cause = draft["causes"][0]
    rule = cause["rules"][0]
    rule["criteria"] = {"fact": "swelling", "is": False}
    cause["urgency"] = "emergency"
    removed = draft["red_flags"].pop()
    draft["sources"].append(
        {"slug": "new-source", "title": "New", "publisher": "", "url": "", "note": ""}
    )

    changes = {(c.kind, c.key): c for c in review.compare(live, draft)}

    criteria = changes[("rules", rule["slug"])].fields[0]
    assert criteria.name == "criteria" and not criteria.wording
    assert criteria.after == '{"fact": "swelling", "is": false}'
    assert [f.name for f in changes[("causes", cause["slug"])].fields] == ["urgency"]
    assert changes[("red_flags", removed["slug"])].status == "removed"
    assert changes[("sources", "new-source")].line() == "New source new-source"


def test_nothing_is_listed_when_nothing_changed():
    data = content_data()
    assert review.compare(data, copy.deepcopy(data)) == []


def test_plain_text_is_within_the_nhs_reading_age_and_dense_text_is_flagged():
    easy = review.reading_level(
        "Your calf may hurt after a long walk. Rest it and it should feel better in a few days."
    )
    hard = review.reading_level(
        "Intermittent claudication characteristically manifests as reproducible "
        "exercise-induced ischaemic musculoskeletal discomfort, alleviated by rest."
    )

    assert easy.age is not None and easy.age <= review.READING_AGE_TARGET
    assert not easy.too_hard
    assert hard.too_hard and hard.age > review.READING_AGE_TARGET


def test_short_texts_are_not_measured_and_markdown_is_read_as_text():
    assert review.reading_level("One leg").age is None
    assert not review.reading_level("Both legs").too_hard
    marked = review.reading_level(
        "**Call 999 now** if you have [chest pain](https://x.org) or feel faint."
    )
    plain = review.reading_level("Call 999 now if you have chest pain or feel faint.")
    assert marked == plain
