"""Check your answers: a Change link on every row, the answers that matter first, a back link."""

import re

import pytest
from django.urls import reverse

from tests.answer_sets import CASES, complete_answers, form_data, set_answers
from triage.questionnaire import Journey

CHECK = reverse("triage:check_answers")
HTMX = {"hx-request": "true"}


def rows(html: str) -> list[tuple[str, str, str, str]]:
    """(key, value, Change link, its hidden words) of every summary row, in page order."""
    return re.findall(
        r'<dt class="summary-list__key">(.*?)</dt><dd class="summary-list__value">(.*?)</dd>'
        r'<dd class="summary-list__actions"><a href="([^"]+)">Change'
        r'<span class="visually-hidden"> (.*?)</span></a></dd>',
        html,
    )


@pytest.mark.parametrize("case", ["urgent", "soon", "self_care"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_answer_has_its_own_change_link(client, content, case, htmx):
    answers = complete_answers(content, CASES[case])
    set_answers(client, answers)
    html = client.get(CHECK, headers=HTMX if htmx else {}).content.decode()
    shown = rows(html)
    journey = Journey(content, answers)
    expected = [row for step in journey.answered_steps() for row in step.rows]
    assert len(shown) == len(expected) == html.count('class="summary-list__row"')
    for key, _value, link, words in shown:
        assert link.startswith("/check/") and link.endswith("/?change=1"), link
        assert words and "about about" not in words and "answers about" not in words
    by_key = {key: words for key, _v, _l, words in shown}
    assert by_key["Age"] == "age"
    for key, words in by_key.items():
        if key != "Do you have any of these?":
            # "Change how it started": the short label, read on from "Change".
            assert words == key[0].lower() + key[1:], (key, words)
    # The checklist's one row names its question.
    assert by_key["Do you have any of these?"] == "your answer to ‘Do you have any of these?’"


def test_the_answers_behind_the_result_come_first(client, content):
    answers = complete_answers(content, CASES["urgent"])
    set_answers(client, answers)
    html = client.get(CHECK).content.decode()
    journey = Journey(content, answers)
    mattering = journey.facts_that_matter()
    assert mattering
    labels = [content.questions[fact].short_label for fact in mattering]
    first, others = html.split("Your other answers")
    assert "The answers that matter most to your results" in first
    assert [key for key, *_ in rows(first)] == labels
    # The red flag's answers before the causes'.
    flag_facts = [f for flag in journey.assessment.red_flags for f in flag.because]
    assert flag_facts and mattering[: len(set(flag_facts))] == list(dict.fromkeys(flag_facts))
    assert not set(labels) & {key for key, *_ in rows(others)}


def test_a_result_with_nothing_behind_it_lists_the_answers_page_by_page(client, content):
    answers = complete_answers(content)  # the quiet defaults: nothing fires, no cause banded
    journey = Journey(content, answers)
    assert journey.facts_that_matter() == []
    set_answers(client, answers)
    html = client.get(CHECK).content.decode()
    assert "matter most" not in html and "Your other answers" not in html
    for step in journey.answered_steps():
        assert f'<h2 class="summary-heading">{step.topic.title}</h2>' in html


def test_check_answers_has_a_back_link_to_the_last_question_page(client, content):
    answers = complete_answers(content, CASES["soon"])
    set_answers(client, answers)
    html = client.get(CHECK).content.decode()
    last = Journey(content, answers).progress.active[-1]
    assert f'<a href="/check/{last.slug}/" class="back-link">Back</a>' in html


def test_a_change_link_leads_back_to_check_answers(client, content):
    answers = complete_answers(content, CASES["soon"])
    set_answers(client, answers)
    key, _value, link, _words = rows(client.get(CHECK).content.decode())[0]
    slug = link.split("/")[2]
    page = client.get(link).content.decode()
    assert f'href="{CHECK}" class="back-link"' in page
    response = client.post(link, form_data(content, slug, answers))
    assert response["Location"] == CHECK
