"""
One form per questionnaire step, built from the questions that apply to the answers so far.

Forms validate the posted values and turn them into answers. crispy-forms renders them through
the site's own template pack, ``govuk`` (templates/govuk/), in the GOV.UK question pattern: a
fieldset and legend for every group of radios or checkboxes, the hint and the "Error:" message
linked by aria-describedby, an error summary linking to each field's first input. What those
templates need besides Django's own field data (why we ask, a choice's hint, the exclusive
"None of these", inline yes/no radios, a unit, the follow-up questions revealed under a choice) is
set here, on the fields and their widgets.

A follow-up question can sit under the choice that brings it (the GOV.UK "conditional reveal"):
``reveals`` maps a question to the choice and the follow-ups under it. Its container is hidden,
and its inputs disabled, until that choice is made, which only the page script does; without
JavaScript a follow-up whose choice was not already made is never sent, and it is asked on a
page of its own. A form validates only the questions in ``asked`` (all by default): the view
decides, from what was posted, which of the follow-ups shown were asked.

A tick-all-that-apply list whose items offer "Not sure" also offers "I'm not sure about some of
these", which reveals a second list, "Which are you not sure about?": an item ticked there is
"Not sure". That second list is part of the same question, not a follow-up: it is sent with the
page whether or not the page script runs (without it, it is always shown, as GOV.UK shows a
conditional reveal), and leaving it empty is an answer.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils.translation import gettext as _

from triage.criteria import NOT_SURE
from triage.selectors import GroupInfo, QuestionInfo, TopicInfo

YES = "yes"
NO = "no"
NONE_OF_THESE = "none"
CHECKLIST_FIELD = "signs"
# A tick-all-that-apply group's field is named after its slug, apart from any fact name, and
# so is its list of the items the person is not sure about.
GROUP_FIELD = "group-%s"
UNSURE_FIELD = "group-%s-not-sure"
UNSURE = "not_sure"  # the list's "I'm not sure about some of these"
# Posted by a revealed follow-up's container (its inputs are disabled while it is hidden): the
# follow-up was shown, so an empty answer to it is an error, not a question for later.
REVEALED_FIELD = "revealed"
AGE = "age"


@dataclass(frozen=True, slots=True)
class Reveal:
    """The follow-up questions under one choice, and whether they are shown now."""

    id: str
    fields: list
    open: bool
    # Part of the question itself (a list's "Which are you not sure about?"): hidden until its
    # choice is made, but shown without JavaScript (css/noscript.css), and its inputs are sent
    # unless the page script holds them back while it is hidden.
    part_of_question: bool = False


@dataclass(frozen=True, slots=True)
class Option:
    """A radio or checkbox, with the follow-ups revealed when it is chosen (None if none)."""

    id: str
    value: str
    label: str
    checked: bool
    hint: str
    exclusive: bool  # "None of these": it unticks the others
    reveal: Reveal | None


class Choices:
    """A radio or checkbox group whose options may each have a hint, and one may be exclusive."""

    inline = False  # radios on one line (yes and no)

    def __init__(
        self, *args, hints: Mapping[str, str] | None = None, exclusive=None, unsure="", **kwargs
    ):
        """``unsure``: the name of the field the "I'm not sure about some of these" reveals."""
        super().__init__(*args, **kwargs)
        self.hints = dict(hints or {})
        self.exclusive = exclusive
        self.unsure = unsure


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
        options = self.options
        return options[0].id if options else self.auto_id

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

    @property
    def why_we_ask_items(self) -> list[tuple[str, str]]:
        """A list's items and why each is asked: (short label, reason)."""
        return getattr(self.field, "why_we_ask_items", [])

    @property
    def group_id(self) -> str:
        return f"question-{self.html_name}"

    @cached_property
    def options(self) -> list[Option]:
        """Each radio or checkbox, with the follow-up questions it reveals; none for an input."""
        widget = self.field.widget
        if not isinstance(widget, Choices):
            return []
        under = getattr(self.form, "reveals", {}).get(self.name, {})
        opened = getattr(self.form, "opened", frozenset())
        chosen = set(widget.format_value(self.value()))
        options = []
        for index, (value, label) in enumerate(self.field.choices):
            value = str(value)
            id_ = widget.id_for_label(self.auto_id, index)
            facts = under.get(value)
            reveal = None
            if facts:
                reveal = Reveal(
                    id=f"conditional-{id_}",
                    fields=[self.form[fact] for fact in facts],
                    open=any(fact in opened for fact in facts),
                )
            elif value == UNSURE and getattr(widget, "unsure", ""):
                reveal = Reveal(
                    id=f"conditional-{id_}",
                    fields=[self.form[widget.unsure]],
                    open=value in chosen,
                    part_of_question=True,
                )
            options.append(
                Option(
                    id=id_,
                    value=value,
                    label=str(label),
                    checked=value in chosen,
                    hint=widget.hints.get(value, ""),
                    exclusive=value == widget.exclusive,
                    reveal=reveal,
                )
            )
        return options

    @property
    def choices_class(self) -> str:
        """The GOV.UK class of its group of options: "radios" or "checkboxes"."""
        return "checkboxes" if self.field.widget.input_type == "checkbox" else "radios"

    @property
    def has_reveals(self) -> bool:
        under = getattr(self.form, "reveals", {}).get(self.name)
        return bool(under or getattr(self.field.widget, "unsure", ""))


class Question:
    """
    A form field for a question: what the person is told about why it is asked, and for a
    list, why each of its items is.
    """

    bound_field_class = QuestionBoundField

    def __init__(self, *args, why_we_ask: str = "", why_we_ask_items: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.why_we_ask = why_we_ask
        self.why_we_ask_items = why_we_ask_items or []


class ChoiceQuestion(Question, forms.ChoiceField):
    widget = Radios


class SignsQuestion(Question, forms.MultipleChoiceField):
    widget = Checkboxes


class NumberQuestion(Question, forms.IntegerField):
    widget = WholeNumber


@dataclass(frozen=True, slots=True)
class YesNo:
    """The choices of a yes-or-no question and the message when none is chosen, translated."""

    choices: tuple[tuple[str, str], ...]
    message: str

    @classmethod
    def now(cls, *, not_sure: bool) -> "YesNo":
        choices = [(YES, _("Yes")), (NO, _("No"))]
        if not_sure:
            choices.append((NOT_SURE, _("Not sure")))
        words = [label for _value, label in choices]
        message = _("Select %(choices)s") % {
            "choices": _(" or ").join([", ".join(words[:-1]), words[-1]]).lower()
        }
        return cls(tuple(choices), message)


def _question_field(question: QuestionInfo, yes_no: dict[bool, YesNo]) -> forms.Field:
    """``yes_no``: the words of yes-or-no questions, with and without "Not sure", made once."""
    label = question.short_label or question.text
    common = {"label": question.text, "help_text": question.hint, "why_we_ask": question.why_we_ask}
    if question.kind == "integer":
        return NumberQuestion(
            min_value=question.min_value,
            max_value=question.max_value,
            widget=WholeNumber(unit=question.unit),
            error_messages=_number_messages(question),
            **common,
        )
    if question.kind == "boolean":
        not_sure = question.allow_not_sure
        if not_sure not in yes_no:
            yes_no[not_sure] = YesNo.now(not_sure=not_sure)
        choices, message = list(yes_no[not_sure].choices), yes_no[not_sure].message
    else:
        choices = [(choice.value, choice.label) for choice in question.choices]
        message = _("Select an answer for ‘%(label)s’") % {"label": label}
    # Yes and no (and "Not sure"), or any two choices, fit on one line.
    inline = len(choices) == 2 or (len(choices) == 3 and choices[0][0] == YES)
    return ChoiceQuestion(
        choices=choices,
        widget=Radios(inline=inline, hints={c.value: c.hint for c in question.choices}),
        error_messages={"required": message, "invalid_choice": message},
        **common,
    )


def _tick_list(
    items: list[QuestionInfo],
    *,
    label: str,
    hint: str,
    message: str,
    why_we_ask: str = "",
    unsure: str = "",
) -> forms.Field:
    """
    Yes-or-no questions as one checkbox for each, then the exclusive "None of these": a
    ticked item is yes, an item shown and not ticked is no. ``unsure``: the field of the items
    the person is not sure about, brought by "I'm not sure about some of these" (none if "").
    """
    unsure_choice = [(UNSURE, _("I'm not sure about some of these"))] if unsure else []
    return SignsQuestion(
        choices=[(q.fact, q.text) for q in items]
        + unsure_choice
        + [(NONE_OF_THESE, _("None of these"))],
        widget=Checkboxes(
            hints={q.fact: q.hint for q in items}, exclusive=NONE_OF_THESE, unsure=unsure
        ),
        label=label,
        help_text=hint,
        why_we_ask=why_we_ask,
        # A list with a second list of the items not sure about is answered by either.
        required=not unsure,
        error_messages={"required": message, "invalid_choice": message},
    )


def _signs_field(questions: list[QuestionInfo]) -> forms.Field:
    """The emergency checklist: one checkbox for each sign, then the exclusive "None of these"."""
    return _tick_list(
        questions,
        label=_("Select any you have now, with your calf pain"),
        hint=_("Select all that apply."),
        message=_("Select the signs you have, or select 'None of these'"),
        why_we_ask=_(
            "With calf pain, each of these signs can mean something serious, such as a blood clot "
            "that has moved to the lungs, a blocked artery or a spreading infection, that needs "
            "help at once. We ask about them first so no time is lost."
        ),
    )


def _group_field(group: GroupInfo, items: list[QuestionInfo], unsure: str) -> forms.Field:
    """
    A question group: the items of it still asked, as one "Select all that apply", with why
    each item is asked.
    """
    field = _tick_list(
        items, label=group.legend, hint=group.hint, message=_group_message(), unsure=unsure
    )
    field.why_we_ask_items = [(q.short_label, q.why_we_ask) for q in items if q.why_we_ask]
    return field


def _group_message() -> str:
    return _("Select the ones you have, or select None of these")


def _unsure_field(items: list[QuestionInfo]) -> forms.Field:
    """A list's items that offer "Not sure", to tick those the person is not sure about."""
    message = _("Select the ones you are not sure about")
    return SignsQuestion(
        choices=[(q.fact, q.text) for q in items],
        widget=Checkboxes(),
        label=_("Which are you not sure about?"),
        help_text=_("Select all that apply."),
        required=False,
        error_messages={"invalid_choice": message},
    )


def _number_messages(question: QuestionInfo) -> dict[str, str]:
    """What to do when a whole number is missing, not a whole number or out of range."""
    low, high = question.min_value, question.max_value
    if question.fact == AGE:
        messages = {
            "required": _("Enter your age in years, for example 42"),
            "invalid": _("Enter your age as a whole number of years, for example 42"),
            # The check is for adults: a younger person is told where to get help instead.
            "min_value": _(
                "This check is for people aged %(min)s and over. If you are younger, ask a GP "
                "or %(service)s for help with your calf pain. In an emergency, call %(number)s."
            )
            % {
                "min": low,
                "service": settings.URGENT_CARE_SERVICE,
                "number": settings.EMERGENCY_NUMBER,
            },
            "max_value": _("Enter an age of %(max)s or less") % {"max": high},
        }
        return messages
    unit = question.unit or _("a whole number")
    messages = {
        "required": _("Enter the number of %(unit)s, for example 3") % {"unit": unit},
        "invalid": _("Enter the number of %(unit)s as a whole number, for example 3")
        % {"unit": unit},
    }
    if low is not None:
        messages["min_value"] = _("Enter %(min)s %(unit)s or more") % {"min": low, "unit": unit}
    if high is not None:
        # A longer time is not wrong, only more than the answer needs to tell: say what to enter.
        messages["max_value"] = _(
            "Enter %(max)s %(unit)s or fewer. If it is more than %(max)s %(unit)s, enter %(max)s"
        ) % {"max": high, "unit": unit}
    return messages


class StepForm(forms.Form):
    """The questions of one step that apply; ``answers()`` gives the validated answers."""

    def __init__(
        self,
        *args,
        topic: TopicInfo,
        questions: list[QuestionInfo],
        action: str = "",
        asked: Collection[str] | None = None,
        reveals: Mapping[str, Mapping[str, list[str]]] | None = None,
        opened: Collection[str] = (),
        earlier: Mapping | None = None,
        **kwargs,
    ):
        """``earlier``: the answers so far, shown in the fields (pre-filled when going back)."""
        self.topic = topic
        self.questions = questions
        self.is_checklist = topic.kind == "checklist"
        # The questions validated and answered: all of them unless the view says otherwise.
        self.asked = frozenset(q.fact for q in questions) if asked is None else frozenset(asked)
        # trigger fact -> its choice's value -> the follow-up facts revealed under that choice
        self.reveals = {fact: dict(values) for fact, values in (reveals or {}).items()}
        self.nested = frozenset(
            f for values in self.reveals.values() for fs in values.values() for f in fs
        )
        self.opened = frozenset(opened)
        super().__init__(*args, **kwargs)
        # field name -> the facts it answers: one for a question, several for a group's list.
        self.answered_by: dict[str, list[QuestionInfo]] = {}
        # a list's field -> the field of the items not sure about, for lists that have one
        self.unsure_fields: dict[str, str] = {}
        if self.is_checklist:
            self.answered_by[CHECKLIST_FIELD] = list(questions)
            self.fields[CHECKLIST_FIELD] = _signs_field(questions)
        else:
            for question in questions:
                group = topic.group_of(question)
                name = question.fact if group is None else GROUP_FIELD % group.slug
                self.answered_by.setdefault(name, []).append(question)
            yes_no: dict[bool, YesNo] = {}
            for name, items in self.answered_by.items():
                group = topic.group_of(items[0])
                if group is None:
                    self.fields[name] = _question_field(items[0], yes_no)
                    continue
                doubtful = [q for q in items if q.allow_not_sure]
                unsure = UNSURE_FIELD % group.slug if doubtful else ""
                self.fields[name] = _group_field(group, items, unsure)
                if unsure:
                    self.fields[unsure] = _unsure_field(doubtful)
                    self.unsure_fields[name] = unsure
                    self.nested |= {unsure}
        if earlier is not None:
            self.initial = self.initial_values(earlier)
        self.helper = FormHelper()
        self.helper.attrs = {"action": action, "novalidate": True}
        self.helper.add_input(Submit("continue", _("Continue")))

    @property
    def top_level(self) -> list[BoundField]:
        """The fields shown on the page itself; follow-ups are inside their choice's reveal."""
        return [field for field in self if field.name not in self.nested]

    def full_clean(self):
        super().full_clean()
        if not self.is_checklist and hasattr(self, "cleaned_data"):
            # A follow-up that was not asked is neither an error nor an answer.
            for name, items in self.answered_by.items():
                if not any(q.fact in self.asked for q in items):
                    for part in (name, self.unsure_fields.get(name)):
                        self._errors.pop(part, None)
                        self.cleaned_data.pop(part, None)

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            ticks = cleaned.get(name) if isinstance(field, SignsQuestion) else None
            # An item ticked in a list's second list counts as ticked with "None of these".
            doubts = cleaned.get(self.unsure_fields.get(name)) or []
            if ticks and NONE_OF_THESE in ticks and len(ticks) + len(doubts) > 1:
                self.add_error(name, _("Select 'None of these' on its own, or untick it"))
        for name, unsure in self.unsure_fields.items():
            if name not in cleaned or unsure not in cleaned:
                continue  # refused already
            ticks, doubts = cleaned[name], cleaned[unsure]
            if not ticks and not doubts:
                self.add_error(name, _group_message())
            elif UNSURE in ticks and not doubts:
                self.add_error(unsure, _("Select the ones you are not sure about"))
        return cleaned

    def _answers_of(self, name: str) -> dict[str, object]:
        """
        The answers a valid field gives: each of a list's items ticked or not, or ticked in
        its list of those not sure about (an item ticked in both is yes).
        """
        value = self.cleaned_data[name]
        items = self.answered_by[name]
        if isinstance(self.fields[name], SignsQuestion):
            doubts = self.cleaned_data.get(self.unsure_fields.get(name), ())
            return {
                q.fact: True if q.fact in value else (NOT_SURE if q.fact in doubts else False)
                for q in items
            }
        return {items[0].fact: _answer(items[0], value)}

    def answers(self) -> dict[str, object]:
        """The validated answers of this step, as stored in the session."""
        found: dict[str, object] = {}
        for name in self.answered_by:
            if name in self.cleaned_data:
                found.update(self._answers_of(name))
        if self.is_checklist:
            return found
        return {fact: value for fact, value in found.items() if fact in self.asked}

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
        # Each field is cleaned on its own and the form adds no cross-field check but a list's
        # own "None of these", so the fields without errors are those a form of one would take.
        self.is_valid()
        result = {}
        for name in self.answered_by:
            unsure = self.unsure_fields.get(name)
            if name in self.errors or (unsure and unsure in self.errors):
                continue
            if name in self.cleaned_data:
                result.update(self._answers_of(name))
        return result

    def ask(self, asked: Collection[str], *, opened: Collection[str]) -> None:
        """
        Only ``asked`` are validated and answered, and the follow-ups of ``opened`` are shown
        open: for a form whose posted data decided it (``valid_alone``). Cleans again; call it
        before the form is rendered.
        """
        self.asked = frozenset(asked)
        self.opened = frozenset(opened)
        self.full_clean()

    def initial_values(self, answers: Mapping) -> dict:
        """
        The earlier answers, as the form's initial values (pre-filled when going back). A list
        shows its items answered yes ticked, and "None of these" once every item has a no.
        """
        initial = {}
        for name, items in self.answered_by.items():
            asked = [q for q in items if q.fact in answers]
            if not asked:
                continue
            if isinstance(self.fields[name], SignsQuestion):
                ticked = [q.fact for q in asked if answers[q.fact] is True]
                doubts = [q.fact for q in asked if answers[q.fact] == NOT_SURE]
                if doubts and name in self.unsure_fields:
                    ticked.append(UNSURE)
                    initial[self.unsure_fields[name]] = doubts
                if ticked or len(asked) == len(items):
                    initial[name] = ticked or [NONE_OF_THESE]
            else:
                initial[name] = form_value(asked[0], answers[asked[0].fact])
        return initial


def form_value(question: QuestionInfo, value: object) -> str:
    """A stored answer as the form's choice sends it: true as "yes", "not_sure" as such."""
    if question.kind == "boolean":
        return {True: YES, False: NO}.get(value, NOT_SURE)
    return str(value)


def _answer(question: QuestionInfo, value: object) -> object:
    """A cleaned value as the answer stored: yes and no as true and false, "Not sure" as such."""
    if question.kind == "boolean":
        return {YES: True, NO: False}.get(value, NOT_SURE)
    return value
