"""
Read the content into frozen, ready-to-use objects.

``get_content()`` returns the ContentSnapshot the public sees: the RuleSet for ``rules.evaluate``
and everything the pages show (topics, questions, causes, red flags with their sources, Markdown
already rendered), built from the latest published ``Release``. It is kept in this process and
rebuilt when the newest release's token changes: one small query per request tells every
process, on every app server, that a release was published.

The content rows are the working draft that editors change in the admin. ``content_data()``
reads them as plain data in a fixed number of queries whatever the amount of content (what a
release stores), and ``build_snapshot()`` makes the draft's snapshot, which the safety gate,
the review page and its preview use.
"""

import threading
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Prefetch
from django.utils.safestring import SafeString

from triage import criteria
from triage.criteria import FactSpec, Test
from triage.markdown import localise, render_markdown
from triage.models import (
    Cause,
    Choice,
    EvidenceRule,
    Question,
    QuestionGroup,
    RedFlag,
    Release,
    Source,
    Topic,
)
from triage.relevance import Criteria
from triage.rules import ACTION_WORDS, CauseSpec, EvidenceSpec, RedFlagSpec, RuleSet


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
    # The slug of the tick-all-that-apply group it is an item of ("": asked on its own).
    group: str = ""

    def applies(self, answers) -> bool:
        """Asked only when its condition is definitely true (or it has none)."""
        return self.ask_when is None or self.ask_when(answers)[0] is True

    def label_for(self, value) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """Yes-or-no questions asked as one "Select all that apply" list with "None of these"."""

    slug: str
    legend: str
    hint: str
    facts: tuple[str, ...]  # its items, in the order of the topic's questions


@dataclass(frozen=True, slots=True)
class TopicInfo:
    slug: str
    title: str
    intro: str
    kind: str
    questions: tuple[QuestionInfo, ...]
    # No question of this step has a condition: all of them apply, whatever the answers.
    unconditional: bool = False
    groups: tuple[GroupInfo, ...] = ()

    def group_of(self, question: QuestionInfo) -> GroupInfo | None:
        for group in self.groups:
            if group.slug == question.group:
                return group
        return None


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
    # The action without the words of its urgency it opens with (rules.ACTION_WORDS).
    advice: SafeString
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
    # The number of the content release this is (0: the working draft, or no release yet).
    release: int = 0
    # The same criteria as trees, for working out which questions can still matter.
    criteria: Criteria | None = None


_lock = threading.Lock()
_snapshot: ContentSnapshot | None = None


def content_token() -> str:
    """The token of the latest content release: it changes only when a release is published."""
    # Raw SQL: this runs on every request, and the ORM's queryset machinery cost ten times the
    # query itself. Same query as .values_list("token").first() on the newest release.
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    return (row[0] if row else None) or EMPTY


EMPTY = "empty"

# Names from the model, never from input.
_TOKEN_SQL = "SELECT {token} FROM {table} ORDER BY {number} DESC LIMIT 1".format(  # noqa: S608
    token=Release._meta.get_field("token").column,
    table=Release._meta.db_table,
    number=Release._meta.get_field("number").column,
)


def get_content() -> ContentSnapshot:
    """The published content: the latest release, as every public page shows it."""
    global _snapshot
    token = content_token()
    snapshot = _snapshot
    if snapshot is not None and snapshot.token == token:
        return snapshot
    with _lock:
        if _snapshot is None or _snapshot.token != token:
            _snapshot = release_snapshot(token)
        return _snapshot


def release_snapshot(token: str) -> ContentSnapshot:
    """The snapshot of the release with this token (no content at all before the first one)."""
    release = Release.objects.filter(token=token).only("number", "content").first()
    if release is None:
        return snapshot_from_data(EMPTY_CONTENT, token)
    return snapshot_from_data(release.content, token, release=release.number)


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


# The content as plain data: what a release stores, what the review page compares, and what the
# snapshot is built from. One list per kind, each item a dict of its fields; the items that
# belong to another (a question's choices, a cause's rules) are nested in it, and sources are
# named by slug. Dates are ISO strings, so the data is JSON as it is.
CONTENT_KINDS = ("sources", "topics", "groups", "questions", "red_flags", "causes")
EMPTY_CONTENT: dict = {kind: [] for kind in CONTENT_KINDS}


def data_fields(model) -> list:
    """The fields of a content model kept in its data: all but the id and links to other rows."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and not f.is_relation]


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _fields(obj) -> dict:
    return {f.name: _plain(f.value_from_object(obj)) for f in data_fields(type(obj))}


def with_defaults(model, item: dict) -> dict:
    """
    ``item`` with the default of each field it lacks: a release stored before a field was
    added to the model still makes a snapshot, with what a new row would hold.
    """
    return {**{f.name: _plain(f.get_default()) for f in data_fields(model)}, **item}


def content_data() -> dict:
    """The content rows (the working draft) as plain data, in a fixed number of queries."""
    sources = Prefetch("sources", queryset=Source.objects.order_by("title", "slug"))
    questions = (
        Question.objects.select_related("topic", "group")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "value")))
        .order_by("topic__order", "order", "slug")
    )
    rules = Prefetch("rules", queryset=EvidenceRule.objects.order_by("order", "slug"))
    return {
        "sources": [_fields(s) for s in Source.objects.order_by("title", "slug")],
        "topics": [_fields(t) for t in Topic.objects.order_by("order", "slug")],
        "groups": [
            {**_fields(g), "topic": g.topic.slug}
            for g in QuestionGroup.objects.select_related("topic").order_by(
                "topic__order", "order", "slug"
            )
        ],
        "questions": [
            {
                **_fields(q),
                "topic": q.topic.slug,
                "group": q.group.slug if q.group else None,
                "choices": [_fields(c) for c in q.choices.all()],
            }
            for q in questions
        ],
        "red_flags": [
            {**_fields(f), "sources": [s.slug for s in f.sources.all()]}
            for f in RedFlag.objects.prefetch_related(sources).order_by("order", "slug")
        ],
        "causes": [
            {
                **_fields(c),
                "sources": [s.slug for s in c.sources.all()],
                "rules": [_fields(r) for r in c.rules.all()],
            }
            for c in Cause.objects.prefetch_related(sources, rules).order_by("order", "slug")
        ],
    }


def complete(data: dict) -> dict:
    """Content data with every field of every item (``with_defaults``)."""
    return {
        "sources": [with_defaults(Source, s) for s in data["sources"]],
        "topics": [with_defaults(Topic, t) for t in data["topics"]],
        # Content stored before groups existed has none: every question asked on its own.
        "groups": [with_defaults(QuestionGroup, g) for g in data.get("groups", [])],
        "questions": [
            {
                **with_defaults(Question, q),
                "group": q.get("group"),
                "choices": [with_defaults(Choice, c) for c in q["choices"]],
            }
            for q in data["questions"]
        ],
        "red_flags": [with_defaults(RedFlag, f) for f in data["red_flags"]],
        "causes": [
            {
                **with_defaults(Cause, c),
                "rules": [with_defaults(EvidenceRule, r) for r in c["rules"]],
            }
            for c in data["causes"]
        ],
    }


def build_snapshot(token: str = "") -> ContentSnapshot:
    """The snapshot of the working draft: the content rows as they are now."""
    return snapshot_from_data(content_data(), token)


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _weight(rule: dict) -> int:
    strength = int(rule["strength"])
    return strength if rule["direction"] == EvidenceRule.Direction.SUPPORTS else -strength


def _advice(action: str, urgency: str) -> str:
    """A red flag's action without the words of its urgency when it opens with them in bold."""
    words = ACTION_WORDS.get(urgency)
    opening = f"**{words}.**"
    return action.removeprefix(opening).lstrip() if words and action.startswith(opening) else action


def snapshot_from_data(data: dict, token: str = "", *, release: int = 0) -> ContentSnapshot:
    """The frozen snapshot of content given as plain data (``content_data`` or a release)."""
    data = complete(data)
    source_infos = {
        s["slug"]: SourceInfo(s["slug"], s["title"], s["publisher"], s["url"])
        for s in data["sources"]
    }

    def sources_of(item: dict) -> tuple[SourceInfo, ...]:
        return tuple(source_infos[slug] for slug in item["sources"] if slug in source_infos)

    facts = {
        q["slug"]: FactSpec(
            name=q["slug"],
            kind=q["kind"],
            choices=tuple(c["value"] for c in q["choices"]),
            min_value=q["min_value"],
            max_value=q["max_value"],
            not_sure=q["kind"] == "boolean" and q["allow_not_sure"],
        )
        for q in data["questions"]
    }
    question_infos = {
        q["slug"]: QuestionInfo(
            fact=q["slug"],
            topic=q["topic"],
            kind=q["kind"],
            text=q["text"],
            short_label=q["short_label"],
            hint=q["hint"],
            why_we_ask=q["why_we_ask"],
            choices=tuple(ChoiceInfo(c["value"], c["label"], c["hint"]) for c in q["choices"]),
            min_value=q["min_value"],
            max_value=q["max_value"],
            unit=q["unit"],
            allow_not_sure=q["allow_not_sure"],
            ask_when=(
                criteria.parse(q["ask_when"], facts, where=f"question {q['slug']}")
                if q["ask_when"]
                else None
            ),
            unsure_words=q["unsure_words"],
            group=q["group"] or "",
        )
        for q in data["questions"]
    }
    topic_questions = {
        t["slug"]: tuple(info for info in question_infos.values() if info.topic == t["slug"])
        for t in data["topics"]
    }
    topic_groups = {
        t["slug"]: tuple(
            GroupInfo(
                g["slug"],
                g["legend"],
                g["hint"],
                tuple(q.fact for q in topic_questions[t["slug"]] if q.group == g["slug"]),
            )
            for g in sorted(data["groups"], key=lambda g: (g["order"], g["slug"]))
            if g["topic"] == t["slug"]
        )
        for t in data["topics"]
    }
    topic_infos = tuple(
        TopicInfo(
            t["slug"],
            t["title"],
            t["intro"],
            t["kind"],
            topic_questions[t["slug"]],
            unconditional=all(q.ask_when is None for q in topic_questions[t["slug"]]),
            groups=tuple(g for g in topic_groups[t["slug"]] if g.facts),
        )
        for t in data["topics"]
    )
    ruleset = RuleSet(
        facts=facts,
        red_flags=tuple(
            RedFlagSpec(
                slug=flag["slug"],
                title=flag["title"],
                urgency=flag["urgency"],
                test=criteria.parse(flag["criteria"], facts, where=f"red flag {flag['slug']}"),
                action=flag["action"],
                safety_net=localise(flag["safety_net"]),
                facts=frozenset(criteria.facts_in(flag["criteria"])),
            )
            for flag in data["red_flags"]
        ),
        causes=tuple(
            CauseSpec(
                cause["slug"],
                cause["title"],
                cause["urgency"],
                tuple(
                    EvidenceSpec(
                        slug=rule["slug"],
                        test=criteria.parse(rule["criteria"], facts, where=f"rule {rule['slug']}"),
                        weight=_weight(rule),
                        statement=rule["statement"],
                    )
                    for rule in cause["rules"]
                ),
            )
            for cause in data["causes"]
        ),
    )
    criteria_trees = Criteria.build(
        facts=facts,
        red_flags=[(flag["slug"], flag["urgency"], flag["criteria"]) for flag in data["red_flags"]],
        causes=[
            (cause["slug"], [(_weight(rule), rule["criteria"]) for rule in cause["rules"]])
            for cause in data["causes"]
        ],
        ask_when={q["slug"]: q["ask_when"] for q in data["questions"]},
    )
    return ContentSnapshot(
        token=token,
        ruleset=ruleset,
        criteria=criteria_trees,
        topics=topic_infos,
        questions=question_infos,
        causes={
            c["slug"]: CauseInfo(
                slug=c["slug"],
                title=c["title"],
                summary=c["summary"],
                explanation=render_markdown(c["explanation"]),
                self_care=render_markdown(c["self_care"]),
                when_to_get_help=render_markdown(c["when_to_get_help"]),
                urgency=c["urgency"],
                sources=sources_of(c),
                last_reviewed=_day(c["last_reviewed"]),
                next_review_due=_day(c["next_review_due"]),
            )
            for c in data["causes"]
        },
        red_flags={
            f["slug"]: RedFlagInfo(
                slug=f["slug"],
                title=f["title"],
                urgency=f["urgency"],
                action=render_markdown(f["action"]),
                advice=render_markdown(_advice(f["action"], f["urgency"])),
                why_it_matters=render_markdown(f["why_it_matters"]),
                safety_net=localise(f["safety_net"]),
                sources=sources_of(f),
            )
            for f in data["red_flags"]
        },
        release=release,
    )
