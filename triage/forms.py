"""
One form per questionnaire step, built from the questions that apply to the answers so far.

Forms only validate and turn the posted values into answers. They are rendered by our own small
markup builder (``FieldView.html``), not crispy-forms: its Bootstrap 5 pack does not give the
GOV.UK pattern (a fieldset and legend for every radio group, the hint and the "Error:"-prefixed
message linked by aria-describedby) without overriding every template anyway.

Each field's markup is built here once per request (``FieldView.html``) rather than by a template
include per question: includes and per-option tags were most of a step page's cost. The markup is
the GOV.UK pattern the templates used to produce, tag for tag; step.html's {% spaceless %} still
applies to it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from django import forms
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from triage.html import esc
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

    @property
    def described_by(self) -> str:
        ids = []
        if self.hint:
            ids.append(f"{self.name}-hint")
        if self.errors:
            ids.append(f"{self.name}-error")
        return " ".join(ids)

    def html(self) -> SafeString:
        """
        The field's markup. A field with nothing of the person in it (no value, nothing
        ticked) is built once per distinct field, error and language; a field holding an
        answer is built for its request only, so that no answer is kept after it.
        """
        if self.value or any(option.checked for option in self.options):
            return self.build_html()
        return _field_html(self, get_language())

    def build_html(self) -> SafeString:
        """The field's markup: a fieldset of radios or checkboxes, or a labelled number input."""
        # Plain concatenation of escaped parts: format_html per attribute cost more than the rest
        # of the page. Every value from content or input goes through esc().
        name = esc(self.name)
        errors = self.errors
        parts = [
            '<div class="form-group form-group--error">' if errors else '<div class="form-group">'
        ]
        hint = f'<div class="hint" id="{name}-hint">{esc(self.hint)}</div>' if self.hint else ""
        if errors:
            prefix = esc(_("Error:"))
            messages = "".join(
                f'<p class="error-message" id="{name}-error">'
                f'<span class="visually-hidden">{prefix}</span> {esc(error)}</p>'
                for error in errors
            )
        else:
            messages = ""
        described = self.described_by
        described_attr = f' aria-describedby="{esc(described)}"' if described else ""
        if self.kind == "number":
            field_id = esc(self.id)
            parts.append(
                f'<label class="label" for="{field_id}">{esc(self.label)}</label>{hint}{messages}'
                '<div class="input-wrapper"><input class="input input--width-4'
                f'{" input--error" if errors else ""}" id="{field_id}" name="{name}"'
                # A text input with a numeric keyboard, as the GOV.UK design system advises:
                # type="number" changes the value on a scroll and reads badly in screen readers.
                ' type="text" inputmode="numeric" spellcheck="false"'
            )
            parts.append(f' autocomplete="off" value="{esc(self.value)}"{described_attr}>')
            if self.unit:
                parts.append(f'<span class="input__suffix">{esc(self.unit)}</span>')
            parts.append("</div>")
        else:
            checkboxes = self.kind == "checkboxes"
            options = self.options
            parts.append(
                f"<fieldset{described_attr}><legend>{esc(self.label)}</legend>{hint}{messages}"
            )
            if checkboxes:
                parts.append('<div class="checkboxes" data-module="checkboxes">')
                kind, hint_class = "checkbox", "hint checkboxes__hint"
            else:
                inline = len(options) == 2 or (len(options) == 3 and options[0].value == "yes")
                parts.append(
                    '<div class="radios radios--inline">' if inline else '<div class="radios">'
                )
                kind, hint_class = "radio", "hint radios__hint"
            for option in options:
                option_id = esc(option.id)
                if option.exclusive:
                    parts.append(f'<div class="checkboxes__divider">{esc(_("or"))}</div>')
                parts.append(
                    f'<div><input id="{option_id}" name="{name}" type="{kind}"'
                    f' value="{esc(option.value)}"'
                )
                if option.checked:
                    parts.append(" checked")
                if option.exclusive:
                    parts.append(' data-behaviour="exclusive"')
                if option.hint:
                    parts.append(f' aria-describedby="{option_id}-hint"')
                parts.append(f'><label for="{option_id}">{esc(option.label)}</label>')
                if option.hint:
                    parts.append(
                        f'<div class="{hint_class}" id="{option_id}-hint">{esc(option.hint)}</div>'
                    )
                parts.append("</div>")
            parts.append("</div></fieldset>")
        if self.why_we_ask:
            parts.append(
                f'<details class="details"><summary>{esc(_("Why we ask this"))}</summary>'
                f"<div>{linebreaksbr(self.why_we_ask, autoescape=True)}</div></details>"
            )
        parts.append("</div>")
        return mark_safe("".join(parts))  # noqa: S308 (every variable part escaped above)


@lru_cache(maxsize=4096)
def _field_html(view: FieldView, language: str | None) -> SafeString:
    # A FieldView is frozen and holds its texts, so an edited question is a new key; the
    # language is part of the key for the translated words ("Error:", "or", "Why we ask this").
    # Only fields without an answer come here (FieldView.html).
    return view.build_html()


# (id of the question, language) -> (the question, its form field). The question itself is kept
# so that its id cannot be reused by another object while the entry exists.
_FIELDS: dict[tuple[int, str | None], tuple[QuestionInfo, forms.Field]] = {}
_FIELDS_MAX = 2000  # far more than one snapshot's questions in every language


def _question_field(question: QuestionInfo) -> forms.Field:
    """
    A question's form field, built once per snapshot and language and shared by every form that
    asks it: building one cost more than the rest of a POST. Sharing is safe because a StepForm
    never changes its fields after building them, and cleaning a value changes nothing in the
    field (the forms are only validated, never rendered by Django).
    """
    key = (id(question), get_language())
    entry = _FIELDS.get(key)
    if entry is not None and entry[0] is question:
        return entry[1]
    label = question.short_label or question.text
    field: forms.Field
    if question.kind == "integer":
        message = _range_message(question)
        field = forms.IntegerField(
            min_value=question.min_value,
            max_value=question.max_value,
            error_messages={
                "required": _("Enter %(label)s") % {"label": label.lower()},
                "invalid": message,
                "min_value": message,
                "max_value": message,
            },
        )
    else:
        if question.kind == "boolean":
            choices = [(YES, _("Yes")), (NO, _("No"))]
            if question.allow_not_sure:
                choices.append((NOT_SURE, _("Not sure")))
        else:
            choices = [(choice.value, choice.label) for choice in question.choices]
        message = _("Select an answer for ‘%(label)s’") % {"label": label}
        field = forms.ChoiceField(
            choices=choices,
            error_messages={"required": message, "invalid_choice": message},
        )
    if len(_FIELDS) >= _FIELDS_MAX:
        # Content changed many times in this process: drop the old snapshots' entries.
        _FIELDS.clear()
    _FIELDS[key] = (question, field)
    return field


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
            self.fields[question.fact] = _question_field(question)

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
        return cls(data, topic=topic, questions=questions).valid_alone()

    def valid_alone(self) -> dict:
        """The answers among the posted data that are valid on their own, ignoring the others."""
        if self.is_checklist:
            # One field for every sign: whether one sign stands alone depends on the others.
            result: dict[str, object] = {}
            for question in self.questions:
                form = type(self)(self.data, topic=self.topic, questions=[question])
                if form.is_valid():
                    result.update(form.answers())
            return result
        # Each field is cleaned on its own and the form adds no cross-field check, so the
        # fields without errors are exactly those that a one-question form would accept.
        self.is_valid()
        result = {}
        for question in self.questions:
            if question.fact in self.errors or question.fact not in self.cleaned_data:
                continue
            value = self.cleaned_data[question.fact]
            if question.kind == "boolean":
                result[question.fact] = {YES: True, NO: False}.get(value)
            else:
                result[question.fact] = value
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
