"""Admin forms: criteria and safety-case answers are checked against the current questions."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from triage.criteria import CriteriaError, FactSpec, parse
from triage.models import Cause, EvidenceRule, Question, RedFlag, SafetyCase
from triage.rules import AnswerError, validate_answers
from triage.selectors import fact_specs

CRITERIA_HELP = _(
    "JSON. One of: "
    '{"fact": "swelling", "is": true} (the answer equals a value); '
    '{"fact": "sex", "in": ["female"]} (one of several values); '
    '{"fact": "age", "gte": 60} or {"fact": "age", "lte": 40} (whole numbers); '
    '{"all": [...]} (every one holds); {"any": [...]} (at least one holds); '
    '{"at_least": 2, "of": [...]} (at least that many hold). '
    "An unanswered fact is unknown, never 'no'."
)


def current_facts() -> dict[str, FactSpec]:
    return fact_specs(Question.objects.prefetch_related("choices"))


class CriteriaField(forms.JSONField):
    """A JSON criterion, parsed with ``triage.criteria`` against the facts that exist now."""

    def __init__(self, **kwargs):
        kwargs["help_text"] = CRITERIA_HELP
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "cols": 80}))
        super().__init__(**kwargs)

    def clean(self, value):
        data = super().clean(value)
        if not data and not self.required:
            return None  # an empty condition: always ask
        try:
            parse(data, current_facts())
        except CriteriaError as error:
            raise ValidationError(
                _("These criteria are not valid: %(problem)s"),
                code="invalid_criteria",
                params={"problem": error},
            ) from None
        return data


class CauseForm(forms.ModelForm):
    class Meta:
        model = Cause
        fields = [
            "slug",
            "title",
            "order",
            "urgency",
            "summary",
            "explanation",
            "self_care",
            "when_to_get_help",
            "sources",
            "last_reviewed",
            "next_review_due",
        ]

    def clean_last_reviewed(self):
        reviewed = self.cleaned_data.get("last_reviewed")
        if reviewed and reviewed > timezone.localdate():
            raise ValidationError(_("The last review cannot be in the future."))
        return reviewed


class RedFlagForm(forms.ModelForm):
    class Meta:
        model = RedFlag
        fields = [
            "slug",
            "title",
            "order",
            "urgency",
            "criteria",
            "guidance_row",
            "action",
            "why_it_matters",
            "safety_net",
            "sources",
            "last_reviewed",
            "next_review_due",
        ]
        field_classes = {"criteria": CriteriaField}

    clean_last_reviewed = CauseForm.clean_last_reviewed


class EvidenceRuleForm(forms.ModelForm):
    class Meta:
        model = EvidenceRule
        fields = ["slug", "cause", "criteria", "direction", "strength", "statement", "order"]
        field_classes = {"criteria": CriteriaField}


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "slug",
            "topic",
            "order",
            "kind",
            "text",
            "short_label",
            "hint",
            "why_we_ask",
            "unsure_words",
            "unit",
            "min_value",
            "max_value",
            "allow_not_sure",
            "ask_when",
            "group",
        ]
        field_classes = {"ask_when": CriteriaField}


def _slug_list(value, known: set[str], what: str) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_('Give a JSON list of slugs, e.g. ["dvt"].'))
    unknown = [item for item in value if item not in known]
    if unknown:
        raise ValidationError(
            _("Unknown %(what)s: %(slugs)s"), params={"what": what, "slugs": ", ".join(unknown)}
        )
    return value


class SafetyCaseForm(forms.ModelForm):
    class Meta:
        model = SafetyCase
        fields = [
            "slug",
            "title",
            "guidance_row",
            "answers",
            "expected_urgency",
            "expected_top_causes",
            "expected_red_flags",
            "absent_red_flags",
            "atypical",
            "notes",
        ]

    def clean_answers(self):
        answers = self.cleaned_data.get("answers")
        try:
            return validate_answers(answers, current_facts())
        except AnswerError as error:
            raise ValidationError(
                _("These answers are not valid: %(problem)s"), params={"problem": error}
            ) from None

    def clean_expected_top_causes(self):
        known = set(Cause.objects.values_list("slug", flat=True))
        return _slug_list(self.cleaned_data.get("expected_top_causes"), known, _("cause"))

    def clean_expected_red_flags(self):
        known = set(RedFlag.objects.values_list("slug", flat=True))
        return _slug_list(self.cleaned_data.get("expected_red_flags"), known, _("red flag"))

    def clean_absent_red_flags(self):
        known = set(RedFlag.objects.values_list("slug", flat=True))
        return _slug_list(self.cleaned_data.get("absent_red_flags"), known, _("red flag"))


def a_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
