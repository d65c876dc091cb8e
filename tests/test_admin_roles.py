"""The two roles: an editor changes wording; only a clinical reviewer changes clinical logic."""

import datetime

import pytest
import reversion
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.admin_support import (
    EDITOR,
    REVIEWER,
    admin_url,
    errors_of,
    form_data,
    make_user,
)
from triage.models import Cause, EvidenceRule, Question, RedFlag, SafetyCase, Source, Topic

pytestmark = pytest.mark.django_db


def test_the_migration_creates_both_groups_with_the_clinical_permission_for_reviewers_only():
    editor = set(Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True))
    reviewer = set(Group.objects.get(name=REVIEWER).permissions.values_list("codename", flat=True))
    assert {"change_cause", "change_redflag", "change_source", "view_evidencerule"} <= editor
    assert not editor & {"change_clinical_logic", "sign_off_content", "change_evidencerule"}
    assert not editor & {"add_cause", "delete_redflag", "add_choice", "change_safetycase"}
    assert {"change_clinical_logic", "sign_off_content", "change_evidencerule"} <= reviewer
    assert {"add_safetycase", "change_safetycase", "delete_redflag"} <= reviewer


@pytest.mark.parametrize("role", [EDITOR, REVIEWER])
@pytest.mark.parametrize(
    "model", [Cause, Question, RedFlag, Source, Topic, EvidenceRule, SafetyCase]
)
def test_both_roles_can_open_every_list_and_change_page(client, world, role, model):
    client.force_login(make_user("someone", role))
    obj = model.objects.order_by("pk").first()

    assert client.get(admin_url(model, "changelist")).status_code == 200
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(admin_url(Cause, "changelist"))
    assert response.status_code == 302
    assert "/login/" in response.url


def test_the_editor_sees_urgency_and_criteria_read_only(editor, world):
    response = editor.get(admin_url(RedFlag, "change", world["flag"].pk))
    form = response.context["adminform"].form
    assert "urgency" not in form.fields
    assert "criteria" not in form.fields
    assert "action" in form.fields


@pytest.mark.parametrize("model", [Cause, Question, RedFlag, Source, Topic])
def test_the_editor_sees_every_reviewer_only_field_read_only_and_the_rest_editable(
    editor, world, model
):
    from triage.gate import REVIEWER_ONLY_FIELDS

    obj = model.objects.order_by("pk").first()
    form = editor.get(admin_url(model, "change", obj.pk)).context["adminform"].form
    assert not set(REVIEWER_ONLY_FIELDS[model]) & set(form.fields)
    assert form.fields  # the wording stays editable


def test_an_editor_changes_wording_but_a_posted_urgency_is_ignored(editor, world):
    cause = world["cause"]
    url = admin_url(Cause, "change", cause.pk)
    data = form_data(editor.get(url))
    data.update(summary="New plain words.", urgency="self_care", last_reviewed="2026-06-01")

    response = editor.post(url, data)

    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.summary == "New plain words."
    assert cause.urgency == "urgent"
    assert cause.last_reviewed == datetime.date(2026, 1, 1)


def test_an_editor_cannot_change_red_flag_criteria_or_urgency_by_a_crafted_post(editor, world):
    flag = world["flag"]
    url = admin_url(RedFlag, "change", flag.pk)
    data = form_data(editor.get(url))
    data.update(urgency="self_care", criteria='{"fact": "swelling", "is": true}')

    editor.post(url, data)

    flag.refresh_from_db()
    assert flag.urgency == "emergency"
    assert flag.criteria == {"fact": "chest_pain_or_breathless", "is": True}


@pytest.mark.parametrize("view", ["add", "change", "delete"])
def test_an_editor_cannot_write_an_evidence_rule_through_its_own_pages(editor, world, view):
    rule = EvidenceRule.objects.get(slug="test-clot-swelling")
    args = () if view == "add" else (rule.pk,)
    data = {
        "slug": "sneaky",
        "cause": world["cause"].pk,
        "criteria": '{"fact": "warmth", "is": true}',
        "direction": "opposes",
        "strength": "3",
        "statement": "x",
        "order": "0",
        "post": "yes",
    }

    response = editor.post(admin_url(EvidenceRule, view, *args), data)

    assert response.status_code == 403
    rule.refresh_from_db()
    assert (rule.direction, rule.strength) == ("supports", 3)
    assert not EvidenceRule.objects.filter(slug="sneaky").exists()


def test_an_editor_cannot_change_or_add_rules_through_the_cause_inline(editor, world):
    cause = world["cause"]
    url = admin_url(Cause, "change", cause.pk)
    data = form_data(editor.get(url))
    rule = EvidenceRule.objects.get(slug="test-clot-swelling")
    data.update(
        {
            "rules-TOTAL_FORMS": "3",
            "rules-INITIAL_FORMS": "2",
            "rules-0-id": str(rule.pk),
            "rules-0-cause": str(cause.pk),
            "rules-0-strength": "1",
            "rules-0-direction": "opposes",
            "rules-0-DELETE": "on",
            "rules-2-slug": "sneaky",
            "rules-2-cause": str(cause.pk),
            "rules-2-criteria": '{"fact": "warmth", "is": true}',
            "rules-2-direction": "opposes",
            "rules-2-strength": "3",
            "rules-2-statement": "x",
            "rules-2-order": "0",
        }
    )

    editor.post(url, data)

    rule.refresh_from_db()
    assert (rule.direction, rule.strength) == ("supports", 3)
    assert not EvidenceRule.objects.filter(slug="sneaky").exists()


def test_an_editor_cannot_change_a_choice_value_or_a_question_logic(editor, world):
    question = Question.objects.get(slug="swelling")
    url = admin_url(Question, "change", question.pk)
    data = form_data(editor.get(url))
    data.update(kind="integer", ask_when='{"fact": "warmth", "is": true}', text="Is it swollen?")

    editor.post(url, data)

    question.refresh_from_db()
    assert question.text == "Is it swollen?"
    assert (question.kind, question.ask_when) == ("boolean", None)


@pytest.mark.parametrize("model", [Cause, RedFlag, Question])
def test_an_editor_cannot_add_or_delete_clinical_content(editor, world, model):
    obj = model.objects.order_by("pk").first()
    assert editor.get(admin_url(model, "add")).status_code == 403
    assert editor.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_an_editor_cannot_revert_to_a_version_with_another_urgency(client, world):
    cause = world["cause"]
    reviewer = make_user("reviewer", REVIEWER)
    with reversion.create_revision():
        reversion.set_user(reviewer)
        cause.save()
    old = reversion.models.Version.objects.get_for_object(cause).first()
    with reversion.create_revision():
        cause.urgency = "emergency"
        cause.save()
    client.force_login(make_user("editor", EDITOR))
    url = admin_url(Cause, "revision", cause.pk, old.pk)
    data = form_data(client.get(url))

    response = client.post(url, data)

    assert response.status_code == 200
    assert any("only a clinical reviewer may change" in e for e in errors_of(response))
    cause.refresh_from_db()
    assert cause.urgency == "emergency"


def test_only_a_reviewer_can_sign_content_off_as_reviewed(client, world):
    cause = world["cause"]
    action = {"action": "mark_reviewed", "_selected_action": [str(cause.pk)]}

    client.force_login(make_user("editor", EDITOR))
    listing = client.get(admin_url(Cause, "changelist"))
    assert "mark_reviewed" not in listing.content.decode()
    client.post(admin_url(Cause, "changelist"), action)
    cause.refresh_from_db()
    assert cause.last_reviewed == datetime.date(2026, 1, 1)

    client.force_login(make_user("reviewer", REVIEWER))
    client.post(admin_url(Cause, "changelist"), action)
    cause.refresh_from_db()
    today = timezone.localdate()
    assert cause.last_reviewed == today
    assert cause.next_review_due == today.replace(year=today.year + 1)


def test_a_reviewer_can_change_a_rule_in_the_cause_inline(reviewer, world):
    cause = world["cause"]
    url = admin_url(Cause, "change", cause.pk)
    data = form_data(reviewer.get(url))
    index = next(i for i in range(2) if data[f"rules-{i}-slug"] == "test-clot-warmth")
    data[f"rules-{index}-statement"] = "You said your calf feels warm."

    response = reviewer.post(url, data)

    assert response.status_code == 302
    assert EvidenceRule.objects.get(slug="test-clot-warmth").statement == (
        "You said your calf feels warm."
    )


def test_an_editor_can_add_a_source_but_not_a_safety_case(editor, world):
    response = editor.post(
        admin_url(Source, "add"), {"slug": "new-source", "title": "New", "url": "", "note": ""}
    )
    assert response.status_code == 302
    assert Source.objects.filter(slug="new-source").exists()
    assert editor.get(admin_url(SafetyCase, "add")).status_code == 403


def test_a_refused_admin_page_says_so_in_plain_words(editor, world):
    response = editor.get(admin_url(EvidenceRule, "add"))
    assert response.status_code == 403
    assert "You do not have permission to see or change this." in response.content.decode()
