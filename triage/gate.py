"""
The safety gate: every admin save or delete of content (the working draft) is judged against the
clinical safety cases before it is committed, and so is every release before it is published
(``judge_release``: approving the draft, or rolling back to an earlier release).

The admin captures a ``Baseline`` (the case results and the reviewer-only fields) before a change,
makes the change inside a transaction, then calls ``judge``. A change is refused (the admin rolls
it back) when it would leave a case with a lower urgency than expected, when the content would
no longer load (criteria naming a fact or value that no longer exists), or when someone who is
not a clinical reviewer changed a field only reviewers may change, whatever the route (change
form, inline, revert or recover). A change that only raises urgency or reorders causes is allowed;
the cases it changes are listed as a warning.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from triage.criteria import CriteriaError
from triage.models import (
    Cause,
    Choice,
    EvidenceRule,
    Question,
    QuestionGroup,
    RedFlag,
    SafetyCase,
    Source,
    Topic,
    Urgency,
)
from triage.rules import URGENCY_RANK
from triage.safety import CaseResult, CaseSpec, check_case
from triage.selectors import ContentSnapshot, build_snapshot, snapshot_from_data

# Fields that only a clinical reviewer may change: the clinical logic, urgency levels, the
# questionnaire's structure and the sign-off date. An editor's change to any of them is refused
# here, and the admin shows them read-only to editors (triage.admin.base.ContentAdmin).
REVIEWER_ONLY_FIELDS = {
    Source: ("slug",),
    Topic: ("slug", "kind", "order"),
    # Which questions are asked as one list, and where: a tick is yes and no tick is no.
    QuestionGroup: ("slug", "topic", "order"),
    Question: (
        "slug",
        "topic",
        "order",
        "kind",
        "min_value",
        "max_value",
        "allow_not_sure",
        "ask_when",
        "group",
    ),
    Choice: ("question", "value"),
    RedFlag: ("slug", "urgency", "criteria", "last_reviewed"),
    Cause: ("slug", "urgency", "order", "last_reviewed"),
    EvidenceRule: (
        "slug",
        "cause",
        "criteria",
        "direction",
        "strength",
        "statement",
        "order",
    ),
}
# Sources play no part in the rules: editors add and remove them; only their slug is fixed.
EDITORS_ADD_AND_REMOVE = (Source,)

CLINICAL_PERMISSION = "triage.change_clinical_logic"
SIGN_OFF_PERMISSION = "triage.sign_off_content"


def is_reviewer(user) -> bool:
    return user.has_perm(CLINICAL_PERMISSION)


def _fingerprint() -> dict[tuple[str, int], tuple]:
    rows = {}
    for model, fields in REVIEWER_ONLY_FIELDS.items():
        for values in model.objects.values_list("pk", *fields):
            rows[(model._meta.label_lower, values[0])] = values[1:]
    return rows


def _visible_answers(answers: dict, snapshot: ContentSnapshot) -> dict:
    """
    Drop the answers to questions the questionnaire would now skip for this case (their
    condition is definitely false), so a change to a skip condition is judged like a rule.
    """
    kept = dict(answers)
    for topic in snapshot.topics:
        for question in topic.questions:
            asked = question.ask_when is None or question.ask_when(kept)[0] is not False
            if question.fact in kept and not asked:
                del kept[question.fact]
    return kept


def run_cases(snapshot: ContentSnapshot, cases: Iterable[SafetyCase] | None = None):
    """Every safety case (or those given) checked against the snapshot's rules."""
    if cases is None:
        cases = SafetyCase.objects.order_by("slug")
    results = []
    for case in cases:
        spec = CaseSpec.from_model(case)
        visible = _visible_answers(dict(spec.answers), snapshot)
        if visible != dict(spec.answers):
            spec = replace(spec, answers=visible)
        results.append(check_case(spec, snapshot.ruleset))
    return results


def _outcome(result: CaseResult) -> tuple:
    assessment = result.assessment
    return (
        assessment.urgency,
        tuple(cause.slug for cause in assessment.causes),
        tuple(flag.slug for flag in assessment.red_flags),
    )


def urgency_label(value: str) -> str:
    return str(Urgency(value).label) if value in Urgency.values else value


@dataclass(frozen=True)
class Baseline:
    """The content as it was before a change."""

    fingerprint: dict
    results: dict[str, CaseResult] | None

    @classmethod
    def capture(cls) -> "Baseline":
        try:
            results = {r.case.slug: r for r in run_cases(build_snapshot())}
        except CriteriaError:
            results = None  # already broken: every case is judged on its own after the change
        return cls(_fingerprint(), results)


@dataclass
class Verdict:
    # Judging a release (approve or roll back) rather than a save: the reasons say "not published".
    publishing: bool = False
    invalid: str = ""
    forbidden: list[str] = field(default_factory=list)
    under_triaged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.invalid or self.forbidden or self.under_triaged)

    def errors(self) -> list[str]:
        """The reasons for a refusal, one line each, ready for a form error."""
        lines = []
        if self.invalid:
            problem = (
                _("Not published: the content would no longer work: %(problem)s")
                if self.publishing
                else _("Not saved: the content would no longer work: %(problem)s")
            )
            lines.append(problem % {"problem": self.invalid})
        if self.forbidden:
            lines.append(
                _("Not saved: only a clinical reviewer may change %(fields)s.")
                % {"fields": "; ".join(self.forbidden)}
            )
        if self.under_triaged:
            lines.append(
                _(
                    "Not published: these safety cases would get a lower urgency than expected. "
                    "Nothing was changed."
                )
                if self.publishing
                else _(
                    "Not saved: these safety cases would get a lower urgency than expected. "
                    "Nothing was changed."
                )
            )
            lines.extend(self.under_triaged)
        return lines


class ChangeRefused(Exception):
    def __init__(self, verdict: Verdict):
        super().__init__("; ".join(verdict.errors()))
        self.verdict = verdict


def _field_label(label: str, field_name: str) -> str:
    model = {m._meta.label_lower: m for m in REVIEWER_ONLY_FIELDS}[label]
    return f"{model._meta.verbose_name} {model._meta.get_field(field_name).verbose_name}"


def _forbidden_changes(before: dict, after: dict) -> list[str]:
    changes = []
    for key in sorted(before.keys() | after.keys()):
        label = key[0]
        model = {m._meta.label_lower: m for m in REVIEWER_ONLY_FIELDS}[label]
        if model in EDITORS_ADD_AND_REMOVE and (key not in before or key not in after):
            continue
        if key not in before:
            changes.append(_("a new %(model)s") % {"model": model._meta.verbose_name})
        elif key not in after:
            changes.append(_("the removal of a %(model)s") % {"model": model._meta.verbose_name})
        else:
            fields = REVIEWER_ONLY_FIELDS[model]
            for name, old, new in zip(fields, before[key], after[key], strict=True):
                if old != new:
                    changes.append(_field_label(label, name))
    return list(dict.fromkeys(changes))


def judge(baseline: Baseline, *, reviewer: bool) -> Verdict:
    """Judge the content as it is now (inside the uncommitted change) against ``baseline``."""
    verdict = Verdict()
    if not reviewer:
        verdict.forbidden = _forbidden_changes(baseline.fingerprint, _fingerprint())
    try:
        after = run_cases(build_snapshot())
    except CriteriaError as error:
        verdict.invalid = str(error)
        return verdict
    _compare(baseline.results, after, verdict)
    return verdict


def judge_release(live: ContentSnapshot, data: dict) -> tuple[Verdict, list[CaseResult]]:
    """
    Judge content given as plain data (the draft, or an earlier release to roll back to) against
    the live release, as a save is judged against the content before it: the same refusals.
    """
    verdict = Verdict(publishing=True)
    try:
        before = {r.case.slug: r for r in run_cases(live)}
    except CriteriaError:
        before = None
    try:
        after = run_cases(snapshot_from_data(data))
    except CriteriaError as error:
        verdict.invalid = str(error)
        return verdict, []
    _compare(before, after, verdict)
    return verdict, after


def _compare(before_results: dict | None, after: list[CaseResult], verdict: Verdict) -> None:
    for result in after:
        before = (before_results or {}).get(result.case.slug)
        got, expected = URGENCY_RANK[result.urgency], URGENCY_RANK[result.case.expected_urgency]
        # A case that was already under-triaged does not block unrelated changes, as long as
        # this change does not make it worse; any new under-triage is refused.
        worse = before is None or not before.under_triaged or got < URGENCY_RANK[before.urgency]
        if got < expected and worse:
            verdict.under_triaged.append(
                _("%(title)s (%(row)s): expected %(expected)s, would get %(got)s")
                % {
                    "title": result.case.title,
                    "row": result.case.guidance_row,
                    "expected": urgency_label(result.case.expected_urgency),
                    "got": urgency_label(result.urgency),
                }
            )
        elif before is not None and _outcome(before) != _outcome(result):
            verdict.changed.append(describe_change(before, result))


def describe_change(before: CaseResult, after: CaseResult) -> str:
    parts = []
    if before.urgency != after.urgency:
        parts.append(
            _("urgency %(before)s → %(after)s")
            % {"before": urgency_label(before.urgency), "after": urgency_label(after.urgency)}
        )
    old_causes = [c.slug for c in before.assessment.causes]
    new_causes = [c.slug for c in after.assessment.causes]
    if old_causes != new_causes:
        parts.append(
            _("causes %(before)s → %(after)s")
            % {"before": ", ".join(old_causes) or "-", "after": ", ".join(new_causes) or "-"}
        )
    old_flags = [f.slug for f in before.assessment.red_flags]
    new_flags = [f.slug for f in after.assessment.red_flags]
    if old_flags != new_flags:
        parts.append(
            _("red flags %(before)s → %(after)s")
            % {"before": ", ".join(old_flags) or "-", "after": ", ".join(new_flags) or "-"}
        )
    return _("%(title)s: %(changes)s") % {
        "title": after.case.title,
        "changes": "; ".join(parts),
    }
