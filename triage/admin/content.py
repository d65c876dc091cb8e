"""Admin pages for the content: sources, topics, questions, red flags, causes and their rules."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from triage import gate
from triage.admin.base import ContentAdmin
from triage.admin.forms import (
    CauseForm,
    EvidenceRuleForm,
    QuestionForm,
    RedFlagForm,
    a_year_after,
)
from triage.criteria import CriteriaError
from triage.models import (
    Cause,
    Choice,
    EvidenceRule,
    Question,
    QuestionGroup,
    RedFlag,
    Source,
    Topic,
)
from triage.results import CauseView
from triage.selectors import build_snapshot


class ReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Review overdue")),
            ("due_soon", _("Due within 30 days")),
            ("current", _("Not due yet")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=30)
        if self.value() == "overdue":
            # Never reviewed (a red flag with no date yet) counts as overdue.
            return queryset.filter(Q(next_review_due__lt=today) | Q(next_review_due__isnull=True))
        if self.value() == "due_soon":
            return queryset.filter(next_review_due__gte=today, next_review_due__lte=soon)
        if self.value() == "current":
            return queryset.filter(next_review_due__gt=soon)
        return queryset


@admin.register(Source)
class SourceAdmin(ContentAdmin):
    list_display = ("title", "publisher", "url", "to_confirm", "slug")
    list_filter = ("to_confirm",)
    search_fields = ("title", "publisher", "slug", "url")

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Sources play no part in the rules, so the usual bulk delete stays.
        return admin.ModelAdmin.get_actions(self, request, action_location=action_location)


@admin.register(Topic)
class TopicAdmin(ContentAdmin):
    list_display = ("title", "slug", "kind", "order")
    list_filter = ("kind",)
    search_fields = ("title", "slug", "intro")


@admin.register(QuestionGroup)
class QuestionGroupAdmin(ContentAdmin):
    """A tick-all-that-apply list; its items are the questions whose group it is."""

    list_display = ("slug", "legend", "topic", "order")
    list_filter = ("topic",)
    search_fields = ("slug", "legend", "hint")
    list_select_related = ("topic",)
    fields = ("slug", "topic", "order", "legend", "hint")


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ("value", "label", "hint", "order")

    def get_readonly_fields(self, request, obj=None):
        if gate.is_reviewer(request.user):
            return ()
        return [name for name in gate.REVIEWER_ONLY_FIELDS[Choice] if name in self.fields]


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    form = QuestionForm
    inlines = [ChoiceInline]
    list_display = ("slug", "text", "topic", "group", "kind", "order")
    list_filter = ("topic", "group", "kind")
    search_fields = ("slug", "text", "short_label", "hint", "why_we_ask")
    list_select_related = ("topic", "group")
    fieldsets = [
        (None, {"fields": ("slug", "topic", "order", "kind")}),
        (
            _("Wording"),
            {"fields": ("text", "short_label", "hint", "why_we_ask", "unsure_words", "unit")},
        ),
        (
            _("Logic"),
            {"fields": ("min_value", "max_value", "allow_not_sure", "ask_when", "group")},
        ),
    ]


class SignOffMixin:
    """The "Mark as reviewed today" action and the overdue column of causes and red flags."""

    @admin.display(boolean=True, description=_("review overdue"))
    def review_overdue(self, obj):
        return obj.next_review_due is None or obj.next_review_due < timezone.localdate()

    def has_sign_off_permission(self, request):
        return request.user.has_perm(gate.SIGN_OFF_PERMISSION)

    @admin.action(description=_("Mark as reviewed today"), permissions=["sign_off"])
    def mark_reviewed(self, request, queryset):
        today = timezone.localdate()
        for obj in queryset:
            obj.last_reviewed = today
            obj.next_review_due = a_year_after(today)
            obj.save(update_fields=["last_reviewed", "next_review_due"])
            self.log_change(request, obj, _("Marked as reviewed."))
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "%(count)d item marked as reviewed today.",
                "%(count)d items marked as reviewed today.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(RedFlag)
class RedFlagAdmin(SignOffMixin, ContentAdmin):
    form = RedFlagForm
    list_display = (
        "title",
        "slug",
        "urgency",
        "guidance_row",
        "order",
        "next_review_due",
        "review_overdue",
    )
    list_filter = ("urgency", ReviewFilter)
    search_fields = ("title", "slug", "action", "why_it_matters", "guidance_row")
    filter_horizontal = ("sources",)
    actions = ["mark_reviewed"]
    fieldsets = [
        (None, {"fields": ("slug", "title", "order")}),
        (_("Clinical logic"), {"fields": ("urgency", "criteria", "guidance_row")}),
        (
            _("Wording (Markdown)"),
            {"fields": ("action", "why_it_matters", "safety_net")},
        ),
        (_("Sources and review"), {"fields": ("sources", "last_reviewed", "next_review_due")}),
    ]


class EvidenceRuleInline(admin.StackedInline):
    model = EvidenceRule
    form = EvidenceRuleForm
    extra = 0
    fields = ("slug", "criteria", "direction", "strength", "statement", "order")


@admin.register(Cause)
class CauseAdmin(SignOffMixin, ContentAdmin):
    form = CauseForm
    inlines = [EvidenceRuleInline]
    list_display = (
        "title",
        "slug",
        "urgency",
        "last_reviewed",
        "next_review_due",
        "review_overdue",
    )
    list_filter = ("urgency", ReviewFilter)
    search_fields = ("title", "slug", "summary", "explanation")
    filter_horizontal = ("sources",)
    actions = ["mark_reviewed"]
    fieldsets = [
        (None, {"fields": ("slug", "title", "order", "urgency")}),
        (
            _("Wording (Markdown)"),
            {"fields": ("summary", "explanation", "self_care", "when_to_get_help")},
        ),
        (_("Sources and review"), {"fields": ("sources", "last_reviewed", "next_review_due")}),
    ]

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{opts.app_label}_{opts.model_name}_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id):
        """The cause as the public sees it, from the same snapshot the public pages read."""
        cause = self.get_object(request, unquote(object_id))
        if cause is None:
            raise Http404
        if not self.has_view_or_change_permission(request, cause):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(title)s") % {"title": cause.title},
            "opts": self.model._meta,
            "original": cause,
            **_preview(cause.slug),
        }
        return TemplateResponse(request, "admin/triage/cause/preview.html", context)


@admin.register(EvidenceRule)
class EvidenceRuleAdmin(ContentAdmin):
    form = EvidenceRuleForm
    list_display = ("slug", "cause", "direction", "strength", "statement")
    list_filter = ("cause", "direction", "strength")
    search_fields = ("slug", "statement", "cause__title")
    list_select_related = ("cause",)


def _preview(slug: str) -> dict:
    """
    The cause as the results page shows it (triage/cause.html), with every statement its rules
    can give: ``item`` (CauseView), from the draft; nothing when the draft's content does not
    load or has no such cause.
    """
    try:
        snapshot = build_snapshot()  # the draft: what this cause will look like once approved
    except CriteriaError:
        return {}
    info = snapshot.causes.get(slug)
    spec = next((c for c in snapshot.ruleset.causes if c.slug == slug), None)
    if info is None or spec is None:
        return {}
    item = CauseView(
        cause=info,
        band="",
        supporting=tuple(rule.statement for rule in spec.rules if rule.weight > 0),
        opposing=tuple(rule.statement for rule in spec.rules if rule.weight < 0),
    )
    return {"item": item}
