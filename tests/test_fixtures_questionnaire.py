"""
The shipped sources and questionnaire: fixtures/sources.json and fixtures/questionnaire.json.

The questions must match the answer schema (triage/answer_schema.json) fact for fact, and the
pages must follow docs/content-plan.md. Both files are read here, so a change to either shows up
as a failing test rather than as a question quietly missing from the check.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from triage import criteria
from triage.criteria import NOT_SURE
from triage.models import Cause, Choice, Question, RedFlag, Source, Topic
from triage.selectors import fact_specs
from triage.services import CONTENT_FIXTURES, FIXTURES_DIR

BASE_DIR = Path(settings.BASE_DIR)
SCHEMA = json.loads((BASE_DIR / "triage" / "answer_schema.json").read_text(encoding="utf-8"))
SCHEMA_FACTS = {fact["name"]: fact for fact in SCHEMA["facts"]}
CHECKLIST_TOPIC = "emergency"


def _content_plan():
    """The page table of docs/content-plan.md: [(order, slug, kind, [(fact, condition)])]."""
    text = (BASE_DIR / "docs" / "content-plan.md").read_text(encoding="utf-8")
    row = re.compile(r"^\|\s*(\d+)\s*\|\s*`([a-z-]+)`\s*\|\s*(\w+)\s*\|(.+)\|\s*$")
    plan = []
    for line in text.splitlines():
        match = row.match(line)
        if not match:
            continue
        order, slug, kind, cell = match.groups()
        facts = []
        # Split on commas outside parentheses: "a, b (asked only when x is y), c".
        for item in re.split(r",\s*(?![^()]*\))", cell.strip()):
            fact_match = re.fullmatch(r"([a-z0-9_]+)(?:\s*\((.+)\))?", item.strip())
            assert fact_match, f"cannot read {item!r} in the content plan"
            facts.append(fact_match.groups())
        plan.append((int(order), slug, kind, facts))
    return plan


CONTENT_PLAN = _content_plan()


def _fixture_rows(name):
    path = FIXTURES_DIR / name
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def _schema_choices(fact):
    return re.findall(r'"([a-z0-9_]+)"', fact["allowed"])


def _questions():
    return {q.slug: q for q in Question.objects.select_related("topic").prefetch_related("choices")}


def test_the_content_plan_is_read_in_full():
    assert [order for order, *_ in CONTENT_PLAN] == list(range(1, len(CONTENT_PLAN) + 1))
    planned = [fact for *_, facts in CONTENT_PLAN for fact, _ in facts]
    assert sorted(planned) == sorted(SCHEMA_FACTS), "the plan must ask every fact exactly once"


@pytest.mark.django_db
def test_every_schema_fact_has_exactly_one_question_of_the_same_kind():
    slugs = list(Question.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
    questions = _questions()
    missing = sorted(set(SCHEMA_FACTS) - set(questions))
    assert not missing, f"no question for {missing}"
    for name, fact in SCHEMA_FACTS.items():
        assert questions[name].kind == fact["kind"], name


@pytest.mark.django_db
def test_choice_questions_offer_exactly_the_values_the_schema_allows():
    questions = _questions()
    for name, fact in SCHEMA_FACTS.items():
        values = [c.value for c in questions[name].choices.all()]
        if fact["kind"] == "choice":
            assert sorted(values) == sorted(_schema_choices(fact)), name
            assert all(c.label and c.label != c.value for c in questions[name].choices.all())
        else:
            assert values == [], f"{name} is not a choice question but has choices"


@pytest.mark.django_db
def test_whole_number_questions_have_the_range_the_schema_allows():
    questions = _questions()
    for name, fact in SCHEMA_FACTS.items():
        question = questions[name]
        if fact["kind"] != "integer":
            assert (question.min_value, question.max_value) == (None, None), name
            continue
        assert question.unit, f"{name} needs a unit"
        bounded = re.fullmatch(r"integer (\d+)-(\d+)", fact["allowed"])
        at_least = re.fullmatch(r"integer >= (\d+)", fact["allowed"])
        if bounded:
            assert (question.min_value, question.max_value) == tuple(map(int, bounded.groups()))
        else:
            assert at_least, f"cannot read the range of {name}: {fact['allowed']!r}"
            assert question.min_value == int(at_least.group(1)), name
            assert question.max_value is None or question.max_value > question.min_value


@pytest.mark.django_db
def test_age_is_asked_from_16_to_110_and_days_from_0():
    questions = _questions()
    assert (questions["age"].min_value, questions["age"].max_value) == (16, 110)
    assert questions["duration_days"].min_value == 0


@pytest.mark.django_db
def test_topics_and_questions_follow_the_content_plan_in_order():
    topics = list(Topic.objects.order_by("order"))
    assert [(t.slug, t.kind) for t in topics] == [
        (slug, kind) for _, slug, kind, _ in sorted(CONTENT_PLAN)
    ]
    assert len({t.order for t in topics}) == len(topics)
    for _, slug, _, facts in CONTENT_PLAN:
        asked = list(
            Question.objects.filter(topic__slug=slug).order_by("order").values_list("slug", "order")
        )
        assert [fact for fact, _ in asked] == [fact for fact, _ in facts], slug
        assert len({order for _, order in asked}) == len(asked), f"{slug} repeats an order"


@pytest.mark.django_db
def test_the_emergency_topic_is_a_checklist_of_yes_or_no_items_without_not_sure():
    topic = Topic.objects.get(slug=CHECKLIST_TOPIC)
    assert topic.kind == Topic.Kind.CHECKLIST
    assert topic.order == 1
    assert Topic.objects.filter(kind=Topic.Kind.CHECKLIST).count() == 1
    items = list(topic.questions.all())
    assert items
    for item in items:
        assert item.kind == Question.Kind.BOOLEAN, item.slug
        assert not item.allow_not_sure, f"{item.slug}: a checklist has no 'Not sure'"
        assert item.ask_when is None, f"{item.slug}: every checklist item is always shown"


@pytest.mark.django_db
def test_only_yes_or_no_questions_offer_not_sure():
    offering = Question.objects.filter(allow_not_sure=True)
    assert offering.exists()
    assert set(offering.values_list("kind", flat=True)) == {Question.Kind.BOOLEAN}


@pytest.mark.django_db
def test_skip_conditions_parse_and_refer_only_to_questions_asked_before():
    questions = list(Question.objects.order_by("topic__order", "order"))
    facts = fact_specs(Question.objects.prefetch_related("choices"))
    position = {q.slug: index for index, q in enumerate(questions)}
    conditional = [q for q in questions if q.ask_when is not None]
    assert conditional
    for question in conditional:
        criteria.parse(question.ask_when, facts, where=f"question {question.slug}")
        for fact in criteria.facts_in(question.ask_when):
            assert position[fact] < position[question.slug], (
                f"{question.slug} depends on {fact}, which is asked later"
            )


def _planned_conditions():
    """
    (fact, [(condition fact, [values])]) for each "asked only when X is Y [or Z][, or W is V]"
    in the content plan: the question is asked when any of the conditions holds.
    """
    words = {"yes": True, "no": False}
    found = []
    for *_, facts in CONTENT_PLAN:
        for fact, note in facts:
            if not note:
                continue
            assert note.startswith("asked only when "), f"cannot read the condition {note!r}"
            conditions = []
            for part in note.removeprefix("asked only when ").split(", or "):
                match = re.fullmatch(r"(\w+) is (\w+(?: or \w+)*)", part)
                assert match, f"cannot read the condition {note!r}"
                on, values = match.groups()
                conditions.append((on, [words.get(v, v) for v in values.split(" or ")]))
            found.append((fact, conditions))
    return found


@pytest.mark.django_db
def test_questions_are_skipped_exactly_as_the_content_plan_says(content):
    planned = _planned_conditions()
    assert planned
    conditional = {slug for slug, q in content.questions.items() if q.ask_when is not None}
    assert conditional == {fact for fact, _ in planned}
    for fact, conditions in planned:
        question = content.questions[fact]
        for on, values in conditions:
            spec = content.ruleset.facts[on]
            others = [True, False] if spec.kind == "boolean" else list(spec.choices)
            if spec.not_sure:
                others.append(NOT_SURE)
            for value in values:
                assert question.applies({on: value}), f"{fact} should be asked when {on} is {value}"
            for other in others:
                if other not in values:
                    assert not question.applies({on: other}), f"{fact} asked when {on} is {other}"
        assert not question.applies({}), f"{fact} should wait for an answer"


@pytest.mark.django_db
def test_every_question_offering_not_sure_names_its_sign_in_plain_words():
    for question in Question.objects.all():
        if question.allow_not_sure:
            assert question.unsure_words.strip(), question.slug
            assert "_" not in question.unsure_words, question.slug
            assert question.unsure_words[0].islower(), f"{question.slug}: it follows 'whether'"
        else:
            assert not question.unsure_words, question.slug


@pytest.mark.django_db
def test_not_sure_is_offered_where_a_lay_person_may_not_know():
    # red-flags.md §1.6: swelling, one calf bigger, warmth, tense calf, urine colour and amount,
    # medicine names, cancer treatment or immunity, blood thinner, same pattern, improving.
    offering = set(Question.objects.filter(allow_not_sure=True).values_list("slug", flat=True))
    assert offering >= {
        "swelling",
        "one_calf_bigger",
        "warmth",
        "tense_hard_calf",
        "dark_urine",
        "little_or_no_urine",
        "statin",
        "statin_started_recently",
        "statin_interacting_medicine",
        "diuretic",
        "tendon_risk_medicine",
        "cancer_treatment_or_low_immunity",
        "blood_thinner",
        "same_pattern_before",
        "improving",
    }
    assert not offering & {"age", "sex", "side"}


@pytest.mark.django_db
def test_the_fever_question_names_the_lower_threshold_for_people_on_cancer_treatment():
    hint = Question.objects.get(slug="fever").hint
    assert "38C" in hint
    assert "37.5C" in hint
    assert "chemotherapy" in hint


@pytest.mark.django_db
def test_every_question_and_choice_has_plain_words_to_show():
    for question in Question.objects.all():
        assert question.text.strip(), question.slug
        assert question.short_label.strip(), question.slug
        assert question.why_we_ask.strip(), question.slug
        assert "_" not in question.text, f"{question.slug}: a fact name leaked into the text"
    for topic in Topic.objects.all():
        assert topic.title.strip(), topic.slug
    for choice in Choice.objects.all():
        assert choice.label.strip(), str(choice)


@pytest.mark.django_db
def test_every_seeded_row_passes_model_validation():
    # SQLite does not enforce max_length or URL shape, so check them as the admin would.
    for model in (Source, Topic, Question, Choice):
        for row in model.objects.all():
            row.full_clean()


def test_every_source_slug_in_the_fixtures_is_unique():
    slugs = [row["fields"]["slug"] for row in _fixture_rows("sources.json")]
    assert slugs
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    assert not duplicates, f"repeated source slugs: {duplicates}"


def test_every_source_url_is_http_or_https_and_every_other_source_says_how_it_was_read():
    rows = _fixture_rows("sources.json")
    assert rows
    for row in rows:
        fields = row["fields"]
        url = fields["url"]
        if url:
            parsed = urlparse(url)
            assert parsed.scheme in ("http", "https") and parsed.netloc, fields["slug"]
            assert not url.endswith((".", ",", ":", ";")), f"{fields['slug']}: stray punctuation"
        else:
            assert fields["note"].strip(), f"{fields['slug']} has no address and no note"


def test_every_source_cited_in_the_fixtures_exists():
    known = {row["fields"]["slug"] for row in _fixture_rows("sources.json")}
    cited = {}
    for name in CONTENT_FIXTURES:
        for row in _fixture_rows(name):
            for key in row["fields"].get("sources", []):
                slug = key[0] if isinstance(key, list) else key
                cited.setdefault(slug, row["fields"].get("slug", row["model"]))
    missing = {slug: where for slug, where in cited.items() if slug not in known}
    assert not missing, f"cited but not in sources.json: {missing}"


@pytest.mark.django_db
def test_every_seeded_red_flag_and_cause_cites_a_seeded_source():
    for model in (RedFlag, Cause):
        for row in model.objects.prefetch_related("sources"):
            assert row.sources.exists(), f"{model.__name__} {row.slug} cites no source"
