"""
Content releases in the admin: the review page (the draft against what is live, the safety cases
on the draft, the reading level of changed text, a preview of the public journey), approving
the draft as the next release, and rolling back to an earlier one.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from triage import gate, review, services
from triage.criteria import CriteriaError
from triage.models import Release, SafetyCase
from triage.selectors import content_data, snapshot_from_data


def _case_table(live_snapshot, results) -> list[dict]:
    try:
        before = {r.case.slug: r for r in gate.run_cases(live_snapshot)}
    except CriteriaError:
        before = {}
    rows = []
    for result in sorted(results, key=lambda r: (r.passed, r.case.slug)):
        was = before.get(result.case.slug)
        rows.append(
            {
                "result": result,
                "live_urgency": gate.urgency_label(was.urgency) if was else "-",
                "urgency": gate.urgency_label(result.urgency),
                "expected": gate.urgency_label(result.case.expected_urgency),
                "changed": was is not None and was.urgency != result.urgency,
            }
        )
    return rows


def judged(live: Release | None, data: dict) -> dict:
    """The differences, reading levels and safety cases of ``data`` against the live release."""
    live_snapshot = services.live_snapshot(live)
    verdict, results = gate.judge_release(live_snapshot, data)
    changes = review.compare(live.content if live else None, data)
    cases = _case_table(live_snapshot, results)
    return {
        "live": live,
        "changes": changes,
        "hard_to_read": [(c, f) for c in changes for f in c.hard_to_read],
        "verdict": verdict,
        "cases": cases,
        "changed_cases": [row for row in cases if row["changed"]],
        "failed_count": sum(1 for r in results if not r.passed),
        "reading_age_target": review.READING_AGE_TARGET,
    }


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("__str__", "published_at", "approved_by", "author_names", "rollback_of")
    list_display_links = ("__str__",)
    change_list_template = "admin/triage/release/change_list.html"
    change_form_template = "admin/triage/release/change_form.html"
    fields = (
        "number",
        "published_at",
        "approved_by",
        "authors",
        "rollback_of",
        "note",
    )

    # Releases are made by approving or rolling back, never written in a form.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("authors"))
    def author_names(self, release):
        return ", ".join(user.get_username() for user in release.authors.all()) or "-"

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("approved_by").prefetch_related("authors")
        )

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        writes = require_http_methods(["GET", "HEAD", "POST"])
        return [
            path(
                "review/",
                self.admin_site.admin_view(writes(self.review_view)),
                name=f"{name}_review",
            ),
            path(
                "review/preview/",
                self.admin_site.admin_view(writes(self.preview_view)),
                name=f"{name}_preview",
            ),
            path(
                "<path:object_id>/rollback/",
                self.admin_site.admin_view(writes(self.rollback_view)),
                name=f"{name}_rollback",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "can_publish": services.can_publish(request.user),
            **extra,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        release = self.get_object(request, unquote(object_id))
        live = services.latest_release()
        extra = {
            "release": release,
            "can_roll_back": (
                release is not None
                and live is not None
                and release.number < live.number
                and services.can_publish(request.user)
            ),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def review_view(self, request):
        """The draft against what is live; approving it (a POST) publishes the next release."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._approve(request)
        live = services.latest_release()
        data = content_data()
        authors = services.draft_authors(live)
        is_author = any(author.pk == request.user.pk for author in authors)
        shown = judged(live, data)
        try:
            draft = snapshot_from_data(data)
        except CriteriaError:
            draft = None
        context = self._context(
            request,
            _("Review the draft"),
            **shown,
            authors=authors,
            is_author=is_author,
            unchanged=live is not None and live.content == data,
            digest=services.digest(data),
            topics=draft.topics if draft else (),
            safety_cases=SafetyCase.objects.order_by("title").only("slug", "title"),
        )
        return TemplateResponse(request, "admin/triage/release/review.html", context)

    def _approve(self, request):
        here = reverse("admin:triage_release_review", current_app=self.admin_site.name)
        if not services.can_publish(request.user):
            raise PermissionDenied
        try:
            release = services.approve(
                request.user,
                note=request.POST.get("note", "")[:2000],
                draft_digest=request.POST.get("digest", ""),
            )
        except services.PublishRefused as refused:
            for line in refused.lines:
                messages.error(request, line)
            return HttpResponseRedirect(here)
        messages.success(request, _("Release %(number)d is live.") % {"number": release.number})
        return HttpResponseRedirect(
            reverse(
                "admin:triage_release_change", args=[release.pk], current_app=self.admin_site.name
            )
        )

    def rollback_view(self, request, object_id):
        """Publish an earlier release's content again: a confirmation page, then a POST."""
        if not services.can_publish(request.user):
            raise PermissionDenied
        target = get_object_or_404(Release, pk=unquote(object_id))
        if request.method == "POST":
            try:
                release = services.roll_back(
                    request.user, to=target, note=request.POST.get("note", "")[:2000]
                )
            except services.PublishRefused as refused:
                for line in refused.lines:
                    messages.error(request, line)
                return HttpResponseRedirect(request.path)
            messages.success(
                request,
                _("Release %(number)d is live: the content of release %(target)d again.")
                % {"number": release.number, "target": target.number},
            )
            return HttpResponseRedirect(
                reverse(
                    "admin:triage_release_change",
                    args=[release.pk],
                    current_app=self.admin_site.name,
                )
            )
        live = services.latest_release()
        if live is None or target.number >= live.number:
            raise Http404(_("Only an earlier release can be rolled back to."))
        context = self._context(
            request,
            _("Roll back to release %(number)d") % {"number": target.number},
            **judged(live, target.content),
            target=target,
            draft_differs=content_data() != live.content,
        )
        return TemplateResponse(request, "admin/triage/release/rollback.html", context)

    def preview_view(self, request):
        from triage.admin.preview import preview

        if not self.has_view_permission(request):
            raise PermissionDenied
        return preview(request)
