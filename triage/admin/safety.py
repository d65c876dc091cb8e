"""The safety cases: edited by clinical reviewers, and run against the current content."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from triage import gate
from triage.admin.forms import SafetyCaseForm
from triage.criteria import CriteriaError
from triage.models import SafetyCase
from triage.safety import safety_report
from triage.selectors import build_snapshot


@admin.register(SafetyCase)
class SafetyCaseAdmin(VersionAdmin):
    form = SafetyCaseForm
    change_list_template = "admin/triage/safetycase/change_list.html"
    list_display = ("title", "slug", "expected_urgency", "atypical", "guidance_row")
    list_filter = ("expected_urgency", "atypical")
    search_fields = ("title", "slug", "guidance_row", "notes")
    history_latest_first = True

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "run/",
                self.admin_site.admin_view(self.run_view),
                name=f"{opts.app_label}_{opts.model_name}_run",
            ),
            *super().get_urls(),
        ]

    def run_view(self, request):
        """
        Every case against the draft content as it is now: the clinical figures (the same table
        as ``manage.py cases``), then each case, pass or fail, and what differs.
        """
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        error = ""
        cases = list(SafetyCase.objects.order_by("slug"))
        results = []
        try:
            results = gate.run_cases(build_snapshot(), cases)
        except CriteriaError as problem:
            error = str(problem)
        report = safety_report(results)
        failed = report.failures
        pks = {case.slug: case.pk for case in cases}
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run the safety cases"),
            "opts": self.model._meta,
            "rows": [
                (result, pks[result.case.slug])
                for result in sorted(results, key=lambda r: (r.passed, r.case.slug))
            ],
            "total": len(results),
            "failed_count": len(failed),
            "passed_count": len(results) - len(failed),
            "under_triaged_count": sum(1 for r in failed if r.under_triaged),
            "figure_rows": report.rows,
            "atypical_count": report.atypical_count,
            "error": error,
        }
        return TemplateResponse(request, "admin/triage/safetycase/run.html", context)
