"""
What the review page shows of a change to the content: the draft against the live release as
readable differences of wording and rules, and the reading level of each changed text.

Pure functions over content as plain data (``triage.selectors.content_data`` or a release's
``content``).
"""

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import date

import textstat
from django.db.models import F, Q
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from triage.markdown import render_markdown
from triage.models import (
    Cause,
    Choice,
    EvidenceRule,
    Question,
    QuestionGroup,
    RedFlag,
    Source,
    Topic,
)
from triage.selectors import complete

# The NHS writes for a reading age of 9 to 11; text needing an older reader is flagged.
READING_AGE_TARGET = 11
# Readability formulas mean nothing on a few words (a label, a choice): shorter texts are not
# measured.
MIN_WORDS = 8
# Flesch-Kincaid gives a US school grade; a reading age is the grade plus five years.
GRADE_TO_AGE = 5


@dataclass(frozen=True)
class Reading:
    words: int
    grade: float | None  # None: too short to measure

    @property
    def age(self) -> int | None:
        return None if self.grade is None else max(round(self.grade + GRADE_TO_AGE), 5)

    @property
    def too_hard(self) -> bool:
        return self.age is not None and self.age > READING_AGE_TARGET


def plain_text(text: str) -> str:
    """The words a person reads: Markdown rendered, then its markup taken away."""
    return re.sub(r"\s+", " ", strip_tags(str(render_markdown(text)))).strip()


def reading_level(text: str) -> Reading:
    plain = plain_text(text)
    words = textstat.lexicon_count(plain)
    if words < MIN_WORDS:
        return Reading(words, None)
    return Reading(words, textstat.flesch_kincaid_grade(plain))


@dataclass(frozen=True)
class Kind:
    key: str  # the list in the content data
    model: type
    wording: tuple[str, ...]  # the fields the public reads
    children: tuple[str, str] | None = None  # (list key, the key of each child)


CHOICES = Kind("choices", Choice, ("label", "hint"))
RULES = Kind("rules", EvidenceRule, ("statement",))
KINDS = (
    Kind("sources", Source, ()),
    Kind("topics", Topic, ("title", "intro")),
    Kind("groups", QuestionGroup, ("legend", "hint")),
    Kind("questions", Question, ("text", "short_label", "hint", "why_we_ask", "unit")),
    Kind("red_flags", RedFlag, ("title", "action", "why_it_matters", "safety_net")),
    Kind("causes", Cause, ("title", "summary", "explanation", "self_care", "when_to_get_help")),
)
CHILDREN = {"questions": (CHOICES, "value"), "causes": (RULES, "slug")}


@dataclass
class FieldChange:
    name: str
    label: str
    before: str
    after: str
    wording: bool
    reading: Reading | None = None

    @property
    def words(self) -> SafeString:
        """
        The change word by word: removed words in <del>, added ones in <ins>, escaped. When most
        of the text changed, the old text and then the new, whole, which reads better.
        """
        # Each word with the space after it, so that a change reads as whole words.
        old = re.findall(r"\S+\s*|\s+", self.before)
        new = re.findall(r"\S+\s*|\s+", self.after)
        matcher = difflib.SequenceMatcher(None, old, new)
        if matcher.ratio() < MOSTLY_CHANGED:
            return _marked(self.before, self.after)
        parts = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                parts.append(escape("".join(old[i1:i2])))
            else:
                parts.append(_marked("".join(old[i1:i2]), "".join(new[j1:j2])))
        return mark_safe("".join(parts))  # noqa: S308 (every piece escaped)


# Below this share of words in common, a text counts as rewritten rather than edited.
MOSTLY_CHANGED = 0.5


def _marked(before: str, after: str) -> SafeString:
    parts = []
    if before:
        parts.append(f"<del>{escape(before)}</del>")
    if after:
        parts.append(f"<ins>{escape(after)}</ins>")
    return mark_safe(" ".join(parts))  # noqa: S308 (escaped)


@dataclass
class ItemChange:
    kind: str
    label: str  # e.g. "cause"
    key: str
    title: str
    status: str  # "added", "removed" or "changed"
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def hard_to_read(self) -> list[FieldChange]:
        return [f for f in self.fields if f.reading is not None and f.reading.too_hard]

    def line(self) -> str:
        """One plain line for the release's list of what changed."""
        what = {"label": self.label, "key": self.key}
        if self.status == "added":
            return _("New %(label)s %(key)s") % what
        if self.status == "removed":
            return _("Removed %(label)s %(key)s") % what
        return _("%(label)s %(key)s: %(fields)s changed") % {
            **what,
            "fields": ", ".join(f.label for f in self.fields),
        }


def _shown(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _fields(kind: Kind, before: dict, after: dict, nested: str | None) -> list[FieldChange]:
    changes = []
    for name in after.keys() | before.keys():
        if name == nested or before.get(name) == after.get(name):
            continue
        wording = name in kind.wording
        old, new = _shown(before.get(name)), _shown(after.get(name))
        reading = reading_level(new) if wording and new else None
        changes.append(FieldChange(name, _label(kind.model, name), old, new, wording, reading))
    order = [f.name for f in kind.model._meta.get_fields()]
    return sorted(changes, key=lambda f: order.index(f.name) if f.name in order else len(order))


def _title(item: dict) -> str:
    return str(item.get("title") or item.get("text") or item.get("label") or "")


def _compare_lists(kind: Kind, old: list, new: list, key: str, prefix: str = ""):
    nested = CHILDREN.get(kind.key)
    before = {item[key]: item for item in old}
    after = {item[key]: item for item in new}
    label = str(kind.model._meta.verbose_name)
    for slug in [*after, *(s for s in before if s not in after)]:
        was, now = before.get(slug), after.get(slug)
        name = f"{prefix}{slug}"
        if was is None:
            change = ItemChange(kind.key, label, name, _title(now), "added")
            change.fields = _fields(kind, {}, now, nested and nested[0].key)
        elif now is None:
            change = ItemChange(kind.key, label, name, _title(was), "removed")
        else:
            change = ItemChange(kind.key, label, name, _title(now), "changed")
            change.fields = _fields(kind, was, now, nested and nested[0].key)
        if change.status != "changed" or change.fields:
            yield change
        if nested is not None and now is not None:
            # A removed item's choices or rules go with it; a new one's are listed.
            child, child_key = nested
            yield from _compare_lists(
                child,
                (was or {}).get(child.key, []),
                now.get(child.key, []),
                child_key,
                prefix=f"{slug}: " if child is CHOICES else "",
            )


def compare(live: dict | None, draft: dict) -> list[ItemChange]:
    """Every item added, removed or changed from ``live`` (None: nothing yet) to ``draft``."""
    # Fields a release stored before they existed count as their defaults, not as changes.
    live, draft = complete(live) if live else None, complete(draft)
    changes = []
    for kind in KINDS:
        old = live[kind.key] if live else []
        changes.extend(_compare_lists(kind, old, draft[kind.key], "slug"))
    return changes


@dataclass(frozen=True)
class Overdue:
    item: Cause | RedFlag
    due: date | None  # None: never signed off

    @property
    def label(self) -> str:
        return str(self.item._meta.verbose_name)

    @property
    def opts(self):
        return self.item._meta


def overdue_reviews(today: date) -> list[Overdue]:
    """Causes and red flags whose next review is due before ``today`` (or was never set)."""
    found = []
    for model in (RedFlag, Cause):
        late = model.objects.filter(
            Q(next_review_due__lt=today) | Q(next_review_due__isnull=True)
        ).order_by(F("next_review_due").asc(nulls_first=True), "slug")
        found.extend(Overdue(item, item.next_review_due) for item in late)
    return found
