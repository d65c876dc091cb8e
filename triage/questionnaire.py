"""
The step registry: which questions are asked on which page, in what order, and which are skipped.

Pure functions over a ContentSnapshot (``triage.selectors.get_content()``) and an answers dict
``{fact: value}`` as kept in the session; a ``Journey`` holds one set of answers for one request,
so that a view asking several of these questions works each out once. A step is a Topic; it is
skipped when none of its questions applies to the answers so far. "Not sure" is stored as the
value ``"not_sure"`` (``triage.criteria.NOT_SURE``): it counts as answered and reaches the rules
service, which reads it the safer way for a red flag (red-flags.md §1.6) and as unknown for
everything else. A question never asked has no answer at all.

Views, the check-answers page, the results page and tests all decide the next step here, and
``Journey.evaluation_input`` builds the rules-service input in one place, so the website and
``manage.py assess`` agree for the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from statistics import median

from django.utils.translation import gettext as _

from triage import rules
from triage.criteria import NOT_SURE
from triage.relevance import relevant_facts
from triage.rules import Assessment, evaluate
from triage.selectors import ContentSnapshot, QuestionInfo, TopicInfo

CHECKLIST = "checklist"


def get_step(snapshot: ContentSnapshot, slug: str) -> TopicInfo | None:
    for topic in snapshot.topics:
        if topic.slug == slug:
            return topic
    return None


def applicable_questions(topic: TopicInfo, answers: Mapping[str, object]) -> list[QuestionInfo]:
    if topic.unconditional:
        return list(topic.questions)
    return [question for question in topic.questions if question.applies(answers)]


def is_answered(topic: TopicInfo, answers: Mapping[str, object]) -> bool:
    """Every question of the step that applies has an answer (possibly "Not sure")."""
    return all(question.fact in answers for question in applicable_questions(topic, answers))


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a set of answers stands in the questionnaire: worked out in one pass."""

    active: tuple[TopicInfo, ...]  # the steps this person is asked, in order
    first_unanswered: TopicInfo | None
    order: dict[str, int]  # topic slug -> its position among all steps


class Journey:
    """
    One set of answers against one content snapshot, for one request: where it stands, whether
    it is an emergency, its assessment, each worked out once however often the view asks.
    ``answers`` are taken as given: ``Journey.of`` prunes them first.
    """

    def __init__(self, snapshot: ContentSnapshot, answers: Mapping[str, object]):
        self.snapshot = snapshot
        self.answers = answers

    @classmethod
    def of(cls, snapshot: ContentSnapshot, answers: Mapping[str, object]) -> Journey:
        """The journey of ``answers`` once those that no longer apply are dropped."""
        return cls(snapshot, prune(snapshot, answers))

    @cached_property
    def relevant(self) -> frozenset[str] | None:
        """
        The unanswered facts that can still change the outcome (``triage.relevance``); None
        when the content has no criteria trees, and then every question that applies is asked.
        """
        trees = self.snapshot.criteria
        return None if trees is None else relevant_facts(trees, self.answers)

    def applicable_questions(self, topic: TopicInfo) -> list[QuestionInfo]:
        """
        The questions of the step asked of this person: those that apply (their skip condition
        holds) and are answered already or can still change the outcome. The emergency
        checklist is asked in full.
        """
        questions = applicable_questions(topic, self.answers)
        relevant = self.relevant
        if relevant is None or topic.kind == CHECKLIST:
            return questions
        answers = self.answers
        return [q for q in questions if q.fact in answers or q.fact in relevant]

    def is_answered(self, topic: TopicInfo) -> bool:
        """Every question of the step asked of this person has an answer (maybe "Not sure")."""
        answers = self.answers
        return all(question.fact in answers for question in self.applicable_questions(topic))

    @cached_property
    def progress(self) -> Progress:
        active = []
        first_unanswered = None
        answers = self.answers
        for topic in self.snapshot.topics:
            questions = self.applicable_questions(topic)
            if questions:
                active.append(topic)
            if first_unanswered is None and not all(q.fact in answers for q in questions):
                first_unanswered = topic
        return Progress(
            tuple(active),
            first_unanswered,
            {topic.slug: position for position, topic in enumerate(self.snapshot.topics)},
        )

    @cached_property
    def evaluation_input(self) -> dict:
        """What the rules service sees: the answers, "Not sure" ones included."""
        return dict(self.answers)

    @cached_property
    def assessment(self) -> Assessment:
        return evaluate(answers=self.evaluation_input, ruleset=self.snapshot.ruleset)

    @property
    def is_emergency(self) -> bool:
        return self.assessment.is_emergency

    def first_unanswered_step(self) -> TopicInfo | None:
        """The first step with a question that applies and has no answer; None when all are."""
        return self.progress.first_unanswered

    def next_step(self, after: TopicInfo) -> TopicInfo | None:
        """The step asked after ``after``; None when ``after`` is the last."""
        steps = self.progress.active
        for position, topic in enumerate(steps):
            if topic.slug == after.slug:
                return steps[position + 1] if position + 1 < len(steps) else None
        # ``after`` is skipped for these answers: continue from where it would sit.
        later = [t for t in steps if self._order(t) > self._order(after)]
        return later[0] if later else None

    def previous_step(self, before: TopicInfo) -> TopicInfo | None:
        """The step asked before ``before``; None for the first."""
        earlier = [t for t in self.progress.active if self._order(t) < self._order(before)]
        return earlier[-1] if earlier else None

    def is_reachable(self, step: TopicInfo) -> bool:
        """A step can be shown when every step before it has been answered."""
        first = self.progress.first_unanswered
        return first is None or self._order(step) <= self._order(first)

    def _order(self, topic: TopicInfo) -> int:
        order = self.progress.order
        return order.get(topic.slug, len(order))

    def answered_steps(self) -> list[AnsweredStep]:
        """The answers given, step by step, for check-your-answers and the printed summary."""
        answers = self.answers
        words = Words.now()
        result = []
        for topic in self.progress.active:
            questions = self.applicable_questions(topic)
            if topic.kind == CHECKLIST:
                asked = [q for q in questions if q.fact in answers]
                if not asked:
                    continue
                ticked = [q for q in asked if answers[q.fact]]
                if ticked:
                    rows = tuple(AnswerRow(q.short_label, words.yes, q.fact) for q in ticked)
                else:
                    rows = (AnswerRow(topic.title, _("None of these")),)
                result.append(AnsweredStep(topic, rows))
                continue
            rows = tuple(
                AnswerRow(q.short_label, display_answer(q, answers[q.fact], words), q.fact)
                for q in questions
                if q.fact in answers
            )
            if rows:
                result.append(AnsweredStep(topic, rows))
        return result

    def facts_that_matter(self) -> list[str]:
        """
        The answers behind the result, in the order they count: those that fired a red flag
        (or left one open on "Not sure"), then those for and against the causes in the "more
        likely" and "possible" bands, most likely cause first.
        """
        assessment = self.assessment
        facts: list[str] = []
        for flag in assessment.red_flags:
            facts += flag.because
        for uncertain in assessment.uncertain:
            facts += uncertain.not_sure
        for cause in assessment.causes:
            if cause.band in (rules.MORE_LIKELY, rules.POSSIBLE):
                facts += cause.supporting_facts + cause.opposing_facts
        return [fact for fact in dict.fromkeys(facts) if fact in self.answers]


def prune(snapshot: ContentSnapshot, answers: Mapping[str, object]) -> dict[str, object]:
    """
    Only the answers to questions that still apply, with values the content still allows.

    Changing "statin" to no drops "statin_started_recently"; an answer whose question or choice
    an editor removed is dropped too, so the question is asked again. Repeated until nothing
    changes, because one dropped answer can make another question stop applying.
    """
    facts = snapshot.ruleset.facts
    # A "Not sure" kept by an older version as None.
    current = {fact: NOT_SURE if value is None else value for fact, value in answers.items()}
    while True:
        kept: dict[str, object] = {}
        for fact, value in current.items():
            question = snapshot.questions.get(fact)
            spec = facts.get(fact)
            if question is None or spec is None or not question.applies(current):
                continue
            try:
                spec.check(value)
            except ValueError:
                continue
            kept[fact] = value
        if kept == current:
            return kept
        current = kept


@dataclass(frozen=True, slots=True)
class Words:
    """The words of yes/no answers in the active language, translated once for many answers."""

    yes: str
    no: str
    not_sure: str

    @classmethod
    def now(cls) -> Words:
        return cls(_("Yes"), _("No"), _("Not sure"))


def display_answer(question: QuestionInfo, value: object, words: Words | None = None) -> str:
    """An answer in the words the person chose. ``words``: "Yes", "No", "Not sure" translated."""
    words = words or Words.now()
    if value is None or value == NOT_SURE:
        return words.not_sure
    if question.kind == "boolean":
        return words.yes if value else words.no
    if question.kind == "choice":
        return question.label_for(value)
    if question.unit:
        return f"{value} {question.unit}"
    return str(value)


@dataclass(frozen=True, slots=True)
class AnswerRow:
    label: str
    answer: str
    fact: str = ""  # "" for the checklist's "None of these"


@dataclass(frozen=True, slots=True)
class AnsweredStep:
    topic: TopicInfo
    rows: tuple[AnswerRow, ...]


def doubt_sentence(question: QuestionInfo | None, urgency: str, emergency_number: str) -> str:
    """
    "You were not sure whether [the sign], so to be safe [the action]." for a red flag fired
    on one "Not sure" answer (red-flags.md §1.6).
    """
    sign = (question.unsure_words if question else "") or _("one of the signs we asked about")
    if urgency == rules.EMERGENCY:
        return _(
            "You were not sure whether %(sign)s, so to be safe, call %(number)s or go to A&E now."
        ) % {"sign": sign, "number": emergency_number}
    return _("You were not sure whether %(sign)s, so to be safe, get medical help today.") % {
        "sign": sign
    }


def unsure_signs_sentence(
    snapshot: ContentSnapshot, flag: rules.UncertainFlag, emergency_number: str
) -> str:
    """The safety-net line for a flag that two or more "Not sure" answers left open (§1.6)."""
    signs = _(" or whether ").join(
        (snapshot.questions[f].unsure_words if f in snapshot.questions else "") or f
        for f in flag.not_sure
    )
    if flag.urgency == rules.EMERGENCY:
        return _(
            "You were not sure whether %(signs)s: if so, call %(number)s or go to A&E now."
        ) % {"signs": signs, "number": emergency_number}
    return _("You were not sure whether %(signs)s: if so, get medical help today.") % {
        "signs": signs
    }


@dataclass(frozen=True, slots=True)
class Walk:
    """A whole journey of someone who answers every question asked with the given facts."""

    answers: dict[str, object]  # what they answered (None: left unknown)
    pages: tuple[str, ...]  # the question pages shown, in order (one brought back is shown again)
    # Questions asked after the emergency checklist; a tick-all-that-apply list is one question
    # each time it is shown, as the person answers it once, whatever the number of its items,
    # and its "Which are you not sure about?" one more when an item of it is "Not sure".
    questions: int
    emergency: bool
    shown: tuple[tuple[int, int], ...] = ()  # each page's "Question page n of about m"

    @property
    def screens(self) -> int:
        """Pages from the first question page to the results, check your answers included."""
        return len(self.pages) + (0 if self.emergency else 1) + 1


def walk(snapshot: ContentSnapshot, facts: Mapping[str, object]) -> Walk:
    """
    Walk the questionnaire as a person whose answers are ``facts``: each question asked gets
    its value there (``"not_sure"`` included), until the results. A fact left out, or a value
    the question does not offer, is left unknown (None): neither yes nor no nor "Not sure", as
    when the rules service is given the facts alone.
    """
    answers: dict[str, object] = {}
    pages: list[str] = []
    shown: list[tuple[int, int]] = []
    questions = 0
    while True:
        # Not pruned, which would read an unknown answer as "Not sure": a walk only ever adds
        # answers with values the content allows, so pruning would drop nothing else.
        journey = Journey(snapshot, answers)
        step = None if journey.is_emergency else journey.first_unanswered_step()
        if step is None:
            return Walk(answers, tuple(pages), questions, journey.is_emergency, tuple(shown))
        pages.append(step.slug)
        steps = [topic.slug for topic in journey.progress.active]
        shown.append((steps.index(step.slug) + 1, len(steps)))
        asked = set()
        for question in journey.applicable_questions(step):
            if question.fact not in answers:
                value = answers[question.fact] = _answer(snapshot, question.fact, facts)
                asked.add(("group", question.group) if question.group else question.fact)
                if question.group and value == NOT_SURE:
                    # Its list's "Which are you not sure about?" is answered too.
                    asked.add(("not sure", question.group))
        questions += 0 if step.kind == CHECKLIST else len(asked)


@dataclass(frozen=True, slots=True)
class WalkFigures:
    """How long the walks that reach the results without an emergency were."""

    count: int
    questions_median: float
    questions_largest: int
    screens_median: float
    screens_largest: int


def walk_figures(walks: Iterable[Walk]) -> WalkFigures:
    ordinary = [w for w in walks if not w.emergency]
    questions = [w.questions for w in ordinary] or [0]
    screens = [w.screens for w in ordinary] or [0]
    return WalkFigures(
        len(ordinary), median(questions), max(questions), median(screens), max(screens)
    )


def _answer(snapshot: ContentSnapshot, fact: str, facts: Mapping[str, object]) -> object:
    value = facts.get(fact)
    try:
        snapshot.ruleset.facts[fact].check(value)
    except ValueError:
        return None
    return value
