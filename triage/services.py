"""
The few operations with side effects: seeding the content from fixtures/, and publishing it as
numbered releases (approving the draft, rolling back).
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import reversion
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion.models import Revision

from triage import gate, review
from triage.models import (
    Cause,
    Choice,
    EvidenceRule,
    Question,
    QuestionGroup,
    RedFlag,
    Release,
    SeededItem,
    Source,
    Topic,
)
from triage.selectors import EMPTY_CONTENT, ContentSnapshot, content_data, snapshot_from_data

# What a release publishes; a change to any of them is a change to the draft.
CONTENT_MODELS = (Source, Topic, QuestionGroup, Question, Choice, RedFlag, Cause, EvidenceRule)

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
# Loaded in this order: later files refer to rows of earlier ones by natural key.
CONTENT_FIXTURES = (
    "sources.json",
    "questionnaire.json",
    "red_flags.json",
    "causes.json",
    "safety_cases.json",
)


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    kept: int = 0
    skipped_deleted: int = 0
    release: "Release | None" = None

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def _key(obj) -> str:
    return "|".join(str(part) for part in obj.natural_key())


def _parents(row: dict) -> set[tuple[str, str]]:
    """The (model, key) of every row a fixture row points to with a natural foreign key."""
    model = apps.get_model(row["model"])
    parents = set()
    for name, value in row.get("fields", {}).items():
        field = model._meta.get_field(name)
        if field.many_to_one and isinstance(value, list):
            parents.add((field.related_model._meta.label_lower, "|".join(map(str, value))))
    return parents


@transaction.atomic
def seed_content(*, fixtures_dir: Path = FIXTURES_DIR, restore_deleted: bool = False) -> SeedReport:
    """
    Create the content in fixtures/ that is missing from the database, and nothing else.

    A row that already exists is left exactly as it is, so editors' changes survive. A row that
    was seeded once and later deleted by an editor stays deleted unless ``restore_deleted``.
    """
    report = SeedReport()
    seeded = {(m, k) for m, k in SeededItem.objects.values_list("model", "key")}
    created: set[tuple[str, str]] = set()
    skipped: set[tuple[str, str]] = set()
    for name in CONTENT_FIXTURES:
        path = fixtures_dir / name
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        # Deserialise one row at a time: each row is built after the rows before it were saved,
        # so a row may refer by natural key to one created earlier in the same file.
        for row in json.loads(text):
            parents = _parents(row)
            # The rows of content an editor deleted (e.g. a cause's rules) stay deleted with it.
            if parents & skipped:
                report.skipped_deleted += 1
                continue
            (item,) = serializers.deserialize("python", [row])
            obj = item.object
            label = obj._meta.label_lower
            key = _key(obj)
            if obj.pk is not None:
                report.kept += 1
                if (label, key) not in seeded:
                    SeededItem.objects.create(model=label, key=key)
                    seeded.add((label, key))
                continue
            # A row created again brings back the rows that belong to it.
            if (label, key) in seeded and not (restore_deleted or parents & created):
                skipped.add((label, key))
                report.skipped_deleted += 1
                continue
            item.save()
            created.add((label, key))
            if (label, key) not in seeded:
                SeededItem.objects.create(model=label, key=key)
                seeded.add((label, key))
            report.created[label] = report.created.get(label, 0) + 1
    # A new site publishes what it was seeded with as release 1; on a site with releases, new
    # content from the fixtures is part of the draft, published when a reviewer approves it.
    report.release = publish_seeded()
    return report


# Releases: what the public reads is the latest Release; the content rows are the working draft.


class PublishRefused(Exception):
    """A release could not be made; ``lines`` say why, ready to show."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


PUBLISH_PERMISSION = "triage.publish_release"


def latest_release() -> Release | None:
    return Release.objects.order_by("-number").first()


def _newest_revision() -> int:
    return Revision.objects.aggregate(newest=Max("id"))["newest"] or 0


def draft_authors(since: Release | None, upto: int | None = None) -> list:
    """Everyone whose change to the content is recorded in the history after ``since``."""
    types = ContentType.objects.get_for_models(*CONTENT_MODELS).values()
    revisions = Revision.objects.filter(
        id__gt=since.last_revision if since else 0,
        version__content_type__in=types,
        user__isnull=False,
    )
    if upto is not None:
        revisions = revisions.filter(id__lte=upto)
    User = get_user_model()
    return list(User.objects.filter(revision__in=revisions).distinct().order_by("username"))


def _case_rows(results) -> list[dict]:
    return [
        {
            "slug": r.case.slug,
            "title": r.case.title,
            "guidance_row": r.case.guidance_row,
            "expected": r.case.expected_urgency,
            "got": r.urgency,
            "passed": r.passed,
            "problems": list(r.problems),
        }
        for r in results
    ]


def digest(data: dict) -> str:
    """A fingerprint of content data: the draft a reviewer looked at, checked on approval."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def live_snapshot(live: Release | None) -> ContentSnapshot:
    if live is None:
        return snapshot_from_data(EMPTY_CONTENT)
    return snapshot_from_data(live.content, release=live.number)


def _locked_latest() -> Release | None:
    # Two approvals at once: the second waits here (PostgreSQL) and then sees the first's release.
    return Release.objects.select_for_update().order_by("-number").first()


def _create(live: Release | None, data: dict, results, *, approver, authors=(), **fields):
    if live is None:
        changes = [_("The first release: the content the site was set up with.")]
    else:
        changes = [change.line() for change in review.compare(live.content, data)]
    release = Release.objects.create(
        number=(live.number if live else 0) + 1,
        published_at=timezone.now(),
        approved_by=approver,
        changes=changes,
        case_results=_case_rows(results),
        content=data,
        last_revision=_newest_revision(),
        **fields,
    )
    release.authors.set(authors)
    return release


def publish_seeded() -> Release | None:
    """Publish the content as release 1 when there is no release yet (a new site)."""
    if Release.objects.exists():
        return None
    data = content_data()
    return _create(None, data, gate.run_cases(snapshot_from_data(data)), approver=None)


@transaction.atomic
def approve(user, *, note: str = "", draft_digest: str | None = None) -> Release:
    """
    Publish the working draft as the next release, approved by ``user``: a clinical reviewer
    who changed none of it. The safety cases are run on it first, judged as a save is.
    ``draft_digest``: the ``digest`` of the draft the reviewer looked at; a draft changed since
    then is not published.
    """
    if not can_publish(user):
        raise PublishRefused([_("Only a clinical reviewer may approve and publish content.")])
    live = _locked_latest()
    upto = _newest_revision()
    data = content_data()
    if live is not None and data == live.content:
        raise PublishRefused([_("Not published: the draft is the same as the live content.")])
    if draft_digest is not None and draft_digest != digest(data):
        raise PublishRefused(
            [_("Not published: the draft changed while you reviewed it. Review it again.")]
        )
    authors = draft_authors(live, upto)
    if any(author.pk == user.pk for author in authors):
        raise PublishRefused(
            [
                _(
                    "Not published: you changed this draft yourself. Another clinical reviewer "
                    "must approve it."
                )
            ]
        )
    verdict, results = gate.judge_release(live_snapshot(live), data)
    if verdict.refused:
        raise PublishRefused(verdict.errors())
    return _create(live, data, results, approver=user, authors=authors, note=note)


@transaction.atomic
def roll_back(user, *, to: Release, note: str = "") -> Release:
    """
    Publish an earlier release's content again as the next release, through the same gate, and
    put the draft rows back to it (recorded in each row's history as ``user``'s change).
    Content two people approved before, so one clinical reviewer may do it.
    """
    if not can_publish(user):
        raise PublishRefused([_("Only a clinical reviewer may roll back a release.")])
    live = _locked_latest()
    if live is None or to.number >= live.number:
        raise PublishRefused([_("Not published: this release is the live one.")])
    if to.content == live.content:
        raise PublishRefused([_("Not published: this release has the live content already.")])
    verdict, results = gate.judge_release(live_snapshot(live), to.content)
    if verdict.refused:
        raise PublishRefused(verdict.errors())
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(_("Rolled back to release %(number)d.") % {"number": to.number})
        write_content(to.content)
    return _create(live, to.content, results, approver=user, rollback_of=to.number, note=note)


def write_content(data: dict) -> None:
    """Make the content rows (the draft) exactly ``data``: rows are matched by slug."""
    sources = {}
    for item in data["sources"]:
        sources[item["slug"]], _created = Source.objects.update_or_create(
            slug=item["slug"], defaults=_without(item, "slug")
        )
    topics = {}
    for item in data["topics"]:
        topics[item["slug"]], _created = Topic.objects.update_or_create(
            slug=item["slug"], defaults=_without(item, "slug")
        )
    groups = {}
    for item in data.get("groups", []):
        groups[item["slug"]], _created = QuestionGroup.objects.update_or_create(
            slug=item["slug"],
            defaults={**_without(item, "slug", "topic"), "topic": topics[item["topic"]]},
        )
    for item in data["questions"]:
        question, _created = Question.objects.update_or_create(
            slug=item["slug"],
            defaults={
                **_without(item, "slug", "choices", "group"),
                "topic": topics[item["topic"]],
                "group": groups.get(item.get("group")),
            },
        )
        for choice in item["choices"]:
            Choice.objects.update_or_create(
                question=question, value=choice["value"], defaults=_without(choice, "value")
            )
        question.choices.exclude(value__in=[c["value"] for c in item["choices"]]).delete()
    for item in data["red_flags"]:
        flag, _created = RedFlag.objects.update_or_create(
            slug=item["slug"], defaults=_without(item, "slug", "sources")
        )
        flag.sources.set([sources[slug] for slug in item["sources"]])
    for item in data["causes"]:
        cause, _created = Cause.objects.update_or_create(
            slug=item["slug"], defaults=_without(item, "slug", "sources", "rules")
        )
        cause.sources.set([sources[slug] for slug in item["sources"]])
        for rule in item["rules"]:
            EvidenceRule.objects.update_or_create(
                slug=rule["slug"], defaults={**_without(rule, "slug"), "cause": cause}
            )
    # Then what the data does not have, the rows that depend on others first.
    rules = [rule["slug"] for item in data["causes"] for rule in item["rules"]]
    for model, slugs in (
        (EvidenceRule, rules),
        (Cause, [item["slug"] for item in data["causes"]]),
        (RedFlag, [item["slug"] for item in data["red_flags"]]),
        (Question, [item["slug"] for item in data["questions"]]),
        (QuestionGroup, [item["slug"] for item in data.get("groups", [])]),
        (Topic, [item["slug"] for item in data["topics"]]),
        (Source, [item["slug"] for item in data["sources"]]),
    ):
        for obj in model.objects.exclude(slug__in=slugs):
            obj.delete()


DATE_FIELDS = ("last_reviewed", "next_review_due")


def _without(item: dict, *names: str) -> dict:
    """The item's fields but ``names``, as the model takes them (dates as dates)."""
    return {
        key: (date.fromisoformat(value) if key in DATE_FIELDS and value else value)
        for key, value in item.items()
        if key not in names
    }
