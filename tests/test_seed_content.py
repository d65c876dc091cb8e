"""seed_content creates what is missing and never changes or resurrects edited content."""

import io
import json

import pytest
from django.core.management import call_command

from triage.models import Cause, Question, RedFlag, SeededItem, Source
from triage.services import CONTENT_FIXTURES, FIXTURES_DIR, seed_content

pytestmark = pytest.mark.django_db


def fixture_rows(model_label):
    rows = []
    for name in CONTENT_FIXTURES:
        path = FIXTURES_DIR / name
        if path.exists():
            rows += [r for r in json.loads(path.read_text()) if r["model"] == model_label]
    return rows


def test_the_shipped_content_is_all_seeded():
    for label, model in [
        ("triage.source", Source),
        ("triage.question", Question),
        ("triage.redflag", RedFlag),
        ("triage.cause", Cause),
    ]:
        slugs = {row["fields"]["slug"] for row in fixture_rows(label)}
        assert slugs, f"fixtures hold no {label}"
        assert set(model.objects.values_list("slug", flat=True)) >= slugs


def test_reseeding_creates_nothing_and_changes_nothing():
    before = {c.slug: (c.summary, c.urgency) for c in Cause.objects.all()}
    report = seed_content()
    assert report.total_created == 0
    assert report.kept > 0
    assert {c.slug: (c.summary, c.urgency) for c in Cause.objects.all()} == before


def test_an_edit_survives_a_reseed():
    cause = Cause.objects.get(slug="footwear")
    cause.summary = "Edited by a reviewer."
    cause.save()
    flag = RedFlag.objects.order_by("slug").first()
    flag.criteria = {"fact": "fever", "is": True}
    flag.save()

    seed_content()

    assert Cause.objects.get(slug="footwear").summary == "Edited by a reviewer."
    assert RedFlag.objects.get(pk=flag.pk).criteria == {"fact": "fever", "is": True}


def test_a_missing_row_is_created_again():
    SeededItem.objects.filter(model="triage.cause", key="footwear").delete()
    Cause.objects.filter(slug="footwear").delete()
    report = seed_content()
    assert report.created == {
        "triage.cause": 1,
        "triage.evidencerule": pytest.approx(
            len(
                [
                    r
                    for r in fixture_rows("triage.evidencerule")
                    if r["fields"]["cause"] == ["footwear"]
                ]
            )
        ),
    }
    assert Cause.objects.filter(slug="footwear").exists()


def test_content_deleted_by_an_editor_stays_deleted_unless_asked():
    Cause.objects.filter(slug="footwear").delete()
    report = seed_content()
    assert not Cause.objects.filter(slug="footwear").exists()
    assert report.skipped_deleted >= 1

    seed_content(restore_deleted=True)
    assert Cause.objects.filter(slug="footwear").exists()


def test_the_command_says_what_it_did():
    out = io.StringIO()
    call_command("seed_content", stdout=out)
    assert "Nothing to create" in out.getvalue()
    assert "existing rows" in out.getvalue()
