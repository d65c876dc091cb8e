"""
One form per questionnaire step, built from the questions that apply to the answers so far.

Forms only validate and turn the posted values into answers. They are rendered by our own small
templates (templates/triage/fields/), not crispy-forms: its Bootstrap 5 pack does not give the
GOV.UK pattern (a fieldset and legend for every radio group, the hint and the "Error:"-prefixed
message linked by aria-describedby) without overriding every template anyway.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _

from triage.selectors import QuestionInfo, TopicInfo

YES = "yes"
NO = "no"
NOT_SURE = "not_sure"
NONE_OF_THESE = "none"
CHECKLIST_FIELD = "signs"


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    hint: str
    id: str
    checked: bool
    exclusive: bool = False


@dataclass(frozen=True, slots=True)
class FieldView:
    """What a field template needs: one question, its options, its value and its error."""

    name: str
    kind: str  # "radios" | "checkboxes" | "number"
    id: str  # the id the error summary links to (the first input)
    label: str
    hint: str
    why_we_ask: str
    options: tuple[Option, ...]
    value: str
    errors: tuple[str, ...]
    unit: str = ""
    min_value: int | None = None
    max_value: int | None = None

    @property
    def described_by(self) -> str:
        ids = []
        if self.hint:
            ids.append(f"{self.name}-hint")
        if self.errors:
            ids.append(f"{self.name}-error")
        return " ".join(ids)


def _range_message(question: QuestionInfo) -> str:
    low, high = question.min_value, question.max_value
    if low is not None and high is not None:
        return _("Enter a whole number from %(min)s to %(max)s") % {"min": low, "max": high}
    if low is not None:
        return _("Enter a whole number, %(min)s or more") % {"min": low}
    if high is not None:
        return _("Enter a whole number, %(max)s or less") % {"max": high}
    return _("Enter a whole number")


class StepForm(forms.Form):
    """The questions of one step that apply; ``answers()`` gives the validated answers."""

    def __init__(self, *args, topic: TopicInfo, questions: list[QuestionInfo], **kwargs):
        self.topic = topic
        self.questions = questions
        self.is_checklist = topic.kind == "checklist"
        super().__init__(*args, **kwargs)
        if self.is_checklist:
            choices = [(q.fact, q.text) for q in questions] + [(NONE_OF_THESE, _("None of these"))]
            self.fields[CHECKLIST_FIELD] = forms.MultipleChoiceField(
                choices=choices,
                error_messages={
                    "required": _("Select the signs you have, or select 'None of these'"),
                    "invalid_choice": _("Select the signs you have, or select 'None of these'"),
                },
            )
            return
        for question in questions:
            self.fields[question.fact] = self._field(question)

    @staticmethod
    def _field(question: QuestionInfo) -> forms.Field:
        label = question.short_label or question.text
        if question.kind == "integer":
            message = _range_message(question)
            return forms.IntegerField(
                min_value=question.min_value,
                max_value=question.max_value,
                error_messages={
                    "required": _("Enter %(label)s") % {"label": label.lower()},
                    "invalid": message,
                    "min_value": message,
                    "max_value": message,
                },
            )
        if question.kind == "boolean":
            choices = [(YES, _("Yes")), (NO, _("No"))]
            if question.allow_not_sure:
                choices.append((NOT_SURE, _("Not sure")))
        else:
            choices = [(choice.value, choice.label) for choice in question.choices]
        message = _("Select an answer for ‘%(label)s’") % {"label": label}
        return forms.ChoiceField(
            choices=choices, error_messages={"required": message, "invalid_choice": message}
        )

    def clean(self):
        cleaned = super().clean()
        signs = cleaned.get(CHECKLIST_FIELD) if self.is_checklist else None
        if signs and NONE_OF_THESE in signs and len(signs) > 1:
            self.add_error(CHECKLIST_FIELD, _("Select 'None of these' on its own, or untick it"))
        return cleaned

    def answers(self) -> dict[str, object]:
        """The validated answers of this step, as stored in the session."""
        data = self.cleaned_data
        if self.is_checklist:
            ticked = set(data[CHECKLIST_FIELD]) - {NONE_OF_THESE}
            return {q.fact: q.fact in ticked for q in self.questions}
        result: dict[str, object] = {}
        for question in self.questions:
            value = data[question.fact]
            if question.kind == "boolean":
                result[question.fact] = {YES: True, NO: False}.get(value)
            else:
                result[question.fact] = value
        return result

    @classmethod
    def valid_answers(cls, data, *, topic: TopicInfo, questions: list[QuestionInfo]) -> dict:
        """The answers among ``data`` that are valid on their own, ignoring the others."""
        result: dict[str, object] = {}
        for question in questions:
            form = cls(data, topic=topic, questions=[question])
            if form.is_valid():
                result.update(form.answers())
        return result

    @classmethod
    def initial_from(cls, questions: list[QuestionInfo], answers: Mapping, *, checklist: bool):
        """The earlier answers, as the form's initial values (pre-filled when going back)."""
        asked = [q for q in questions if q.fact in answers]
        if checklist:
            if not asked:
                return {}
            ticked = [q.fact for q in asked if answers[q.fact]]
            return {CHECKLIST_FIELD: ticked or [NONE_OF_THESE]}
        initial = {}
        for question in asked:
            value = answers[question.fact]
            if question.kind == "boolean":
                initial[question.fact] = {True: YES, False: NO}.get(value, NOT_SURE)
            else:
                initial[question.fact] = value
        return initial

    def field_views(self) -> list[FieldView]:
        """Everything the templates need to render each question in the GOV.UK pattern."""
        if self.is_checklist:
            bound = self[CHECKLIST_FIELD]
            selected = {str(v) for v in (bound.value() or [])}
            options = [
                Option(
                    q.fact,
                    q.text,
                    q.hint,
                    f"id_{CHECKLIST_FIELD}_{i}",
                    q.fact in selected,
                )
                for i, q in enumerate(self.questions)
            ]
            options.append(
                Option(
                    NONE_OF_THESE,
                    _("None of these"),
                    "",
                    f"id_{CHECKLIST_FIELD}_{len(self.questions)}",
                    NONE_OF_THESE in selected,
                    exclusive=True,
                )
            )
            return [
                FieldView(
                    name=CHECKLIST_FIELD,
                    kind="checkboxes",
                    id=f"id_{CHECKLIST_FIELD}_0",
                    label=_("Select any you have now, with your calf pain"),
                    hint=_("Select all that apply."),
                    why_we_ask=_(
                        "With calf pain, each of these signs can mean something serious, such as "
                        "a blood clot that has moved to the lungs, a blocked artery or a spreading "
                        "infection, that needs help at once. We ask about them first so no time "
                        "is lost."
                    ),
                    options=tuple(options),
                    value="",
                    errors=tuple(bound.errors),
                )
            ]
        views = []
        for question in self.questions:
            bound = self[question.fact]
            value = bound.value()
            value = "" if value is None else str(value)
            if question.kind == "integer":
                views.append(
                    FieldView(
                        name=question.fact,
                        kind="number",
                        id=f"id_{question.fact}",
                        label=question.text,
                        hint=question.hint,
                        why_we_ask=question.why_we_ask,
                        options=(),
                        value=value,
                        errors=tuple(bound.errors),
                        unit=question.unit,
                        min_value=question.min_value,
                        max_value=question.max_value,
                    )
                )
                continue
            hints = {c.value: c.hint for c in question.choices}
            options = tuple(
                Option(
                    str(choice_value),
                    str(choice_label),
                    hints.get(choice_value, ""),
                    f"id_{question.fact}_{i}",
                    value == str(choice_value),
                )
                for i, (choice_value, choice_label) in enumerate(self.fields[question.fact].choices)
            )
            views.append(
                FieldView(
                    name=question.fact,
                    kind="radios",
                    id=f"id_{question.fact}_0",
                    label=question.text,
                    hint=question.hint,
                    why_we_ask=question.why_we_ask,
                    options=options,
                    value=value,
                    errors=tuple(bound.errors),
                )
            )
        return views
