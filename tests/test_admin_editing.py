"""Editing in the admin: bad input, history and revert, fresh public content, preview and lists."""

import pytest
import reversion
from django.conf import settings
from reversion.models import Version

from tests.admin_support import (
    EDITOR,
    admin_url,
    errors_of,
    form_data,
    make_user,
    publish_draft,
)
from tests.answer_sets import complete_answers
from triage import selectors
from triage.models import Cause, EvidenceRule, RedFlag, Release, SafetyCase, Source
from triage.selectors import get_content

pytestmark = pytest.mark.django_db

# Answers under which the isolated world's red flag fires and its cause is "more likely".
# An urgent result, which shows each cause's summary (an emergency result does not).
ANSWERS = {"chest_pain_or_breathless": False, "swelling": True, "warmth": True}


def _change(client, obj, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


# Bad input: a clear form error, nothing saved, never a 500.


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ('{"fact": "no_such_fact", "is": true}', "unknown fact 'no_such_fact'"),
        ('{"fact": "swelling", "is": "very"}', "'very' is not allowed; expected true, false or"),
        ('{"any": []}', "expected a non-empty list of criteria"),
        ('{"fact": "swelling"', "Enter a valid JSON."),
        ('["swelling"]', "expected an object"),
    ],
    ids=["unknown-fact", "value-not-allowed", "empty-any", "not-json", "not-an-object"],
)
def test_invalid_red_flag_criteria_are_a_form_error_and_nothing_is_saved(
    reviewer, world, criteria, message
):
    flag = world["flag"]

    response = _change(reviewer, flag, criteria=criteria, title="Changed title")

    assert response.status_code == 200
    assert any(message in error for error in errors_of(response))
    flag.refresh_from_db()
    assert flag.title == "Breathless with calf pain"


def test_invalid_criteria_in_an_inline_rule_are_a_form_error(reviewer, world):
    cause = world["cause"]
    url = admin_url(Cause, "change", cause.pk)
    data = form_data(reviewer.get(url))
    data["rules-0-criteria"] = '{"fact": "nope", "is": true}'

    response = reviewer.post(url, data)

    assert response.status_code == 200
    assert any("unknown fact 'nope'" in e for e in errors_of(response))


def test_a_duplicate_slug_is_a_form_error(reviewer, world):
    response = reviewer.post(
        admin_url(Source, "add"), {"slug": "test-source", "title": "Again", "url": "", "note": ""}
    )
    assert response.status_code == 200
    assert any("already exists" in e for e in errors_of(response))
    assert Source.objects.filter(slug="test-source").count() == 1


def test_a_duplicate_rule_slug_in_the_inline_is_a_form_error(reviewer, world):
    cause = world["cause"]
    url = admin_url(Cause, "change", cause.pk)
    data = form_data(reviewer.get(url))
    data["rules-1-slug"] = data["rules-0-slug"]

    response = reviewer.post(url, data)

    assert response.status_code == 200
    assert errors_of(response)
    assert EvidenceRule.objects.filter(cause=cause).count() == 2


def test_a_next_review_before_the_last_review_is_a_form_error(client, world):
    client.force_login(make_user("editor", EDITOR))
    cause = world["cause"]

    response = _change(client, cause, next_review_due="2025-12-31")

    assert response.status_code == 200
    assert "The next review cannot be due before the last review." in errors_of(response)
    cause.refresh_from_db()
    assert str(cause.next_review_due) == "2027-01-01"


def test_a_last_review_in_the_future_is_a_form_error(reviewer, world):
    response = _change(reviewer, world["cause"], last_reviewed="2999-01-01")
    assert response.status_code == 200
    assert "The last review cannot be in the future." in errors_of(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("answers", '{"swelling": "very"}', "'very' is not allowed"),
        ("answers", '{"no_such_fact": true}', "no_such_fact: unknown fact"),
        ("expected_top_causes", '["no-such-cause"]', "Unknown cause: no-such-cause"),
        ("expected_red_flags", '"test-breathless"', "Give a JSON list of slugs"),
    ],
    ids=["bad-value", "unknown-fact", "unknown-cause", "not-a-list"],
)
def test_an_invalid_safety_case_is_a_form_error(reviewer, world, field, value, message):
    case = world["cases"][0]

    response = _change(reviewer, case, **{field: value})

    assert response.status_code == 200
    assert any(message in e for e in errors_of(response))
    case.refresh_from_db()
    assert case.answers == {"chest_pain_or_breathless": True}


def test_a_reviewer_can_add_a_safety_case(reviewer, world):
    response = reviewer.post(
        admin_url(SafetyCase, "add"),
        {
            "slug": "case-warm",
            "title": "Warm calf only",
            "guidance_row": "§3",
            "answers": '{"warmth": true}',
            "expected_urgency": "self_care",
            "expected_top_causes": "[]",
            "expected_red_flags": "[]",
            "absent_red_flags": '["test-breathless"]',
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert SafetyCase.objects.get(slug="case-warm").absent_red_flags == ["test-breathless"]


# History and revert.


def test_every_change_is_recorded_with_who_and_what_and_can_be_reverted(reviewer, world):
    cause = world["cause"]
    _change(reviewer, cause, summary="First edit.")
    _change(reviewer, cause, summary="Second edit.", urgency="emergency")

    versions = Version.objects.get_for_object(cause)
    assert versions.count() == 2
    latest = versions.first()
    assert latest.revision.user.username == "reviewer"
    assert "Summary" in latest.revision.get_comment()
    assert "Urgency" in latest.revision.get_comment()
    history = reviewer.get(admin_url(Cause, "history", cause.pk)).content.decode()
    assert "reviewer" in history

    first = versions.last()
    url = admin_url(Cause, "revision", cause.pk, first.pk)
    response = reviewer.post(url, form_data(reviewer.get(url)))

    assert response.status_code == 302
    cause.refresh_from_db()
    assert (cause.summary, cause.urgency) == ("First edit.", "urgent")
    assert Version.objects.get_for_object(cause).count() == 3


def test_a_revert_that_would_under_triage_a_case_is_refused(reviewer, world):
    flag = world["urgent_flag"]
    with reversion.create_revision():
        flag.urgency = "soon"
        flag.save()
    old = Version.objects.get_for_object(flag).first()
    flag.urgency = "urgent"
    flag.save()

    url = admin_url(RedFlag, "revision", flag.pk, old.pk)
    response = reviewer.post(url, form_data(reviewer.get(url)))

    assert response.status_code == 200
    assert any("Swollen warm calf" in e for e in errors_of(response))
    flag.refresh_from_db()
    assert flag.urgency == "urgent"


def test_a_deleted_red_flag_can_be_recovered(reviewer, world):
    with reversion.create_revision():
        extra = RedFlag.objects.create(
            slug="test-extra",
            title="Extra",
            urgency="urgent",
            criteria={"fact": "warmth", "is": True},
            action="Go.",
            why_it_matters="Because.",
            guidance_row="x",
        )
        extra.sources.add(world["source"])
    version = Version.objects.get_for_object(extra).first()
    reviewer.post(admin_url(RedFlag, "delete", extra.pk), {"post": "yes"})
    assert not RedFlag.objects.filter(slug="test-extra").exists()

    url = admin_url(RedFlag, "recover", version.pk)
    response = reviewer.post(url, form_data(reviewer.get(url)))

    assert response.status_code == 302
    assert RedFlag.objects.filter(slug="test-extra").exists()


# Fresh content on the public site.


def _public_result(client) -> str:
    session = client.session
    session["answers"] = complete_answers(get_content(), ANSWERS)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get("/result/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_admin_edit_shows_on_the_public_results_page_once_another_reviewer_approves_it(
    reviewer, world
):
    publish_draft()
    assert "Old summary." in _public_result(reviewer)

    _change(reviewer, world["cause"], summary="A summary edited a moment ago.")

    # Saved in the draft only: the public still reads the release.
    assert "Old summary." in _public_result(reviewer)
    assert get_content().causes["test-clot"].summary == "Old summary."
    publish_draft()
    assert get_content().causes["test-clot"].summary == "A summary edited a moment ago."
    page = _public_result(reviewer)
    assert "A summary edited a moment ago." in page
    assert "Old summary." not in page


def test_the_snapshot_is_rebuilt_when_another_process_publishes_a_release(world):
    publish_draft()
    before = get_content()
    assert before.causes["test-clot"].summary == "Old summary."
    # Another process writes the row and publishes it; this process has not seen it.
    Cause.objects.filter(slug="test-clot").update(summary="Written elsewhere.")
    assert get_content() is before
    Release.objects.filter(number=before.release).update(number=before.release + 100)
    Release.objects.filter(number=before.release + 100).update(
        token="published-by-another-process", content=selectors.content_data()
    )

    after = get_content()

    assert after is not before
    assert after.causes["test-clot"].summary == "Written elsewhere."
    assert selectors.get_content() is after


def test_a_refused_change_leaves_the_content_version_alone(reviewer, world):
    token = selectors.content_token()
    _change(reviewer, world["flag"], urgency="self_care")
    assert selectors.content_token() == token
    # An accepted change is in the draft only, so it leaves the live token alone too.
    _change(reviewer, world["cause"], summary="Changed.")
    assert selectors.content_token() == token


# Preview, lists and the safety page.


def test_the_preview_shows_the_cause_as_the_public_sees_it_with_markdown_made_safe(reviewer, world):
    cause = world["cause"]
    _change(
        reviewer,
        cause,
        explanation="It is **serious**.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
    )

    response = reviewer.get(admin_url(Cause, "preview", cause.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>serious</strong>" in page
    assert "alert(1)" not in page
    assert "javascript:" not in page


def test_the_review_overdue_filter_lists_only_overdue_causes(reviewer, world):
    Cause.objects.create(
        slug="test-current",
        title="Reviewed lately",
        summary=".",
        explanation=".",
        self_care=".",
        when_to_get_help=".",
        urgency="self_care",
        last_reviewed="2026-01-01",
        next_review_due="2999-01-01",
    )
    Cause.objects.filter(slug="test-clot").update(next_review_due="2026-02-01")

    response = reviewer.get(admin_url(Cause, "changelist"), {"review": "overdue"})

    shown = [c.slug for c in response.context["cl"].result_list]
    assert shown == ["test-clot"]


def test_the_cause_list_searches_the_summary(reviewer, world):
    response = reviewer.get(admin_url(Cause, "changelist"), {"q": "Old summary"})
    assert [c.slug for c in response.context["cl"].result_list] == ["test-clot"]


def test_the_safety_page_shows_each_case_passing_or_failing_with_the_difference(client, world):
    client.force_login(make_user("editor", EDITOR))
    SafetyCase.objects.filter(slug="case-swollen-warm").update(expected_urgency="emergency")

    response = client.get(admin_url(SafetyCase, "run"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 of 2 cases pass; 1 fails (1 with a lower urgency than expected)." in page
    assert "urgency is urgent, expected emergency" in page
    listing = client.get(admin_url(SafetyCase, "changelist")).content.decode()
    assert admin_url(SafetyCase, "run") in listing


def test_seeding_again_keeps_an_edit_made_in_the_admin(reviewer):
    from triage.services import seed_content

    cause = Cause.objects.order_by("pk").first()
    if cause is None:
        pytest.fail("the shipped causes were not seeded")
    _change(reviewer, cause, summary="An editor's better summary.")

    seed_content()

    cause.refresh_from_db()
    assert cause.summary == "An editor's better summary."


def test_the_preview_uses_the_public_cause_block_with_every_statement(reviewer, world):
    cause = world["cause"]
    statements = list(cause.rules.values_list("statement", "direction"))

    page = reviewer.get(admin_url(Cause, "preview", cause.pk)).content.decode()

    assert f'<article class="cause" aria-labelledby="cause-{cause.slug}">' in page
    assert statements
    for statement, _direction in statements:
        assert statement.replace("'", "&#x27;") in page
