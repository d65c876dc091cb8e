"""The selectors: a fixed number of queries whatever the amount of content, and a fresh cache."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.admin_support import publish_draft
from triage import selectors
from triage.models import Cause, EvidenceRule, Question, RedFlag, Release, Source, Topic

pytestmark = pytest.mark.django_db


def add_synthetic_content(n: int) -> None:
    topic = Topic.objects.create(slug=f"extra-{n}", title="Extra", order=99)
    source = Source.objects.create(slug=f"extra-source-{n}", title="Extra source")
    for i in range(n):
        question = Question.objects.create(
            slug=f"extra_{n}_{i}", topic=topic, order=i, kind="boolean", text="?", short_label="x"
        )
        question.choices.create(value="a", label="A")
        flag = RedFlag.objects.create(
            slug=f"extra-flag-{n}-{i}",
            title="Extra",
            urgency="soon",
            criteria={"fact": question.slug, "is": True},
            action="Act.",
            why_it_matters="Why.",
            guidance_row="test",
        )
        flag.sources.add(source)
        cause = Cause.objects.create(
            slug=f"extra-cause-{n}-{i}",
            title="Extra",
            summary="s",
            explanation="e",
            self_care="c",
            when_to_get_help="w",
            urgency="self_care",
            last_reviewed=datetime.date(2026, 1, 1),
            next_review_due=datetime.date(2027, 1, 1),
        )
        cause.sources.add(source)
        for j in range(3):
            EvidenceRule.objects.create(
                slug=f"extra-rule-{n}-{i}-{j}",
                cause=cause,
                criteria={"fact": question.slug, "is": True},
                statement="You said so.",
            )


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def test_building_the_snapshot_takes_the_same_queries_as_content_grows():
    base = count_queries(selectors.build_snapshot)
    add_synthetic_content(5)
    assert count_queries(selectors.build_snapshot) == base
    add_synthetic_content(50)
    snapshot = selectors.build_snapshot()
    assert count_queries(selectors.build_snapshot) == base
    assert len(snapshot.ruleset.causes) >= 55
    assert base <= 10


def test_a_cached_snapshot_costs_one_query():
    selectors.get_content()
    assert count_queries(selectors.get_content) == 1


def test_an_edit_is_seen_by_the_public_only_once_it_is_published():
    before = selectors.get_content()
    cause = Cause.objects.get(slug="footwear")
    cause.summary = "A new summary."
    cause.save()
    assert selectors.get_content() is before
    assert selectors.build_snapshot().causes["footwear"].summary == "A new summary."

    release = publish_draft()

    after = selectors.get_content()
    assert after is not before
    assert after.release == release.number == before.release + 1
    assert after.causes["footwear"].summary == "A new summary."


def test_a_release_published_by_another_process_is_seen():
    before = selectors.get_content()
    # Another app server publishes a release: a new row, whose token this process has not seen.
    content = selectors.content_data()
    next(c for c in content["causes"] if c["slug"] == "footwear")["summary"] = (
        "Published elsewhere."
    )
    Release.objects.create(number=before.release + 1, published_at=timezone.now(), content=content)

    after = selectors.get_content()

    assert after.causes["footwear"].summary == "Published elsewhere."
    assert after.release == before.release + 1
    assert selectors.get_content() is after


def test_the_snapshot_is_the_same_from_the_rows_and_from_a_release():
    live = selectors.get_content()
    draft = selectors.build_snapshot(live.token)
    # Criteria are functions, compared by what they give; everything else as it is.
    assert (draft.causes, draft.red_flags) == (live.causes, live.red_flags)
    assert [t.slug for t in draft.topics] == [t.slug for t in live.topics]
    assert draft.ruleset.facts == live.ruleset.facts
    assert [(c.slug, [r.slug for r in c.rules]) for c in draft.ruleset.causes] == [
        (c.slug, [r.slug for r in c.rules]) for c in live.ruleset.causes
    ]


def test_the_snapshot_renders_markdown_once_and_safely():
    cause = Cause.objects.get(slug="footwear")
    cause.explanation = "**Shoes** matter.<script>alert(1)</script>"
    cause.save()
    html = str(selectors.build_snapshot().causes["footwear"].explanation)
    assert "<strong>Shoes</strong>" in html
    assert "<script>" not in html


def test_a_deployment_elsewhere_shows_its_own_emergency_number(settings):
    settings.EMERGENCY_NUMBER = "112"
    settings.URGENT_CARE_SERVICE = "your out-of-hours doctor"
    snapshot = selectors.build_snapshot("test")
    flag = next(f for f in snapshot.red_flags.values() if f.urgency == "emergency")
    urgent = next(f for f in snapshot.red_flags.values() if f.urgency == "urgent")
    assert "112" in flag.action and "999" not in flag.action
    assert "NHS 111" not in urgent.action
    assert "your out-of-hours doctor" in urgent.action
    assert all("999" not in flag.safety_net for flag in snapshot.ruleset.red_flags)


def test_a_release_stored_before_a_field_existed_still_loads_with_its_default():
    from triage import review

    content = selectors.content_data()
    older = {**content, "questions": [dict(q) for q in content["questions"]]}
    for question in older["questions"]:
        del question["why_we_ask"]  # as if the field had been added after this release

    snapshot = selectors.snapshot_from_data(older)

    assert {q.why_we_ask for q in snapshot.questions.values()} == {""}
    blank = selectors.content_data()
    for question in blank["questions"]:
        question["why_we_ask"] = ""
    assert review.compare(older, blank) == []
