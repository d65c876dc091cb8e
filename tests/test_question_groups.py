"""Question groups in the content: what can be grouped, releases, the review and the count."""

import dataclasses
import re

import pytest
from django.core.exceptions import ValidationError

from triage import questionnaire, review, selectors, services
from triage.models import Question, QuestionGroup

pytestmark = pytest.mark.django_db


def test_every_group_of_the_shipped_content_holds_only_yes_or_no_questions():
    groups = list(QuestionGroup.objects.prefetch_related("questions"))
    assert groups
    for group in groups:
        items = list(group.questions.all())
        assert items, group.slug
        for item in items:
            assert item.kind == Question.Kind.BOOLEAN, item.slug
            assert item.topic_id == group.topic_id, item.slug
            item.full_clean()


def test_a_question_with_choices_cannot_be_grouped():
    question = Question.objects.get(slug="injury_or_trauma")
    assert question.group is not None
    question.kind = Question.Kind.CHOICE
    with pytest.raises(ValidationError) as refused:
        question.clean()
    assert "group" in refused.value.message_dict


def test_a_question_with_not_sure_can_be_grouped():
    question = Question.objects.get(slug="fever")
    assert question.group is not None and question.allow_not_sure
    question.full_clean()


def test_a_question_cannot_be_in_a_group_of_another_topic():
    question = Question.objects.get(slug="injury_or_trauma")
    question.group = QuestionGroup.objects.exclude(topic=question.topic).first()
    with pytest.raises(ValidationError):
        question.clean()


def test_the_snapshot_gives_each_topic_its_groups_with_their_items_in_question_order():
    snapshot = selectors.build_snapshot()
    topic = questionnaire.get_step(snapshot, "about-you")
    (before, pain) = topic.groups
    assert before.slug == "before-the-pain"
    assert before.legend == "Has any of these happened recently?"
    assert before.facts == (
        "more_standing_walking_than_usual",
        "new_footwear_or_worn_shoes",
        "injury_or_trauma",
    )
    assert "back_pain_radiating" in pain.facts
    assert topic.group_of(snapshot.questions["injury_or_trauma"]) is before
    assert topic.group_of(snapshot.questions["age"]) is None


def test_a_release_stored_before_groups_existed_asks_every_question_on_its_own():
    content = selectors.content_data()
    older = {kind: items for kind, items in content.items() if kind != "groups"}
    older["questions"] = [
        {k: v for k, v in q.items() if k != "group"} for q in content["questions"]
    ]
    snapshot = selectors.snapshot_from_data(older)
    assert all(not topic.groups for topic in snapshot.topics)
    assert all(q.group == "" for q in snapshot.questions.values())


def test_a_release_puts_the_groups_back_as_they_were():
    content = selectors.content_data()
    QuestionGroup.objects.filter(slug="health-and-risks").update(legend="Changed?")
    Question.objects.filter(slug="smoker").update(group=None)
    changed = selectors.content_data()
    lines = [change.line() for change in review.compare(content, changed)]
    assert any("health-and-risks" in line for line in lines), lines
    assert any("smoker" in line for line in lines), lines
    services.write_content(content)
    assert selectors.content_data() == content


def test_a_list_counts_as_one_question_each_time_it_is_shown():
    snapshot = selectors.build_snapshot()
    facts = {"age": 40, "sex": "male", "side": "both_legs"}
    grouped = questionnaire.walk(snapshot, facts)
    ungrouped = dataclasses.replace(
        snapshot,
        topics=tuple(dataclasses.replace(t, groups=()) for t in snapshot.topics),
        questions={f: dataclasses.replace(q, group="") for f, q in snapshot.questions.items()},
    )
    ungrouped = dataclasses.replace(
        ungrouped,
        topics=tuple(
            dataclasses.replace(
                t, questions=tuple(ungrouped.questions[q.fact] for q in t.questions)
            )
            for t in ungrouped.topics
        ),
    )
    alone = questionnaire.walk(ungrouped, facts)
    assert grouped.answers == alone.answers and grouped.pages == alone.pages
    # Each list shown on a page visit is one question instead of one per item asked.
    saved = 0
    answered: set[str] = set()
    for slug in grouped.pages:
        topic = questionnaire.get_step(snapshot, slug)
        for group in topic.groups:
            asked = [f for f in group.facts if f in grouped.answers and f not in answered]
            saved += max(len(asked) - 1, 0)
        answered |= {q.fact for q in topic.questions if q.fact in grouped.answers}
    assert saved > 0
    assert grouped.questions == alone.questions - saved


def test_the_groups_are_those_of_the_content_plan():
    from django.conf import settings

    text = (settings.BASE_DIR / "docs" / "content-plan.md").read_text(encoding="utf-8")
    row = re.compile(r"^\|\s*`([a-z-]+)`\s*\|\s*`([a-z-]+)`\s*\|([^|]+)\|([^|]+)\|\s*$")
    planned = {}
    for line in text.splitlines():
        if match := row.match(line):
            topic, slug, legend, facts = match.groups()
            planned[slug] = (topic, legend.strip(), [f.strip() for f in facts.split(",")])
    assert planned
    shipped = {
        group.slug: (
            group.topic.slug,
            group.legend,
            list(group.questions.order_by("order").values_list("slug", flat=True)),
        )
        for group in QuestionGroup.objects.select_related("topic")
    }
    assert shipped == planned


def _change(client, obj, **changes):
    from tests.admin_support import admin_url, form_data

    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_an_editor_changes_a_list_s_wording_in_the_draft(editor):
    group = QuestionGroup.objects.get(slug="health-and-risks")
    response = _change(editor, group, legend="Has any of these happened to you?")
    assert response.status_code == 302
    assert QuestionGroup.objects.get(slug="health-and-risks").legend.startswith("Has any")
    live = questionnaire.get_step(selectors.get_content(), "medicines").groups
    assert [g.legend for g in live if g.slug == "health-and-risks"] == [
        "Does any of these apply to you?"
    ]


def test_only_a_clinical_reviewer_decides_which_questions_are_asked_as_a_list(editor):
    from tests.admin_support import admin_url

    question = Question.objects.get(slug="smoker")
    html = editor.get(admin_url(Question, "change", question.pk)).content.decode()
    assert 'name="group"' not in html  # read-only to an editor
    response = _change(editor, question, group="")
    assert Question.objects.get(slug="smoker").group is not None
    assert response.status_code in (200, 302)


def test_a_reviewer_cannot_put_a_question_with_choices_in_a_list(reviewer):
    from tests.admin_support import errors_of

    question = Question.objects.get(slug="onset")
    group = QuestionGroup.objects.get(slug="leg-signs")
    response = _change(reviewer, question, group=str(group.pk))
    assert response.status_code == 200
    assert any("Only a yes-or-no question can be in a group" in e for e in errors_of(response))
    assert Question.objects.get(slug="onset").group is None
