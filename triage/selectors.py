"""
Read the content from the database into frozen, ready-to-use objects.

``get_content()`` returns a ContentSnapshot: the RuleSet for ``rules.evaluate`` and everything the
pages show (topics, questions, causes, red flags with their sources, Markdown already rendered).
It is built in a fixed number of queries whatever the amount of content, kept in this process,
and rebuilt when the ContentVersion token changes: one small query per request tells every
process, on every app server, that an editor changed something.
"""

import threading
import uuid
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import F, Prefetch
from django.utils.safestring import SafeString

from triage import criteria
from triage.criteria import FactSpec, Test
from triage.markdown import localise, render_markdown
from triage.models import (
    Cause,
    Choice,
    ContentVersion,
    EvidenceRule,
    Question,
    RedFlag,
    Source,
    Topic,
)
from triage.rules import CauseSpec, EvidenceSpec, RedFlagSpec, RuleSet


@dataclass(frozen=True, slots=True)
class SourceInfo:
    slug: str
    title: str
    publisher: str
    url: str


@dataclass(frozen=True, slots=True)
class ChoiceInfo:
    value: str
    label: str
    hint: str


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    fact: str
    topic: str
    kind: str
    text: str
    short_label: str
    hint: str
    why_we_ask: str
    choices: tuple[ChoiceInfo, ...]
    min_value: int | None
    max_value: int | None
    unit: str
    allow_not_sure: bool
    ask_when: Test | None
    # The sign in plain words, for "You were not sure whether ..., so to be safe ...".
    unsure_words: str = ""

    def applies(self, answers) -> bool:
        """Asked only when its condition is definitely true (or it has none)."""
        return self.ask_when is None or self.ask_when(answers)[0] is True

    def label_for(self, value) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)


@dataclass(frozen=True, slots=True)
class TopicInfo:
    slug: str
    title: str
    intro: str
    kind: str
    questions: tuple[QuestionInfo, ...]
    # No question of this step has a condition: all of them apply, whatever the answers.
    unconditional: bool = False


@dataclass(frozen=True, slots=True)
class CauseInfo:
    slug: str
    title: str
    summary: str
    explanation: SafeString
    self_care: SafeString
    when_to_get_help: SafeString
    urgency: str
    sources: tuple[SourceInfo, ...]
    last_reviewed: date
    next_review_due: date


@dataclass(frozen=True, slots=True)
class RedFlagInfo:
    slug: str
    title: str
    urgency: str
    action: SafeString
    why_it_matters: SafeString
    safety_net: str
    sources: tuple[SourceInfo, ...]


@dataclass(frozen=True, slots=True)
class ContentSnapshot:
    token: str
    ruleset: RuleSet
    topics: tuple[TopicInfo, ...]
    questions: dict[str, QuestionInfo]
    causes: dict[str, CauseInfo]
    red_flags: dict[str, RedFlagInfo]


_lock = threading.Lock()
_snapshot: ContentSnapshot | None = None


def content_token() -> str:
    # Raw SQL: this runs on every request, and the ORM's queryset machinery cost ten times the
    # query itself. Same query as .values_list("token").first(): the row with the lowest id.
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    return (row[0] if row else None) or "empty"


# Names from the model, never from input.
_TOKEN_SQL = "SELECT {token} FROM {table} ORDER BY {pk} LIMIT 1".format(  # noqa: S608
    token=ContentVersion._meta.get_field("token").column,
    table=ContentVersion._meta.db_table,
    pk=ContentVersion._meta.pk.column,
)


def bump_content_version() -> None:
    """Tell every process that content changed (called from signals on every content write)."""
    token = uuid.uuid4().hex
    updated = ContentVersion.objects.update(token=token, counter=F("counter") + 1)
    if not updated:
        ContentVersion.objects.create(token=token, counter=1)


def get_content() -> ContentSnapshot:
    global _snapshot
    token = content_token()
    snapshot = _snapshot
    if snapshot is not None and snapshot.token == token:
        return snapshot
    with _lock:
        if _snapshot is None or _snapshot.token != token:
            _snapshot = build_snapshot(token)
        return _snapshot


def get_ruleset() -> RuleSet:
    return get_content().ruleset


def fact_specs(questions) -> dict[str, FactSpec]:
    """The FactSpec of each Question row (choices prefetched)."""
    return {
        q.slug: FactSpec(
            name=q.slug,
            kind=q.kind,
            choices=tuple(c.value for c in q.choices.all()),
            min_value=q.min_value,
            max_value=q.max_value,
            not_sure=q.kind == "boolean" and q.allow_not_sure,
        )
        for q in questions
    }


def _source(source: Source) -> SourceInfo:
    return SourceInfo(source.slug, source.title, source.publisher, source.url)


def build_snapshot(token: str = "") -> ContentSnapshot:
    """Everything from the database, in a fixed number of queries."""
    sources = Prefetch("sources", queryset=Source.objects.order_by("title"))
    topics = list(Topic.objects.order_by("order", "slug"))
    questions = list(
        Question.objects.select_related("topic")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "value")))
        .order_by("topic__order", "order", "slug")
    )
    red_flags = list(RedFlag.objects.prefetch_related(sources).order_by("order", "slug"))
    causes = list(Cause.objects.prefetch_related(sources).order_by("order", "slug"))
    rules = list(EvidenceRule.objects.order_by("cause_id", "order", "slug"))

    facts = fact_specs(questions)
    question_infos = {
        q.slug: QuestionInfo(
            fact=q.slug,
            topic=q.topic.slug,
            kind=q.kind,
            text=q.text,
            short_label=q.short_label,
            hint=q.hint,
            why_we_ask=q.why_we_ask,
            choices=tuple(ChoiceInfo(c.value, c.label, c.hint) for c in q.choices.all()),
            min_value=q.min_value,
            max_value=q.max_value,
            unit=q.unit,
            allow_not_sure=q.allow_not_sure,
            ask_when=(
                criteria.parse(q.ask_when, facts, where=f"question {q.slug}")
                if q.ask_when
                else None
            ),
            unsure_words=q.unsure_words,
        )
        for q in questions
    }
    topic_questions = {
        t.slug: tuple(info for info in question_infos.values() if info.topic == t.slug)
        for t in topics
    }
    topic_infos = tuple(
        TopicInfo(
            t.slug,
            t.title,
            t.intro,
            t.kind,
            topic_questions[t.slug],
            unconditional=all(q.ask_when is None for q in topic_questions[t.slug]),
        )
        for t in topics
    )

    rules_by_cause: dict[int, list[EvidenceSpec]] = {}
    for rule in rules:
        rules_by_cause.setdefault(rule.cause_id, []).append(
            EvidenceSpec(
                slug=rule.slug,
                test=criteria.parse(rule.criteria, facts, where=f"rule {rule.slug}"),
                weight=rule.weight,
                statement=rule.statement,
            )
        )
    ruleset = RuleSet(
        facts=facts,
        red_flags=tuple(
            RedFlagSpec(
                slug=flag.slug,
                title=flag.title,
                urgency=flag.urgency,
                test=criteria.parse(flag.criteria, facts, where=f"red flag {flag.slug}"),
                action=flag.action,
                safety_net=localise(flag.safety_net),
                facts=frozenset(criteria.facts_in(flag.criteria)),
            )
            for flag in red_flags
        ),
        causes=tuple(
            CauseSpec(
                cause.slug, cause.title, cause.urgency, tuple(rules_by_cause.get(cause.pk, ()))
            )
            for cause in causes
        ),
    )
    return ContentSnapshot(
        token=token,
        ruleset=ruleset,
        topics=topic_infos,
        questions=question_infos,
        causes={
            c.slug: CauseInfo(
                slug=c.slug,
                title=c.title,
                summary=c.summary,
                explanation=render_markdown(c.explanation),
                self_care=render_markdown(c.self_care),
                when_to_get_help=render_markdown(c.when_to_get_help),
                urgency=c.urgency,
                sources=tuple(_source(s) for s in c.sources.all()),
                last_reviewed=c.last_reviewed,
                next_review_due=c.next_review_due,
            )
            for c in causes
        },
        red_flags={
            f.slug: RedFlagInfo(
                slug=f.slug,
                title=f.title,
                urgency=f.urgency,
                action=render_markdown(f.action),
                why_it_matters=render_markdown(f.why_it_matters),
                safety_net=localise(f.safety_net),
                sources=tuple(_source(s) for s in f.sources.all()),
            )
            for f in red_flags
        },
    )
