"""
The clinical safety cases of fixtures/safety_cases.json, run against the shipped content.

Each case is its own test (its id is the case slug), so a failure names the case and shows
what went wrong. The coverage tests make sure the cases keep up with the content: every red flag
fires somewhere and stays quiet in a near miss, and every cause is expected on top somewhere.
"""

import json
import re
from pathlib import Path

import pytest

from triage.models import Cause, Question, RedFlag, SafetyCase
from triage.rules import ACTION_WORDS, EMERGENCY, URGENCY_RANK, evaluate, validate_answers
from triage.safety import CaseSpec, check_case

ROOT = Path(__file__).resolve().parent.parent
CASES_FILE = ROOT / "fixtures" / "safety_cases.json"
SCHEMA_FILE = ROOT / "triage" / "answer_schema.json"
GUIDANCE_ROW = re.compile(r"^red-flags\.md §[12]\.\d+\b")


def _fixture_cases() -> list[dict]:
    rows = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    return [row["fields"] for row in rows if row["model"] == "triage.safetycase"]


FIXTURE_CASES = _fixture_cases()
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _failure(result) -> str:
    assessment = result.assessment
    return (
        f"{result.case.slug}: {'; '.join(result.problems)} "
        f"(fired: {[flag.slug for flag in assessment.red_flags]}, "
        f"causes: {[(c.slug, c.band, c.score) for c in assessment.causes[:3]]})"
    )


@pytest.mark.parametrize("fields", FIXTURE_CASES, ids=[c["slug"] for c in FIXTURE_CASES])
def test_safety_case_passes(fields, ruleset):
    case = CaseSpec.from_model(SafetyCase.objects.get(slug=fields["slug"]))
    assert case.answers == fields["answers"]
    result = check_case(case, ruleset)
    if not result.passed:
        pytest.fail(_failure(result), pytrace=False)


def test_every_safety_case_in_the_database_passes(ruleset):
    cases = [CaseSpec.from_model(case) for case in SafetyCase.objects.all()]
    assert len(cases) == len(FIXTURE_CASES)
    failures = [_failure(r) for r in (check_case(c, ruleset) for c in cases) if not r.passed]
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


def test_there_are_at_least_150_cases_and_60_atypical():
    assert len(FIXTURE_CASES) >= 150
    assert all(isinstance(case["atypical"], bool) for case in FIXTURE_CASES)
    assert sum(case["atypical"] for case in FIXTURE_CASES) >= 60
    slugs = [case["slug"] for case in FIXTURE_CASES]
    assert len(slugs) == len(set(slugs))


# "§1.2 rows 6 and 15 (near miss)" names rows 6 and 15 of §1.2, as near misses.
CITED_ROWS = re.compile(r"§1\.([12]) rows? ((?:\d+(?:, | and )?)+)(\s*\(near miss)?")
# The emergency (§1.1) and urgent (§1.2) rows of the guidance.
GUIDANCE_ROWS = {"1": 14, "2": 21}


def _cited_rows(near_miss: bool) -> set[tuple[str, int]]:
    cited = set()
    for case in FIXTURE_CASES:
        for match in CITED_ROWS.finditer(case["guidance_row"]):
            if bool(match.group(3)) == near_miss:
                section = match.group(1)
                cited |= {(section, int(n)) for n in re.findall(r"\d+", match.group(2))}
    return cited


@pytest.mark.parametrize("near_miss", [False, True], ids=["case", "near-miss"])
def test_every_emergency_and_urgent_row_has_a_case_and_a_near_miss(near_miss):
    rows = {(s, n) for s, count in GUIDANCE_ROWS.items() for n in range(1, count + 1)}
    missing = sorted(rows - _cited_rows(near_miss))
    assert not missing, [f"§1.{s} row {n}" for s, n in missing]


def test_the_library_has_not_sure_and_half_answered_cases():
    not_sure = [c for c in FIXTURE_CASES if "not_sure" in c["answers"].values()]
    assert len(not_sure) >= 10
    assert any(list(c["answers"].values()).count("not_sure") >= 2 for c in not_sure)
    sparse = [c for c in FIXTURE_CASES if len(c["answers"]) <= 10]
    assert len(sparse) >= 10


@pytest.mark.parametrize("fields", FIXTURE_CASES, ids=[c["slug"] for c in FIXTURE_CASES])
def test_case_names_a_row_of_the_guidance(fields):
    assert GUIDANCE_ROW.match(fields["guidance_row"]), fields["guidance_row"]


@pytest.mark.parametrize("fields", FIXTURE_CASES, ids=[c["slug"] for c in FIXTURE_CASES])
def test_case_answers_fit_the_answer_schema(fields, ruleset):
    validate_answers(fields["answers"], ruleset.facts)


@pytest.mark.django_db
def test_cases_name_only_existing_red_flags_and_causes():
    flags = set(RedFlag.objects.values_list("slug", flat=True))
    causes = set(Cause.objects.values_list("slug", flat=True))
    for case in FIXTURE_CASES:
        named = set(case["expected_red_flags"]) | set(case["absent_red_flags"])
        assert named <= flags, (case["slug"], named - flags)
        assert set(case["expected_top_causes"]) <= causes, case["slug"]
        assert not set(case["expected_red_flags"]) & set(case["absent_red_flags"]), case["slug"]


ROW_REFERENCE = re.compile(r"§(\d\.\d+)(?: rows? ((?:\d+(?:\s*(?:,|and|–|-)\s*)?)+))?")


def _rows(text: str) -> set[tuple[str, int]]:
    """The guidance rows a text names: "§1.2 rows 3, 12 and 14", "§1.1 rows 1–3", "§1.7"."""
    found = set()
    for section, numbers in ROW_REFERENCE.findall(text):
        if not numbers:
            found.add((section, 0))
            continue
        for part in re.split(r"\s*(?:,|and)\s*", numbers.strip()):
            ends = [int(n) for n in re.split(r"\s*[–-]\s*", part) if n]
            found |= {(section, n) for n in range(ends[0], ends[-1] + 1)} if ends else set()
    return found


@pytest.mark.django_db
def test_every_red_flag_fires_in_some_case(ruleset):
    # Named by a case, or shown to fire when the cases are run: a flag added for a row of the
    # guidance is covered by the cases written from that row before it had a name.
    expected = {slug for case in FIXTURE_CASES for slug in case["expected_red_flags"]}
    for case in FIXTURE_CASES:
        assessment = evaluate(answers=case["answers"], ruleset=ruleset)
        expected |= {flag.slug for flag in assessment.red_flags}
    missing = set(RedFlag.objects.values_list("slug", flat=True)) - expected
    assert not missing, f"red flags no case expects to fire: {sorted(missing)}"


@pytest.mark.django_db
def test_every_red_flag_stays_quiet_in_a_near_miss(ruleset):
    # Every emergency and urgent flag: named as a near miss by a case, or quiet in a case written
    # from the flag's own row.
    absent = {slug for case in FIXTURE_CASES for slug in case["absent_red_flags"]}
    flags = list(RedFlag.objects.filter(urgency__in=["emergency", "urgent"]))
    for case in FIXTURE_CASES:
        fired = {flag.slug for flag in evaluate(answers=case["answers"], ruleset=ruleset).red_flags}
        rows = _rows(case["guidance_row"])
        absent |= {
            flag.slug
            for flag in flags
            if flag.slug not in fired and _rows(flag.guidance_row) & rows
        }
    missing = {flag.slug for flag in flags} - absent
    assert not missing, f"red flags without a near-miss case: {sorted(missing)}"


@pytest.mark.django_db
def test_every_cause_is_the_expected_top_cause_of_some_case():
    tops = {slug for case in FIXTURE_CASES for slug in case["expected_top_causes"]}
    schema_causes = {cause["slug"] for cause in SCHEMA["causes"]}
    assert set(Cause.objects.values_list("slug", flat=True)) == schema_causes
    missing = schema_causes - tops
    assert not missing, f"causes no case expects on top: {sorted(missing)}"


def test_the_cases_cover_every_urgency_level():
    levels = {case["expected_urgency"] for case in FIXTURE_CASES}
    assert levels == set(URGENCY_RANK)


def _checklist_facts() -> list[str]:
    return list(
        Question.objects.filter(topic__slug="emergency")
        .order_by("order")
        .values_list("slug", flat=True)
    )


@pytest.mark.django_db
def test_the_emergency_checklist_asks_the_facts_of_the_content_plan():
    assert set(_checklist_facts()) == {
        "chest_pain_or_breathless",
        "coughing_blood",
        "fainting_or_collapse",
        "cold_pale_leg",
        "severe_pain_out_of_proportion",
        "saddle_numbness_or_bladder_bowel_change",
        "feels_very_unwell_or_confused",
    }


@pytest.mark.django_db
def test_each_emergency_checklist_item_alone_is_an_emergency(ruleset):
    facts = _checklist_facts()
    for ticked in facts:
        for answers in ({ticked: True}, {fact: fact == ticked for fact in facts}):
            assessment = evaluate(answers=answers, ruleset=ruleset)
            assert assessment.urgency == EMERGENCY, answers
            assert any(
                flag.urgency == EMERGENCY and ticked in flag.because
                for flag in assessment.red_flags
            ), answers


def test_no_red_flag_fires_when_nothing_is_known(ruleset):
    assessment = evaluate(answers={}, ruleset=ruleset)
    assert assessment.red_flags == ()
    assert assessment.urgency == "self_care"


@pytest.mark.django_db
def test_every_red_flag_cites_a_source_and_a_guidance_row():
    for flag in RedFlag.objects.prefetch_related("sources"):
        assert flag.sources.exists(), flag.slug
        assert GUIDANCE_ROW.match(flag.guidance_row), (flag.slug, flag.guidance_row)
        assert flag.why_it_matters.strip(), flag.slug


@pytest.mark.django_db
def test_every_red_flag_says_what_to_do_in_the_words_of_its_urgency():
    for flag in RedFlag.objects.all():
        assert ACTION_WORDS[flag.urgency] in flag.action, flag.slug


@pytest.mark.django_db
def test_emergency_red_flags_come_first():
    ranks = [URGENCY_RANK[u] for u in RedFlag.objects.values_list("urgency", flat=True)]
    assert ranks == sorted(ranks, reverse=True)
