"""
The base of every content admin: history and revert (django-reversion), the fields only a
clinical reviewer may change, and the safety gate around every save, revert, recover and delete.
"""

from django.contrib import messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import quote
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin

from triage import gate


def _refusal_form(form_class, verdict: gate.Verdict):
    """The same form, made invalid with the gate's reasons so the admin shows them."""

    class RefusedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            for line in verdict.errors():
                self.add_error(None, line)
            return cleaned

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


class ContentAdmin(VersionAdmin):
    """
    A change is made inside the admin's transaction, judged by ``triage.gate`` and rolled back
    if refused; the form is then shown again with the reasons. The gate runs for every route
    that writes (add, change, inline, revert, recover, delete), so a crafted POST cannot skip it.
    """

    history_latest_first = True

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Read-only to anyone who is not a clinical reviewer. On an add page (only sources, for
        # editors) every field is needed.
        if obj is not None and not gate.is_reviewer(request.user):
            reviewer_only = gate.REVIEWER_ONLY_FIELDS.get(self.model, ())
            fields += [name for name in reviewer_only if name not in fields]
        return fields

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Bulk deletes would skip the per-object gate; deleting one at a time is judged.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        verdict = getattr(request, "_content_refusal", None)
        return form if verdict is None else _refusal_form(form, verdict)

    # The gate.

    def _capture_baseline(self, request) -> None:
        if not hasattr(request, "_content_baseline"):
            request._content_baseline = gate.Baseline.capture()

    def _judge(self, request) -> None:
        verdict = gate.judge(request._content_baseline, reviewer=gate.is_reviewer(request.user))
        if verdict.refused:
            raise gate.ChangeRefused(verdict)
        if verdict.changed:
            messages.warning(
                request,
                format_html(
                    "{}<ul>{}</ul>",
                    _("Saved. This change alters the result of these safety cases:"),
                    format_html_join("", "<li>{}</li>", ((line,) for line in verdict.changed)),
                ),
            )

    def _gated(self, view, request, *args):
        if request.method != "POST":
            return view(request, *args)
        self._capture_baseline(request)
        try:
            return view(request, *args)
        except gate.ChangeRefused as refused:
            # Everything was rolled back; show the form again, invalid, with the reasons.
            request._content_refusal = refused.verdict
            return view(request, *args)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._judge(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._judge(request)

    # The views that write.

    def add_view(self, request, form_url="", extra_context=None):
        return self._gated(super().add_view, request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._gated(super().change_view, request, object_id, form_url, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # The baseline is taken before the old version is written back.
        return self._gated(super().revision_view, request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        return self._gated(super().recover_view, request, version_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            self._capture_baseline(request)
        try:
            return super().delete_view(request, object_id, extra_context)
        except gate.ChangeRefused as refused:
            for line in refused.verdict.errors():
                messages.error(request, line)
            opts = self.model._meta
            return redirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(object_id)],
                    current_app=self.admin_site.name,
                )
            )
