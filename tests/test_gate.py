"""The safety gate: a change that under-triages any safety case is refused, a safe one allowed."""

import pytest
from django.contrib.messages import get_messages

from tests.admin_support import (
    admin_url,
    ensure_question,
    errors_of,
    form_data,
)
from triage import gate
from triage.models import Cause, Choice, EvidenceRule, Question, RedFlag

pytestmark = pytest.mark.django_db


def test_the_isolated_cases_pass_before_any_change(world):
    from triage.selectors import build_snapshot

    results = gate.run_cases(build_snapshot())
    assert [r.problems for r in results] == [(), ()]


def test_lowering_a_red_flags_urgency_is_refused_with_the_cases(reviewer, world):
    flag = world["flag"]
    url = admin_url(RedFlag, "change", flag.pk)
    data = form_data(reviewer.get(url))
    data["urgency"] = "urgent"
    data["title"] = "A new title that must not be saved either"

    response = reviewer.post(url, data)

    assert response.status_code == 200
    errors = errors_of(response)
    assert any("lower urgency than expected" in e for e in errors)
    assert "Breathless (§1.1 row 1): expected Emergency, would get Urgent: get help today" in errors
    flag.refresh_from_db()
    assert (flag.urgency, flag.title) == ("emergency", "Breathless with calf pain")


def test_narrowing_red_flag_criteria_so_a_case_no_longer_fires_is_refused(reviewer, world):
    flag = world["flag"]
    url = admin_url(RedFlag, "change", flag.pk)
    data = form_data(reviewer.get(url))
    data["criteria"] = (
        '{"all": [{"fact": "chest_pain_or_breathless", "is": true},'
        ' {"fact": "swelling", "is": true}]}'
    )

    response = reviewer.post(url, data)

    assert response.status_code == 200
    assert any("expected Emergency, would get Self care" in e for e in errors_of(response))
    flag.refresh_from_db()
    assert flag.criteria == {"fact": "chest_pain_or_breathless", "is": True}


def test_deleting_a_red_flag_a_case_relies_on_is_refused(reviewer, world):
    flag = world["flag"]

    response = reviewer.post(admin_url(RedFlag, "delete", flag.pk), {"post": "yes"})

    assert response.status_code == 302
    assert response.url == admin_url(RedFlag, "change", flag.pk)
    assert RedFlag.objects.filter(pk=flag.pk).exists()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("expected Emergency, would get Self care" in m for m in shown)


def test_lowering_an_urgent_red_flag_is_refused(reviewer, world):
    flag = world["urgent_flag"]
    url = admin_url(RedFlag, "change", flag.pk)
    data = form_data(reviewer.get(url))
    data["urgency"] = "soon"

    response = reviewer.post(url, data)

    assert response.status_code == 200
    assert any("Swollen warm calf" in e and "would get Soon" in e for e in errors_of(response))
    flag.refresh_from_db()
    assert flag.urgency == "urgent"


def test_a_causes_own_level_never_sets_the_urgency(reviewer, world):
    # red-flags.md §1.5: a cause's evidence includes risk factors and medicines, so the level of
    # a result comes from the red flags; a cause's level is shown with it and nothing more.
    cause = world["cause"]
    url = admin_url(Cause, "change", cause.pk)
    data = form_data(reviewer.get(url))
    data["urgency"] = "self_care"

    response = reviewer.post(url, data, follow=True)

    cause.refresh_from_db()
    assert cause.urgency == "self_care"
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]


def test_deleting_an_inline_rule_that_changes_a_cases_causes_is_saved_with_a_warning(
    reviewer, world
):
    cause = world["cause"]
    url = admin_url(Cause, "change", cause.pk)
    data = form_data(reviewer.get(url))
    for i in range(2):
        data[f"rules-{i}-DELETE"] = "on"

    response = reviewer.post(url, data, follow=True)

    assert not EvidenceRule.objects.filter(cause=cause).exists()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "Swollen warm calf" in warnings[0]


def test_a_change_that_raises_urgency_is_saved_with_a_warning_listing_the_cases(reviewer, world):
    flag = world["urgent_flag"]
    url = admin_url(RedFlag, "change", flag.pk)
    data = form_data(reviewer.get(url))
    data["urgency"] = "emergency"

    response = reviewer.post(url, data, follow=True)

    flag.refresh_from_db()
    assert flag.urgency == "emergency"
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "Swollen warm calf" in warnings[0]
    assert "Urgent: get help today → Emergency" in warnings[0]
    assert "Breathless" not in warnings[0]


def test_a_wording_change_is_saved_without_a_warning(reviewer, world):
    cause = world["cause"]
    url = admin_url(Cause, "change", cause.pk)
    data = form_data(reviewer.get(url))
    data["summary"] = "A clearer summary."

    response = reviewer.post(url, data, follow=True)

    cause.refresh_from_db()
    assert cause.summary == "A clearer summary."
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]


def test_a_new_red_flag_that_raises_a_case_is_allowed(reviewer, world):
    url = admin_url(RedFlag, "add")
    data = {
        "slug": "test-warm",
        "title": "Warm calf",
        "order": "5",
        "urgency": "emergency",
        "criteria": '{"fact": "warmth", "is": true}',
        "guidance_row": "test",
        "action": "Go now.",
        "why_it_matters": "Because.",
        "safety_net": "",
        "sources": [str(world["source"].pk)],
    }

    response = reviewer.post(url, data, follow=True)

    assert RedFlag.objects.filter(slug="test-warm").exists()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert "Swollen warm calf" in warnings[0]


def test_removing_a_choice_that_criteria_use_is_refused_as_invalid_content(reviewer, world):
    side = ensure_question("side", kind="choice")
    for value in ("one_leg", "both_legs"):
        Choice.objects.get_or_create(question=side, value=value, defaults={"label": value})
    EvidenceRule.objects.create(
        slug="test-clot-one-leg",
        cause=world["cause"],
        criteria={"fact": "side", "is": "one_leg"},
        strength=1,
        statement="One leg.",
    )
    url = admin_url(Question, "change", side.pk)
    data = form_data(reviewer.get(url))
    index = next(
        i
        for i in range(int(data["choices-TOTAL_FORMS"]))
        if data[f"choices-{i}-value"] == "one_leg"
    )
    data[f"choices-{index}-DELETE"] = "on"

    response = reviewer.post(url, data)

    assert response.status_code == 200
    assert any("would no longer work" in e and "one_leg" in e for e in errors_of(response))
    assert side.choices.filter(value="one_leg").exists()


def test_a_skip_condition_that_hides_a_needed_question_is_refused(reviewer, world):
    # The breathless question asked only of people on a statin: the case (no statin) would
    # never be asked it, so its emergency would be missed.
    breathless = Question.objects.get(slug="chest_pain_or_breathless")
    url = admin_url(Question, "change", breathless.pk)
    data = form_data(reviewer.get(url))
    data["ask_when"] = '{"fact": "statin", "is": true}'
    world["cases"][0].answers = {"chest_pain_or_breathless": True, "statin": False}
    world["cases"][0].save()

    response = reviewer.post(url, data)

    assert response.status_code == 200
    assert any("Breathless" in e and "would get Self care" in e for e in errors_of(response))
    breathless.refresh_from_db()
    assert breathless.ask_when in (None, {})


def test_a_case_already_under_triaged_does_not_block_an_unrelated_change(reviewer, world):
    world["cases"][1].expected_urgency = "emergency"
    world["cases"][1].save()
    flag = world["flag"]
    url = admin_url(RedFlag, "change", flag.pk)
    data = form_data(reviewer.get(url))
    data["why_it_matters"] = "Clearer words."

    response = reviewer.post(url, data)

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.why_it_matters == "Clearer words."


def test_judge_reports_a_new_under_triage_and_ignores_unchanged_content(world):
    baseline = gate.Baseline.capture()
    assert not gate.judge(baseline, reviewer=True).refused

    RedFlag.objects.filter(pk=world["flag"].pk).update(urgency="soon")
    verdict = gate.judge(baseline, reviewer=True)

    assert verdict.refused
    assert verdict.under_triaged == [
        "Breathless (§1.1 row 1): expected Emergency, would get Soon: see a doctor within days"
    ]
