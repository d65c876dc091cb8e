"""Helpers for the admin tests: users in each role, a small isolated content world, form data."""

import datetime
import itertools

from django import forms
from django.contrib.auth.models import Group, User
from django.urls import reverse

from triage import services
from triage.models import (
    Cause,
    EvidenceRule,
    Question,
    RedFlag,
    Release,
    SafetyCase,
    Source,
    Topic,
)

EDITOR = "Content editor"
REVIEWER = "Clinical reviewer"


def make_user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username, password="a long test password 123", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


_approvers = itertools.count(1)


def publish_draft(note: str = "") -> Release:
    """Publish the draft as the next release, approved by a reviewer who changed none of it."""
    approver = make_user(f"approver-{next(_approvers)}", REVIEWER)
    return services.approve(approver, note=note)


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def ensure_question(slug: str, kind: str = "boolean") -> Question:
    """A fact the tests rely on: the shipped questionnaire has it; create it if not seeded."""
    topic, _ = Topic.objects.get_or_create(
        slug="admin-tests", defaults={"title": "Admin tests", "order": 99}
    )
    question, _ = Question.objects.get_or_create(
        slug=slug,
        defaults={"topic": topic, "kind": kind, "text": slug, "short_label": slug},
    )
    return question


def isolated_content():
    """
    Replace the shipped red flags, causes and cases (inside the test's transaction) with a small
    world whose results are known: an emergency and an urgent red flag, one cause with two rules,
    two cases. As in the shipped content, the urgency comes from the red flags alone.
    """
    RedFlag.objects.all().delete()
    Cause.objects.all().delete()
    SafetyCase.objects.all().delete()
    for fact in ("chest_pain_or_breathless", "swelling", "warmth", "statin"):
        ensure_question(fact)
    source = Source.objects.create(slug="test-source", title="A test source")
    flag = RedFlag.objects.create(
        slug="test-breathless",
        title="Breathless with calf pain",
        urgency="emergency",
        criteria={"fact": "chest_pain_or_breathless", "is": True},
        action="Call now.",
        why_it_matters="A clot may have reached the lungs.",
        guidance_row="§1.1 row 1",
    )
    flag.sources.add(source)
    urgent_flag = RedFlag.objects.create(
        slug="test-swollen-warm",
        title="Swollen, warm calf",
        urgency="urgent",
        criteria={"all": [{"fact": "swelling", "is": True}, {"fact": "warmth", "is": True}]},
        action="Get help today.",
        why_it_matters="It may be a clot.",
        guidance_row="§1.2 row 1",
        order=1,
    )
    urgent_flag.sources.add(source)
    cause = Cause.objects.create(
        slug="test-clot",
        title="A clot in a leg vein",
        summary="Old summary.",
        explanation="What it is.",
        self_care="What helps.",
        when_to_get_help="When to get help.",
        urgency="urgent",
        last_reviewed=datetime.date(2026, 1, 1),
        next_review_due=datetime.date(2027, 1, 1),
    )
    cause.sources.add(source)
    EvidenceRule.objects.create(
        slug="test-clot-swelling",
        cause=cause,
        criteria={"fact": "swelling", "is": True},
        strength=3,
        statement="You said your calf is swollen.",
    )
    EvidenceRule.objects.create(
        slug="test-clot-warmth",
        cause=cause,
        criteria={"fact": "warmth", "is": True},
        strength=1,
        statement="You said your calf is warm.",
    )
    breathless = SafetyCase.objects.create(
        slug="case-breathless",
        title="Breathless",
        guidance_row="§1.1 row 1",
        answers={"chest_pain_or_breathless": True},
        expected_urgency="emergency",
        expected_red_flags=["test-breathless"],
    )
    swollen = SafetyCase.objects.create(
        slug="case-swollen-warm",
        title="Swollen warm calf",
        guidance_row="§2 row 1",
        answers={"swelling": True, "warmth": True, "chest_pain_or_breathless": False},
        expected_urgency="urgent",
        expected_top_causes=["test-clot"],
    )
    return {
        "flag": flag,
        "urgent_flag": urgent_flag,
        "cause": cause,
        "source": source,
        "cases": [breathless, swollen],
    }


def form_data(response) -> dict:
    """The POST data of an admin add or change page as the browser would send it, unchanged."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
                continue
            if value is None:
                value = ""
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def errors_of(response) -> list[str]:
    """Every error shown on an admin form page (form, fields and inlines)."""
    adminform = response.context["adminform"]
    found = []
    for field_errors in adminform.form.errors.values():
        found += [str(e) for e in field_errors]
    for inline in response.context["inline_admin_formsets"]:
        for form_errors in inline.formset.errors:
            for field_errors in form_errors.values():
                found += [str(e) for e in field_errors]
        found += [str(e) for e in inline.formset.non_form_errors()]
    return found
