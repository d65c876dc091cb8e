"""The few operations with side effects: seeding the content from fixtures/."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import transaction

from triage.models import SeededItem

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
    return report
