"""
Clinical safety cases, checked against a RuleSet, and the clinical figures of a run. Pure: the
admin, the ``cases`` command, the tests and the save gate all call ``check_case`` and
``clinical_figures``.

A case passes when all of these hold:

- the urgency is exactly the expected urgency;
- if the case names expected causes, at least one of them is among the first three causes of the
  ranking (the three the results page shows);
- every expected red flag fired, and no absent (near-miss) red flag fired.

The figures (``FIGURES``) are the ones published evaluations of symptom checkers report, each a
share of cases: a numerator over a denominator, both counted from the case results. Each row says
exactly which cases it counts; ``definition`` is the same text the README gives.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from triage.rules import (
    EMERGENCY,
    SELF_CARE,
    SOON,
    URGENCY_RANK,
    URGENT,
    Assessment,
    RuleSet,
    evaluate,
)

TOP_CAUSES = 3  # the causes the results page shows, and the "top 3" of the figures


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
    atypical: bool = False

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
            atypical=case.atypical,
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
    def over_triaged(self) -> bool:
        return URGENCY_RANK[self.urgency] > URGENCY_RANK[self.case.expected_urgency]

    @property
    def top_causes(self) -> tuple[str, ...]:
        return tuple(cause.slug for cause in self.assessment.causes[:TOP_CAUSES])

    @property
    def top_1_hit(self) -> bool:
        return expected_cause_ranked(self.assessment, self.case.expected_top_causes, 1)

    @property
    def top_3_hit(self) -> bool:
        return expected_cause_ranked(self.assessment, self.case.expected_top_causes, TOP_CAUSES)


def expected_cause_ranked(assessment: Assessment, expected: Sequence[str], within: int) -> bool:
    """One of the ``expected`` cause slugs is among the first ``within`` ranked causes."""
    return any(cause.slug in expected for cause in assessment.causes[:within])


def check_case(case: CaseSpec, ruleset: RuleSet) -> CaseResult:
    assessment = evaluate(answers=case.answers, ruleset=ruleset)
    problems = []
    if assessment.urgency != case.expected_urgency:
        problems.append(f"urgency is {assessment.urgency}, expected {case.expected_urgency}")
    top = [cause.slug for cause in assessment.causes[:TOP_CAUSES]]
    expected_causes = case.expected_top_causes
    if expected_causes and not expected_cause_ranked(assessment, expected_causes, TOP_CAUSES):
        expected = " or ".join(case.expected_top_causes)
        problems.append(
            f"top {TOP_CAUSES} causes are {', '.join(top) or 'none'}, expected {expected}"
        )
    fired = {flag.slug for flag in assessment.red_flags}
    for slug in case.expected_red_flags:
        if slug not in fired:
            problems.append(f"red flag {slug} did not fire")
    for slug in case.absent_red_flags:
        if slug in fired:
            problems.append(f"red flag {slug} fired but should stay quiet")
    return CaseResult(case, assessment, tuple(problems))


# ---- The clinical figures ----


@dataclass(frozen=True, slots=True)
class Published:
    """A figure from a published evaluation, shown beside ours for comparison."""

    source: str
    percent: int


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """One row of the figures: which cases it counts (``counts``) and which of them score."""

    key: str
    label: str  # lazily translated, like definition
    definition: str
    counts: Callable[[CaseResult], bool]
    scores: Callable[[CaseResult], bool]
    published: tuple[Published, ...] = ()
    # The figure is a failure when it is this direction of zero: an under-triage rate must be 0.
    lower_is_better: bool = False


@dataclass(frozen=True, slots=True)
class Figure:
    spec: FigureSpec
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        """The share as a percentage, or None when no case is counted."""
        return 100 * self.numerator / self.denominator if self.denominator else None

    @property
    def text(self) -> str:
        if self.percent is None:
            return "-"
        return f"{self.percent:.0f} % ({self.numerator}/{self.denominator})"


def _expects(level: str) -> Callable[[CaseResult], bool]:
    return lambda r: r.case.expected_urgency == level


def _has_causes(r: CaseResult) -> bool:
    return bool(r.case.expected_top_causes)


def _at_or_above(r: CaseResult) -> bool:
    return URGENCY_RANK[r.urgency] >= URGENCY_RANK[r.case.expected_urgency]


def _every(r: CaseResult) -> bool:
    return True


SEMIGRAN = "Semigran 2015"
HILL = "Hill 2020"
GILBERT_GPS = "Gilbert 2020, GPs"


def _under(level: str, label, definition) -> FigureSpec:
    return FigureSpec(
        f"under_triage_{level}",
        label,
        definition,
        _expects(level),
        lambda r: r.under_triaged,
        (),
        True,
    )


def _over(level: str, label, definition) -> FigureSpec:
    return FigureSpec(
        f"over_triage_{level}",
        label,
        definition,
        _expects(level),
        lambda r: r.over_triaged,
        (),
        True,
    )


# The rows, in the order they are shown. A further figure is one more FigureSpec here.
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "passed",
        _("Cases passed"),
        _(
            "cases passing every check (urgency exact, an expected cause in the top 3, expected "
            "red flags fired, near-miss red flags quiet) / all cases"
        ),
        _every,
        lambda r: r.passed,
    ),
    FigureSpec(
        "urgency_exact",
        _("Urgency exact"),
        _("cases given exactly the expected urgency / all cases"),
        _every,
        lambda r: r.urgency == r.case.expected_urgency,
        (Published(SEMIGRAN, 57), Published(HILL, 49)),
    ),
    FigureSpec(
        "safe_advice",
        _("Safe advice (not under-triaged)"),
        _("cases given the expected urgency or a higher one / all cases"),
        _every,
        _at_or_above,
        (Published(GILBERT_GPS, 97),),
    ),
    FigureSpec(
        "under_triage",
        _("Under-triage, all cases"),
        _("cases given a lower urgency than expected / all cases"),
        _every,
        lambda r: r.under_triaged,
        lower_is_better=True,
    ),
    _under(
        EMERGENCY,
        _("Under-triage, emergency cases"),
        _("emergency cases given a lower urgency / emergency cases"),
    ),
    _under(
        URGENT,
        _("Under-triage, urgent cases"),
        _("urgent cases given soon or self care / urgent cases"),
    ),
    _under(SOON, _("Under-triage, soon cases"), _("soon cases given self care / soon cases")),
    FigureSpec(
        "over_triage",
        _("Over-triage, all cases"),
        _("cases given a higher urgency than expected / all cases"),
        _every,
        lambda r: r.over_triaged,
        lower_is_better=True,
    ),
    _over(URGENT, _("Over-triage, urgent cases"), _("urgent cases given emergency / urgent cases")),
    _over(
        SOON,
        _("Over-triage, soon cases"),
        _("soon cases given urgent or emergency / soon cases"),
    ),
    _over(
        SELF_CARE,
        _("Over-triage, self-care cases"),
        _("self care cases given soon, urgent or emergency / self care cases"),
    ),
    FigureSpec(
        "self_care_to_emergency",
        _("Self-care cases sent to emergency"),
        _("self care cases given emergency / self care cases"),
        _expects(SELF_CARE),
        lambda r: r.urgency == EMERGENCY,
        lower_is_better=True,
    ),
    FigureSpec(
        "sensitivity_emergency",
        _("Sensitivity for emergency"),
        _("emergency cases given emergency / emergency cases"),
        _expects(EMERGENCY),
        _at_or_above,
        (Published(SEMIGRAN, 80),),
    ),
    FigureSpec(
        "sensitivity_urgent",
        _("Sensitivity for urgent"),
        _("urgent cases given urgent or emergency / urgent cases"),
        _expects(URGENT),
        _at_or_above,
    ),
    FigureSpec(
        "specificity_self_care",
        _("Self-care specificity"),
        _("self care cases given self care / self care cases"),
        _expects(SELF_CARE),
        lambda r: r.urgency == SELF_CARE,
    ),
    FigureSpec(
        "top_1_cause",
        _("Top-1 cause"),
        _("cases whose first-ranked cause is an expected cause / cases that name expected causes"),
        _has_causes,
        lambda r: r.top_1_hit,
    ),
    FigureSpec(
        "top_3_cause",
        _("Top-3 cause"),
        _(
            "cases with an expected cause among the first 3 ranked causes / cases that name "
            "expected causes"
        ),
        _has_causes,
        lambda r: r.top_3_hit,
        (Published(GILBERT_GPS, 82),),
    ),
)


def clinical_figures(
    results: Sequence[CaseResult], specs: Sequence[FigureSpec] = FIGURES
) -> tuple[Figure, ...]:
    """Every figure of ``specs`` counted over ``results``."""
    figures = []
    for spec in specs:
        counted = [r for r in results if spec.counts(r)]
        figures.append(Figure(spec, sum(1 for r in counted if spec.scores(r)), len(counted)))
    return tuple(figures)


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One figure for every case, and the same for the atypical cases alone."""

    spec: FigureSpec
    all: Figure
    atypical: Figure


@dataclass(frozen=True, slots=True)
class SafetyReport:
    results: tuple[CaseResult, ...]
    rows: tuple[FigureRow, ...]

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    @property
    def serious_under_triage(self) -> tuple[CaseResult, ...]:
        """Emergency or urgent cases given a lower urgency: any one of them fails the run."""
        return tuple(
            r
            for r in self.results
            if r.under_triaged and r.case.expected_urgency in (EMERGENCY, URGENT)
        )

    @property
    def atypical_count(self) -> int:
        return sum(1 for r in self.results if r.case.atypical)


def safety_report(results: Iterable[CaseResult]) -> SafetyReport:
    """The figures of ``results``: for every case, and for the atypical cases alone."""
    results = tuple(results)
    every = clinical_figures(results)
    atypical = clinical_figures([r for r in results if r.case.atypical])
    rows = tuple(FigureRow(a.spec, a, b) for a, b in zip(every, atypical, strict=True))
    return SafetyReport(results, rows)
