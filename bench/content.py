"""
Synthetic content in the database: the shipped content copied ``factor`` times, for the
query-count benchmark. Every copy has its own slugs and its own facts (``<fact>__<n>``), so the
snapshot, the rule set and the results page all carry it. The copied questions sit on copied pages
that are never asked (their condition, ``age >= 1000``, is never true), so the journey is the same
pages as with the shipped content.

Rows are written with ``bulk_create`` into the draft, then published at once as the next release
(the public pages read only releases), as a reviewer's approval would.
"""

import copy

from django.utils import timezone

from triage.models import Cause, Choice, EvidenceRule, Question, RedFlag, Release, Topic
from triage.selectors import content_data

NEVER = {"fact": "age", "gte": 1000}


def rename(data, suffix: str):
    """Criteria with every fact name given ``suffix``."""
    if isinstance(data, dict):
        return {
            key: (value + suffix if key == "fact" else rename(value, suffix))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [rename(item, suffix) for item in data]
    return data


def _copy(row, **changes):
    """A new, unsaved row with the fields of ``row`` and ``changes``."""
    new = copy.copy(row)
    new._state = copy.copy(row._state)
    new._state.adding = True
    new._state.fields_cache = {}  # else setting a relation here would change the original's
    new.__dict__.pop("_prefetched_objects_cache", None)
    new.pk = None
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def add_synthetic_content(factor: int) -> dict[str, int]:
    """Add ``factor - 1`` renamed copies of all content; return the row counts afterwards."""
    topics = list(Topic.objects.all())
    questions = list(Question.objects.select_related("topic"))
    choices = list(Choice.objects.select_related("question"))
    flags = list(RedFlag.objects.prefetch_related("sources"))
    causes = list(Cause.objects.prefetch_related("sources", "rules"))
    flag_sources = RedFlag.sources.through
    cause_sources = Cause.sources.through
    top = max((t.order for t in topics), default=0)
    for number in range(1, factor):
        suffix = f"__{number}"
        new_topics = {
            t.slug: _copy(t, slug=f"{t.slug}-x{number}", order=top + number) for t in topics
        }
        Topic.objects.bulk_create(new_topics.values())
        new_questions = {
            q.slug: _copy(q, slug=q.slug + suffix, topic=new_topics[q.topic.slug], ask_when=NEVER)
            for q in questions
        }
        Question.objects.bulk_create(new_questions.values())
        Choice.objects.bulk_create(
            _copy(c, question=new_questions[c.question.slug]) for c in choices
        )
        new_flags = [
            _copy(f, slug=f.slug + suffix, criteria=rename(f.criteria, suffix)) for f in flags
        ]
        RedFlag.objects.bulk_create(new_flags)
        flag_sources.objects.bulk_create(
            flag_sources(redflag_id=new.pk, source_id=s.pk)
            for old, new in zip(flags, new_flags, strict=True)
            for s in old.sources.all()
        )
        new_causes = [_copy(c, slug=c.slug + suffix) for c in causes]
        Cause.objects.bulk_create(new_causes)
        cause_sources.objects.bulk_create(
            cause_sources(cause_id=new.pk, source_id=s.pk)
            for old, new in zip(causes, new_causes, strict=True)
            for s in old.sources.all()
        )
        EvidenceRule.objects.bulk_create(
            _copy(r, slug=r.slug + suffix, cause=new, criteria=rename(r.criteria, suffix))
            for old, new in zip(causes, new_causes, strict=True)
            for r in old.rules.all()
        )
    latest = Release.objects.order_by("-number").first()
    Release.objects.create(
        number=(latest.number if latest else 0) + 1,
        published_at=timezone.now(),
        content=content_data(),
    )
    return {
        "topics": Topic.objects.count(),
        "questions": Question.objects.count(),
        "red flags": RedFlag.objects.count(),
        "causes": Cause.objects.count(),
        "rules": EvidenceRule.objects.count(),
    }
