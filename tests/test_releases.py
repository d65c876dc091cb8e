"""
Releases: the public reads only published content; a change goes live when a clinical reviewer
who did not make it approves it, after the safety cases; a release can be rolled back.
"""

import io

import pytest
import reversion
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from tests.admin_support import (
    EDITOR,
    REVIEWER,
    admin_url,
    form_data,
    make_user,
    publish_draft,
)
from triage import services
from triage.models import Cause, Choice, EvidenceRule, Question, RedFlag, Release, SafetyCase
from triage.selectors import build_snapshot, content_data, get_content

pytestmark = pytest.mark.django_db

REVIEW = admin_url(Release, "review")


def _change(client, obj, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def _approve(client, note=""):
    page = client.get(REVIEW)
    return client.post(REVIEW, {"digest": page.context["digest"], "note": note})


@pytest.fixture
def published(world):
    """The isolated world, published as the live release."""
    return {**world, "release": publish_draft()}


def test_the_first_seed_publishes_release_one_and_a_reseed_publishes_nothing():
    first = Release.objects.get()
    assert first.number == 1 and first.approved_by is None
    assert first.content == content_data()
    assert len(first.case_results) == SafetyCase.objects.count()
    assert get_content().release == 1

    assert services.seed_content().release is None
    assert Release.objects.count() == 1


def test_an_editors_change_is_a_draft_until_a_different_reviewer_approves_it(client, published):
    cause = published["cause"]
    editor = make_user("editor", EDITOR)
    client.force_login(editor)
    assert _change(client, cause, summary="An editor's new summary.").status_code == 302
    assert get_content().causes["test-clot"].summary == "Old summary."

    # The editor cannot publish: no approve form, and a POST is refused.
    page = client.get(REVIEW)
    assert page.status_code == 200
    assert 'id="approve-form"' not in page.content.decode()
    assert _approve(client).status_code == 403
    assert get_content().causes["test-clot"].summary == "Old summary."

    reviewer = make_user("reviewer", REVIEWER)
    client.force_login(reviewer)
    response = _approve(client, note="Checked against the source.")
    release = Release.objects.get(number=published["release"].number + 1)
    assert response.status_code == 302
    assert response["Location"] == admin_url(Release, "change", release.pk)
    assert release.approved_by == reviewer
    assert list(release.authors.all()) == [editor]
    assert release.note == "Checked against the source."
    assert release.changes == ["cause test-clot: summary changed"]
    assert {case["slug"] for case in release.case_results} == {
        "case-breathless",
        "case-swollen-warm",
    }
    assert get_content().causes["test-clot"].summary == "An editor's new summary."
    assert get_content().release == release.number


def test_a_reviewer_cannot_approve_their_own_change(reviewer, published):
    _change(reviewer, published["cause"], summary="My own change.")

    page = reviewer.get(REVIEW).content.decode()
    response = _approve(reviewer)

    assert "You changed this draft yourself" in page
    assert response.status_code == 302
    assert Release.objects.count() == 2
    assert get_content().causes["test-clot"].summary == "Old summary."
    messages = [str(m) for m in reviewer.get(REVIEW).context["messages"]]
    assert any("you changed this draft yourself" in m for m in messages)


def test_a_reviewer_who_signed_content_off_cannot_approve_the_sign_off(reviewer, published):
    cause = published["cause"]
    changelist = admin_url(Cause, "changelist")
    reviewer.post(changelist, {"action": "mark_reviewed", "_selected_action": [cause.pk]})
    cause.refresh_from_db()
    assert cause.last_reviewed == timezone.localdate()

    _approve(reviewer)

    assert Release.objects.count() == 2
    publish_draft()
    assert get_content().causes["test-clot"].last_reviewed == timezone.localdate()


def test_the_editor_alone_cannot_publish_by_any_route(client, published):
    """Forms, inlines, actions, revert, recover, the approve and roll-back URLs."""
    cause, flag = published["cause"], published["flag"]
    client.force_login(make_user("editor", EDITOR))
    live = get_content()
    # A change form and an inline (the choice labels of a question).
    _change(client, cause, summary="Edited by the editor.")
    choice = Choice.objects.order_by("question__slug", "order").first()
    url = admin_url(Question, "change", choice.question.pk)
    data = form_data(client.get(url))
    data["choices-0-label"] = "Changed in the inline"
    assert client.post(url, data).status_code == 302
    assert Choice.objects.get(pk=choice.pk).label == "Changed in the inline"
    # Revert to an earlier version, and recover a deleted source.
    with reversion.create_revision():
        flag.title = "An older title"
        flag.save()
    old = Version.objects.get_for_object(flag).first()
    url = admin_url(RedFlag, "revision", flag.pk, old.pk)
    assert client.post(url, form_data(client.get(url))).status_code == 302
    assert RedFlag.objects.get(pk=flag.pk).title == "An older title"
    source = published["source"]
    with reversion.create_revision():
        extra = type(source).objects.create(slug="extra-source", title="Extra")
    version = Version.objects.get_for_object(extra).first()
    client.post(admin_url(type(source), "delete", extra.pk), {"post": "yes"})
    url = admin_url(type(source), "recover", version.pk)
    assert client.post(url, form_data(client.get(url))).status_code == 302
    # Actions: sign-off is not offered, and a crafted POST does not publish either.
    client.post(
        admin_url(Cause, "changelist"), {"action": "mark_reviewed", "_selected_action": [cause.pk]}
    )
    # The approve and roll-back URLs, and the release pages, refuse.
    assert _approve(client).status_code == 403
    first = Release.objects.get(number=1)
    assert client.post(admin_url(Release, "rollback", first.pk)).status_code == 403
    assert client.get(admin_url(Release, "rollback", first.pk)).status_code == 403
    assert client.get(admin_url(Release, "add")).status_code == 403

    assert Release.objects.count() == 2
    assert get_content() is live
    assert get_content().causes["test-clot"].summary == "Old summary."
    assert build_snapshot().causes["test-clot"].summary == "Edited by the editor."


def test_approval_runs_the_safety_cases_and_refuses_a_lower_urgency(reviewer, published):
    # A change that skipped the gate (written straight to the rows) is still caught.
    RedFlag.objects.filter(pk=published["flag"].pk).update(urgency="self_care")

    page = reviewer.get(REVIEW).content.decode()
    _approve(reviewer)

    assert "would get a lower urgency than expected" in page
    assert 'id="approve-form"' not in page
    assert Release.objects.count() == 2
    assert get_content().red_flags["test-breathless"].urgency == "emergency"


def test_a_draft_changed_after_the_review_page_was_read_is_not_published(reviewer, published):
    page = reviewer.get(REVIEW)
    Cause.objects.filter(pk=published["cause"].pk).update(summary="Changed meanwhile.")

    reviewer.post(REVIEW, {"digest": page.context["digest"]})

    assert Release.objects.count() == 2


def test_approving_an_unchanged_draft_publishes_nothing(reviewer, published):
    assert "there is nothing to approve" in reviewer.get(REVIEW).content.decode()
    with pytest.raises(services.PublishRefused):
        services.approve(make_user("another", REVIEWER))
    assert Release.objects.count() == 2


def test_rolling_back_publishes_the_earlier_content_again_and_puts_the_draft_back(
    reviewer, published
):
    first = published["release"]
    Cause.objects.filter(pk=published["cause"].pk).update(summary="A worse summary.")
    second = publish_draft()
    assert get_content().causes["test-clot"].summary == "A worse summary."
    url = admin_url(Release, "rollback", first.pk)

    confirm = reviewer.get(url).content.decode()
    response = reviewer.post(url, {"note": "The new summary was wrong."})

    third = Release.objects.get(number=second.number + 1)
    assert "<del>A worse summary.</del> <ins>Old summary.</ins>" in confirm
    assert 'id="confirm-rollback"' in confirm
    assert response.status_code == 302
    assert third.rollback_of == first.number
    assert third.content == first.content
    assert third.note == "The new summary was wrong."
    assert get_content().causes["test-clot"].summary == "Old summary."
    assert Cause.objects.get(pk=published["cause"].pk).summary == "Old summary."
    assert content_data() == first.content
    # The draft rows' history records the roll-back as the reviewer's change.
    latest = Version.objects.get_for_object(published["cause"]).first()
    assert latest.revision.user.username == "reviewer"
    assert "Rolled back to release" in latest.revision.comment


def test_a_roll_back_that_would_lower_a_cases_urgency_is_refused(reviewer, published):
    first = published["release"]
    flag = RedFlag.objects.create(
        slug="test-warm",
        title="Warm calf",
        urgency="emergency",
        criteria={"fact": "warmth", "is": True},
        action="Call now.",
        why_it_matters="Because.",
        guidance_row="x",
    )
    flag.sources.add(published["source"])
    SafetyCase.objects.create(
        slug="case-warm",
        title="Warm",
        guidance_row="x",
        answers={"warmth": True},
        expected_urgency="emergency",
    )
    publish_draft()

    reviewer.post(admin_url(Release, "rollback", first.pk))

    assert Release.objects.count() == 3
    assert "test-warm" in get_content().red_flags


def test_the_review_page_shows_the_wording_and_rules_changed_and_the_reading_level(
    reviewer, published
):
    cause = published["cause"]
    hard = (
        "Thrombophlebitis necessitates comprehensive haematological investigation, "
        "particularly considering concomitant anticoagulation contraindications."
    )
    easy = "A clot can block a vein in your leg. It can hurt and swell. See a doctor today."
    Cause.objects.filter(pk=cause.pk).update(summary=hard, explanation=easy)
    EvidenceRule.objects.filter(slug="test-clot-warmth").update(strength=2)

    response = reviewer.get(REVIEW)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<del>Old summary.</del> <ins>Thrombophlebitis" in page
    assert "test-clot-warmth" in page and "strength" in page
    changes = {c.key: c for c in response.context["changes"]}
    fields = {f.name: f for f in changes["test-clot"].fields}
    assert fields["summary"].reading.too_hard
    assert not fields["explanation"].reading.too_hard
    assert "harder to read than the NHS target" in page
    assert 'id="approve-form"' in page


def test_the_review_dates_command_lists_what_is_overdue_and_exits_non_zero(world):
    Cause.objects.filter(slug="test-clot").update(next_review_due="2020-01-01")
    RedFlag.objects.filter(slug="test-breathless").update(next_review_due="2999-01-01")
    out = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("review_due", stdout=out, stderr=io.StringIO())

    assert exited.value.code == 1
    lines = out.getvalue().splitlines()
    assert any("test-clot\t2020-01-01" in line for line in lines)
    assert not any("test-breathless" in line for line in lines)


def test_the_review_dates_command_exits_zero_when_nothing_is_overdue(world):
    Cause.objects.update(next_review_due="2999-01-01")
    RedFlag.objects.update(next_review_due="2999-01-01")
    out = io.StringIO()

    call_command("review_due", stdout=out)

    assert "No review is overdue." in out.getvalue()


def test_the_admin_index_lists_overdue_reviews_for_reviewers_only(client, world):
    Cause.objects.filter(slug="test-clot").update(next_review_due="2020-01-01")
    RedFlag.objects.filter(slug="test-breathless").update(next_review_due="2999-01-01")
    client.force_login(make_user("reviewer", REVIEWER))

    text = client.get(reverse("admin:index")).content.decode()

    assert 'id="reviews-overdue"' in text
    assert "A clot in a leg vein" in text and "2020" in text
    assert (
        "Breathless with calf pain" not in text.split('id="reviews-overdue"')[1].split("</div>")[0]
    )
    assert 'id="draft-pending"' in text
    client.force_login(make_user("editor", EDITOR))
    assert 'id="reviews-overdue"' not in client.get(reverse("admin:index")).content.decode()


def test_a_red_flag_is_signed_off_by_a_reviewer(reviewer, world):
    flag = world["flag"]
    changelist = admin_url(RedFlag, "changelist")

    reviewer.post(changelist, {"action": "mark_reviewed", "_selected_action": [flag.pk]})

    flag.refresh_from_db()
    assert flag.last_reviewed == timezone.localdate()
    assert flag.next_review_due.year == timezone.localdate().year + 1


def test_content_seeded_into_a_site_with_releases_waits_in_the_draft():
    Cause.objects.filter(slug="footwear").delete()
    publish_draft()
    assert "footwear" not in get_content().causes

    report = services.seed_content(restore_deleted=True)

    assert report.created and report.release is None
    assert "footwear" in build_snapshot().causes
    assert "footwear" not in get_content().causes
    # Seeded rows have no author: any reviewer may approve them.
    assert services.draft_authors(services.latest_release()) == []
    publish_draft()
    assert "footwear" in get_content().causes


def test_the_preview_shows_the_public_pages_with_the_draft_content(client, published):
    client.force_login(make_user("editor", EDITOR))
    question = Question.objects.select_related("topic").order_by("topic__order", "order").first()
    Question.objects.filter(pk=question.pk).update(text="A question worded in the draft?")
    Cause.objects.filter(pk=published["cause"].pk).update(summary="A summary in the draft.")
    preview = admin_url(Release, "preview")

    step = client.get(preview, {"step": question.topic.slug})
    results = client.get(preview, {"case": "case-swollen-warm"})
    printout = client.get(preview, {"case": "case-swollen-warm", "print": "1"})
    onward = client.post(f"{preview}?step={question.topic.slug}")

    page = step.content.decode()
    assert step.status_code == 200
    assert "Preview of the draft" in page
    assert "A question worded in the draft?" in page
    assert 'id="region"' in page
    shown = results.content.decode()
    assert "A summary in the draft." in shown and "Old summary." not in shown
    assert "Draft content, not published" in shown
    assert "css/print" in printout.content.decode()
    assert onward.status_code == 302 and "step=" in onward["Location"]
    # The public still sees the release.
    assert get_content().questions[question.slug].text != "A question worded in the draft?"


def test_the_results_page_names_the_release(client, published):
    session = client.session
    session["answers"] = {"chest_pain_or_breathless": True}
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    response = client.get("/result/")

    page = response.content.decode()
    assert response.status_code == 200

    assert f"Content release {published['release'].number}" in page
