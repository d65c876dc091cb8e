import dataclasses

from django.core.management.base import BaseCommand, CommandError

from triage import gate, questionnaire
from triage.criteria import CriteriaError
from triage.models import SafetyCase
from triage.safety import CaseSpec, SafetyReport, safety_report
from triage.selectors import build_snapshot


class Command(BaseCommand):
    help = (
        "Run every safety case against the content in the database and print the clinical "
        "figures (urgency exact, under- and over-triage, sensitivity, specificity, top-1 and "
        "top-3 cause) for all cases and for the atypical ones, beside published figures, then "
        "the failing cases. Exit status 1 if any emergency or urgent case is under-triaged."
    )

    def handle(self, *args, **options):
        try:
            # The content rows: the draft, which is what a reviewer approves next.
            content = build_snapshot()
            results = gate.run_cases(content)
        except CriteriaError as problem:
            raise CommandError(f"the content cannot be loaded: {problem}", returncode=2) from None
        report = safety_report(results)
        self.write_figures(report)
        self.write_journeys(content)
        self.write_failures(report)
        serious = report.serious_under_triage
        if serious:
            raise CommandError(
                f"{len(serious)} emergency or urgent case(s) under-triaged: "
                + ", ".join(r.case.slug for r in serious),
                returncode=1,
            )
        self.stdout.write("No emergency or urgent case is under-triaged.")

    def write_figures(self, report: SafetyReport) -> None:
        total = len(report.results)
        atypical = report.atypical_count
        self.stdout.write(
            f"Safety cases: {total}, of which {atypical} atypical, "
            "run against the content in the database."
        )
        self.stdout.write("")
        header = ("Figure", f"All ({total})", f"Atypical ({atypical})", "Published")
        lines = [header]
        for row in report.rows:
            published = "; ".join(f"{p.source}: {p.percent} %" for p in row.spec.published)
            lines.append((str(row.spec.label), row.all.text, row.atypical.text, published))
        widths = [max(len(line[i]) for line in lines) for i in range(3)]
        for line in lines:
            cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
            self.stdout.write(("  ".join([*cells, line[3]])).rstrip())
        self.stdout.write("")
        self.stdout.write("What each figure counts:")
        for row in report.rows:
            self.stdout.write(f"  {row.spec.label}: {row.spec.definition}")
        self.stdout.write("")

    def write_journeys(self, content) -> None:
        """Each case walked through the questionnaire, asked only what can still matter."""
        cases = [CaseSpec.from_model(case) for case in SafetyCase.objects.order_by("slug")]
        every_question = dataclasses.replace(content, criteria=None)
        short = questionnaire.walk_figures(questionnaire.walk(content, c.answers) for c in cases)
        every = questionnaire.walk_figures(
            questionnaire.walk(every_question, c.answers) for c in cases
        )
        self.stdout.write(
            f"Questionnaire: the {short.count} cases that do not end in an emergency, each\n"
            "answered question by question. A tick-all-that-apply list counts as one question\n"
            "each time it is shown, as the person answers it once (screens: from the first\n"
            "question page to the results, check your answers included). Goal: a median of\n"
            "at most 18 questions and 7 screens."
        )
        self.stdout.write("")
        lines = [
            ("Figure", "Median", "Largest", "Every question asked (median, largest)"),
            (
                "Questions asked",
                f"{short.questions_median:g}",
                str(short.questions_largest),
                f"{every.questions_median:g}, {every.questions_largest}",
            ),
            (
                "Screens",
                f"{short.screens_median:g}",
                str(short.screens_largest),
                f"{every.screens_median:g}, {every.screens_largest}",
            ),
        ]
        widths = [max(len(line[i]) for line in lines) for i in range(3)]
        for line in lines:
            cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
            self.stdout.write("  ".join([*cells, line[3]]).rstrip())
        self.stdout.write("")

    def write_failures(self, report: SafetyReport) -> None:
        failures = report.failures
        self.stdout.write(f"Failing cases: {len(failures)}")
        for result in failures:
            marks = []
            if result.under_triaged:
                marks.append("UNDER-TRIAGED")
            if result.case.atypical:
                marks.append("atypical")
            mark = f" [{', '.join(marks)}]" if marks else ""
            self.stdout.write(
                f"  {result.case.slug}{mark}: expected {result.case.expected_urgency}, "
                f"got {result.urgency}; {'; '.join(result.problems)}"
            )
        if failures:
            self.stdout.write("")
