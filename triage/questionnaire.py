"""
The step registry: which questions are asked on which page, in what order, and which are skipped.

Pure functions over a ContentSnapshot (``triage.selectors.get_content()``) and an answers dict
``{fact: value}`` as kept in the session. A step is a Topic; it is skipped when none of its
questions applies to the answers so far. "Not sure" is stored as ``None``: it counts as answered,
but is left out of what the rules service sees, exactly like a question never asked.

Views, the check-answers page, the results page and tests all decide the next step here, and
``assess`` builds the rules-service input in one place, so the website and ``manage.py assess``
agree for the same answers.
"""

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from triage.rules import Assessment, evaluate
from triage.selectors import ContentSnapshot, QuestionInfo, TopicInfo

CHECKLIST = "checklist"


def get_step(snapshot: ContentSnapshot, slug: str) -> TopicInfo | None:
    for topic in snapshot.topics:
        if topic.slug == slug:
            return topic
    return None


def applicable_questions(topic: TopicInfo, answers: Mapping[str, object]) -> list[QuestionInfo]:
    return [question for question in topic.questions if question.applies(answers)]


def is_skipped(topic: TopicInfo, answers: Mapping[str, object]) -> bool:
    return not applicable_questions(topic, answers)


def is_answered(topic: TopicInfo, answers: Mapping[str, object]) -> bool:
    """Every question of the step that applies has an answer (possibly "Not sure")."""
    return all(question.fact in answers for question in applicable_questions(topic, answers))


def active_steps(snapshot: ContentSnapshot, answers: Mapping[str, object]) -> list[TopicInfo]:
    """The steps this person is asked, in order."""
    return [topic for topic in snapshot.topics if not is_skipped(topic, answers)]


def first_unanswered_step(
    snapshot: ContentSnapshot, answers: Mapping[str, object]
) -> TopicInfo | None:
    """The first step with a question that applies and has no answer; None when all are done."""
    for topic in snapshot.topics:
        if not is_answered(topic, answers):
            return topic
    return None


def next_step(
    snapshot: ContentSnapshot, answers: Mapping[str, object], after: TopicInfo
) -> TopicInfo | None:
    """The step asked after ``after``; None when ``after`` is the last."""
    steps = active_steps(snapshot, answers)
    for position, topic in enumerate(steps):
        if topic.slug == after.slug:
            return steps[position + 1] if position + 1 < len(steps) else None
    # ``after`` is skipped for these answers: continue from where it would sit.
    later = [t for t in steps if _order(snapshot, t) > _order(snapshot, after)]
    return later[0] if later else None


def previous_step(
    snapshot: ContentSnapshot, answers: Mapping[str, object], before: TopicInfo
) -> TopicInfo | None:
    """The step asked before ``before``; None for the first."""
    earlier = [
        t for t in active_steps(snapshot, answers) if _order(snapshot, t) < _order(snapshot, before)
    ]
    return earlier[-1] if earlier else None


def is_reachable(snapshot: ContentSnapshot, answers: Mapping[str, object], step: TopicInfo) -> bool:
    """A step can be shown when every step before it has been answered."""
    first = first_unanswered_step(snapshot, answers)
    return first is None or _order(snapshot, step) <= _order(snapshot, first)


def _order(snapshot: ContentSnapshot, topic: TopicInfo) -> int:
    for position, candidate in enumerate(snapshot.topics):
        if candidate.slug == topic.slug:
            return position
    return len(snapshot.topics)


def prune(snapshot: ContentSnapshot, answers: Mapping[str, object]) -> dict[str, object]:
    """
    Only the answers to questions that still apply, with values the content still allows.

    Changing "statin" to no drops "statin_started_recently"; an answer whose question or choice
    an editor removed is dropped too, so the question is asked again. Repeated until nothing
    changes, because one dropped answer can make another question stop applying.
    """
    facts = snapshot.ruleset.facts
    current = dict(answers)
    while True:
        kept: dict[str, object] = {}
        for fact, value in current.items():
            question = snapshot.questions.get(fact)
            spec = facts.get(fact)
            if question is None or spec is None or not question.applies(current):
                continue
            if value is not None:
                try:
                    spec.check(value)
                except ValueError:
                    continue
            kept[fact] = value
        if kept == current:
            return kept
        current = kept


def evaluation_input(snapshot: ContentSnapshot, answers: Mapping[str, object]) -> dict:
    """What the rules service sees: pruned answers without the "Not sure" ones."""
    return {fact: value for fact, value in prune(snapshot, answers).items() if value is not None}


# The last assessment made on this thread: a request asks for the same answers' assessment up
# to three times (the view, the resume check, the redirect's next page), and evaluating is costly.
_last = threading.local()


def assess(snapshot: ContentSnapshot, answers: Mapping[str, object]) -> Assessment:
    try:
        # Types too: True == 1, but they are different answers.
        key = frozenset((fact, type(value), value) for fact, value in answers.items())
    except TypeError:  # an unhashable answer: nothing to remember it by
        key = None
    cached = getattr(_last, "entry", None)
    # The snapshot is compared by identity: a new snapshot (content changed) is a new entry.
    if key is not None and cached is not None and cached[0] is snapshot and cached[1] == key:
        return cached[2]
    assessment = evaluate(answers=evaluation_input(snapshot, answers), ruleset=snapshot.ruleset)
    if key is not None:
        _last.entry = (snapshot, key, assessment)
    return assessment


def display_answer(question: QuestionInfo, value: object) -> str:
    """An answer in the words the person chose."""
    if value is None:
        return _("Not sure")
    if question.kind == "boolean":
        return _("Yes") if value else _("No")
    if question.kind == "choice":
        return question.label_for(value)
    if question.unit:
        return f"{value} {question.unit}"
    return str(value)


@dataclass(frozen=True, slots=True)
class AnswerRow:
    label: str
    answer: str


@dataclass(frozen=True, slots=True)
class AnsweredStep:
    topic: TopicInfo
    rows: tuple[AnswerRow, ...]


def answered_steps(snapshot: ContentSnapshot, answers: Mapping[str, object]) -> list[AnsweredStep]:
    """The answers given, step by step, for check-your-answers and the printed summary."""
    result = []
    for topic in active_steps(snapshot, answers):
        questions = applicable_questions(topic, answers)
        if topic.kind == CHECKLIST:
            asked = [q for q in questions if q.fact in answers]
            if not asked:
                continue
            ticked = [q for q in asked if answers[q.fact]]
            if ticked:
                rows = tuple(AnswerRow(q.short_label, _("Yes")) for q in ticked)
            else:
                rows = (AnswerRow(topic.title, _("None of these")),)
            result.append(AnsweredStep(topic, rows))
            continue
        rows = tuple(
            AnswerRow(q.short_label, display_answer(q, answers[q.fact]))
            for q in questions
            if q.fact in answers
        )
        if rows:
            result.append(AnsweredStep(topic, rows))
    return result
