"""
Clinical safety cases, checked against a RuleSet. Pure: the admin, the tests and the save gate
all call ``check_case``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from triage.rules import URGENCY_RANK, Assessment, RuleSet, evaluate


@dataclass(frozen=True, slots=True)
class CaseSpec:
    slug: str
    title: str
    guidance_row: str
    answers: Mapping[str, object]
    expected_urgency: str
    expected_top_causes: tuple[str, ...] = ()
    expected_red_flags: tuple[str, ...] = ()
    absent_red_flags: tuple[str, ...] = ()

    @classmethod
    def from_model(cls, case) -> "CaseSpec":
        return cls(
            slug=case.slug,
            title=case.title,
            guidance_row=case.guidance_row,
            answers=dict(case.answers),
            expected_urgency=case.expected_urgency,
            expected_top_causes=tuple(case.expected_top_causes or ()),
            expected_red_flags=tuple(case.expected_red_flags or ()),
            absent_red_flags=tuple(case.absent_red_flags or ()),
        )


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: CaseSpec
    assessment: Assessment
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def urgency(self) -> str:
        return self.assessment.urgency

    @property
    def under_triaged(self) -> bool:
        """The urgency came out lower than the case expects: never allowed."""
        return URGENCY_RANK[self.urgency] < URGENCY_RANK[self.case.expected_urgency]

    @property
    def top_cause(self) -> str | None:
        return self.assessment.causes[0].slug if self.assessment.causes else None


def check_case(case: CaseSpec, ruleset: RuleSet) -> CaseResult:
    assessment = evaluate(answers=case.answers, ruleset=ruleset)
    problems = []
    if assessment.urgency != case.expected_urgency:
        problems.append(f"urgency is {assessment.urgency}, expected {case.expected_urgency}")
    top = assessment.causes[0].slug if assessment.causes else None
    if case.expected_top_causes and top not in case.expected_top_causes:
        expected = " or ".join(case.expected_top_causes)
        problems.append(f"top cause is {top or 'none'}, expected {expected}")
    fired = {flag.slug for flag in assessment.red_flags}
    for slug in case.expected_red_flags:
        if slug not in fired:
            problems.append(f"red flag {slug} did not fire")
    for slug in case.absent_red_flags:
        if slug in fired:
            problems.append(f"red flag {slug} fired but should stay quiet")
    return CaseResult(case, assessment, tuple(problems))


def check_cases(cases: Iterable[CaseSpec], ruleset: RuleSet) -> list[CaseResult]:
    return [check_case(case, ruleset) for case in cases]
