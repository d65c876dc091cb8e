"""
One form per questionnaire step, built from the questions that apply to the answers so far.

Forms validate the posted values and turn them into answers. crispy-forms renders them through
the site's own template pack, ``govuk`` (templates/govuk/), in the GOV.UK question pattern: a
fieldset and legend for every group of radios or checkboxes, the hint and the "Error:" message
linked by aria-describedby, an error summary linking to each field's first input. What those
templates need besides Django's own field data (why we ask, a choice's hint, the exclusive
"None of these", inline yes/no radios, a unit) is set here, on the fields and their widgets.
"""

from collections.abc import Mapping

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext as _

from triage.criteria import NOT_SURE
from triage.selectors import QuestionInfo, TopicInfo

YES = "yes"
NO = "no"
NONE_OF_THESE = "none"
CHECKLIST_FIELD = "signs"


class Choices:
    """A radio or checkbox group whose options may each have a hint, and one may be exclusive."""

    def __init__(self, *args, hints: Mapping[str, str] | None = None, exclusive=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hints = dict(hints or {})
        self.exclusive = exclusive

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["hint"] = self.hints.get(str(value), "")
        option["exclusive"] = value == self.exclusive
        return option


class Radios(Choices, forms.RadioSelect):
    def __init__(self, *args, inline: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.inline = inline


class Checkboxes(Choices, forms.CheckboxSelectMultiple):
    pass


class WholeNumber(forms.TextInput):
    """
    A text input with a numeric keyboard, as the GOV.UK design system advises: type="number"
    changes the value on a scroll and reads badly in screen readers.
    """

    def __init__(self, *args, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit


class QuestionBoundField(BoundField):
    """A question as the template pack shows it: the ids that link its parts together."""

    @property
    def first_input_id(self) -> str:
        """The id the error summary links to: the field's first radio, checkbox or input."""
        if isinstance(self.field.widget, forms.RadioSelect):
            return self.subwidgets[0].id_for_label if self.subwidgets else self.auto_id
        return self.auto_id

    @property
    def hint_id(self) -> str:
        return f"{self.html_name}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.html_name}-error"

    @property
    def described_by(self) -> str:
        ids = []
        if self.help_text:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def why_we_ask(self) -> str:
        return getattr(self.field, "why_we_ask", "")


class Question:
    """A form field for a question: what the person is told about why it is asked."""

    bound_field_class = QuestionBoundField

    def __init__(self, *args, why_we_ask: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.why_we_ask = why_we_ask


class ChoiceQuestion(Question, forms.ChoiceField):
    widget = Radios


class SignsQuestion(Question, forms.MultipleChoiceField):
    widget = Checkboxes


class NumberQuestion(Question, forms.IntegerField):
    widget = WholeNumber


def _question_field(question: QuestionInfo) -> forms.Field:
    label = question.short_label or question.text
    common = {"label": question.text, "help_text": question.hint, "why_we_ask": question.why_we_ask}
    if question.kind == "integer":
        message = _range_message(question)
        return NumberQuestion(
            min_value=question.min_value,
            max_value=question.max_value,
            widget=WholeNumber(unit=question.unit),
            error_messages={
                "required": _("Enter %(label)s") % {"label": label.lower()},
                "invalid": message,
                "min_value": message,
                "max_value": message,
            },
            **common,
        )
    if question.kind == "boolean":
        choices = [(YES, _("Yes")), (NO, _("No"))]
        if question.allow_not_sure:
            choices.append((NOT_SURE, _("Not sure")))
    else:
        choices = [(choice.value, choice.label) for choice in question.choices]
    # Yes and no (and "Not sure"), or any two choices, fit on one line.
    inline = len(choices) == 2 or (len(choices) == 3 and choices[0][0] == YES)
    message = _("Select an answer for ‘%(label)s’") % {"label": label}
    return ChoiceQuestion(
        choices=choices,
        widget=Radios(inline=inline, hints={c.value: c.hint for c in question.choices}),
        error_messages={"required": message, "invalid_choice": message},
        **common,
    )


def _signs_field(questions: list[QuestionInfo]) -> forms.Field:
    """The emergency checklist: one checkbox for each sign, then the exclusive "None of these"."""
    message = _("Select the signs you have, or select 'None of these'")
    return SignsQuestion(
        choices=[(q.fact, q.text) for q in questions] + [(NONE_OF_THESE, _("None of these"))],
        widget=Checkboxes(hints={q.fact: q.hint for q in questions}, exclusive=NONE_OF_THESE),
        label=_("Select any you have now, with your calf pain"),
        help_text=_("Select all that apply."),
        why_we_ask=_(
            "With calf pain, each of these signs can mean something serious, such as a blood clot "
            "that has moved to the lungs, a blocked artery or a spreading infection, that needs "
            "help at once. We ask about them first so no time is lost."
        ),
        error_messages={"required": message, "invalid_choice": message},
    )


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

    def __init__(
        self, *args, topic: TopicInfo, questions: list[QuestionInfo], action: str = "", **kwargs
    ):
        self.topic = topic
        self.questions = questions
        self.is_checklist = topic.kind == "checklist"
        super().__init__(*args, **kwargs)
        if self.is_checklist:
            self.fields[CHECKLIST_FIELD] = _signs_field(questions)
        else:
            for question in questions:
                self.fields[question.fact] = _question_field(question)
        self.helper = FormHelper()
        self.helper.attrs = {"action": action, "novalidate": True}
        self.helper.add_input(Submit("continue", _("Continue")))

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
        return {q.fact: _answer(q, data[q.fact]) for q in self.questions}

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
        return {
            q.fact: _answer(q, self.cleaned_data[q.fact])
            for q in self.questions
            if q.fact not in self.errors and q.fact in self.cleaned_data
        }

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


def _answer(question: QuestionInfo, value: object) -> object:
    """A cleaned value as the answer stored: yes and no as true and false, "Not sure" as such."""
    if question.kind == "boolean":
        return {YES: True, NO: False}.get(value, NOT_SURE)
    return value
