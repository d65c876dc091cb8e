"""Check your answers, results, start and start again."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.answer_sets import CASES, complete_answers, set_answers
from tests.journeys import result_summary
from triage.questionnaire import Journey
from triage.rules import evaluate

HTMX = {"hx-request": "true"}
RESULT = reverse("triage:result")
CHECK = reverse("triage:check_answers")


def page_summary(assessment) -> dict:
    """What result_summary reads off a results page showing ``assessment``."""
    return {
        "urgency": assessment.urgency,
        "causes": [(cause.band, cause.slug) for cause in assessment.causes],
    }


HEADINGS = {
    "emergency": "Emergency:",
    "urgent": "Urgent:",
    "soon": "Non-urgent:",
    "self_care": "Self care:",
}


def test_the_start_page_says_what_the_check_is(client, content):
    response = client.get(reverse("triage:start"))
    html = response.content.decode()
    assert response.status_code == 200
    for words in ("about 3 minutes", "not a diagnosis", "Nothing is kept", "Call 999", "Start now"):
        assert words in html
    assert 'href="/check/emergency/"' in html


def test_the_start_page_htmx_twin_is_the_region(client, content):
    body = client.get(reverse("triage:start"), headers=HTMX).content.decode()
    assert '<div id="region"' in body and "<html" not in body


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_check_answers_lists_answers_with_change_links(client, content, htmx):
    answers = complete_answers(content, CASES["soon"])
    set_answers(client, answers)
    response = client.get(CHECK, headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Statin started or increased recently" in html
    for topic in Journey(content, answers).progress.active:
        assert f'href="/check/{topic.slug}/?change=1"' in html
    assert f'href="{RESULT}"' in html


def test_check_answers_without_all_answers_redirects_to_the_first_unanswered(client, content):
    answers = complete_answers(content, CASES["soon"])
    last = list(answers)[-1]  # the last question asked
    del answers[last]
    set_answers(client, answers)
    response = client.get(CHECK)
    assert response.status_code == 302
    assert response["Location"] == f"/check/{content.questions[last].topic}/"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_results_without_answers_redirect_to_the_first_step(client, content, htmx):
    response = client.get(RESULT, headers=HTMX if htmx else {})
    assert response.status_code == 302
    assert response["Location"] == "/check/emergency/"


@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_results_show_the_care_card_of_each_urgency(client, content, urgency, htmx):
    answers = complete_answers(content, CASES[urgency])
    set_answers(client, answers)
    response = client.get(RESULT, headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert f"care-card--{urgency}" in html
    assert f'<span class="visually-hidden">{HEADINGS[urgency]} </span>' in html
    assert "information, not a diagnosis" in html
    known = dict(answers)  # "Not sure" answers included, as the rules see them
    assessment = evaluate(answers=known, ruleset=content.ruleset)
    assert result_summary(html) == page_summary(assessment)
    # The care card comes before everything else in the region.
    assert html.index("care-card") < html.index("Possible causes")
    for flag in assessment.red_flags:
        assert flag.title.replace("'", "&#x27;") in html


def test_results_explain_why_each_cause_came_up(client, content):
    answers = complete_answers(content, CASES["urgent"])
    set_answers(client, answers)
    response = client.get(RESULT)
    html = response.content.decode()
    known = dict(answers)  # "Not sure" answers included, as the rules see them
    assessment = evaluate(answers=known, ruleset=content.ruleset)
    assert result_summary(html) == page_summary(assessment)
    assert assessment.causes
    for cause in assessment.causes:
        info = content.causes[cause.slug]
        assert info.title in html
        for reason in cause.supporting:
            assert reason.statement.replace("'", "&#x27;") in html
        assert info.last_reviewed.strftime("%-d %B %Y") in html
    assert "Why this came up" in html and "More likely" in html
    assert "%" not in html.split('id="causes-heading"')[1].split("answers-heading")[0]
    assert "Because you answered:" in html  # the answers behind the red flags


def test_results_list_the_answers_for_print(client, content):
    answers = complete_answers(content, CASES["self_care"])
    set_answers(client, answers)
    html = client.get(RESULT).content.decode()
    assert "Notes for the doctor" in html
    assert content.questions["more_standing_walking_than_usual"].short_label in html


@pytest.mark.parametrize(
    "overrides",
    [
        CASES["urgent"],
        CASES["soon"] | {"swelling": "not_sure"},
        CASES["self_care"] | {"new_footwear_or_worn_shoes": True, "sex": "female"},
        {"age": 80, "side": "one_leg", "warmth": True, "previous_clot": True, "smoker": True},
        {"statin": True, "dark_urine": True, "diuretic": True},
    ],
    ids=["urgent", "soon-not-sure", "self-care-shoes", "clot-risks", "statin-dark-urine"],
)
def test_the_results_page_agrees_with_the_assess_command(client, content, overrides, tmp_path):
    answers = complete_answers(content, overrides)
    set_answers(client, answers)
    response = client.get(RESULT)
    assert response.status_code == 200
    known = dict(answers)  # "Not sure" answers included, as the rules see them
    expected = evaluate(answers=known, ruleset=content.ruleset)
    assert result_summary(response.content.decode()) == page_summary(expected)
    out = StringIO()
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(known), encoding="utf-8")
    call_command("assess", str(path), stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["urgency"] == expected.urgency
    assert [c["slug"] for c in printed["causes"]] == [c.slug for c in expected.causes]


def test_an_emergency_result_needs_no_more_answers(client, content):
    set_answers(client, complete_answers(content, CASES["emergency"]))
    response = client.get(RESULT)
    assert response.status_code == 200
    assert "Call 999 or go to A&amp;E now" in response.content.decode()
    assert client.get(CHECK)["Location"] == RESULT


def test_start_again_clears_the_answers(client, content):
    set_answers(client, complete_answers(content, CASES["urgent"]))
    response = client.post(reverse("triage:start_again"))
    assert response.status_code == 302
    assert response["Location"] == reverse("triage:start")
    assert "answers" not in client.session
    assert client.get(RESULT)["Location"] == "/check/emergency/"


def test_start_again_with_htmx_answers_with_the_start_page_region(client, content):
    set_answers(client, complete_answers(content, CASES["urgent"]))
    response = client.post(reverse("triage:start_again"), headers=HTMX)
    assert response["HX-Push-Url"] == reverse("triage:start")
    body = response.content.decode()
    assert "Start now" in body and "<html" not in body
    assert "answers from earlier" not in body
    assert "answers" not in client.session


def test_the_start_page_is_never_cached_once_it_speaks_of_earlier_answers(client, content):
    first = client.get(reverse("triage:start"))
    # Every HTML page is no-store (calfsite.middleware), this one before any answer too.
    assert "no-store" in first["Cache-Control"]
    assert "HX-Request" in first["Vary"]
    set_answers(client, complete_answers(content, CASES["urgent"]))
    later = client.get(reverse("triage:start"))
    assert "answers from earlier" in later.content.decode()
    assert "no-store" in later["Cache-Control"] and "HX-Request" in later["Vary"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_get_on_start_again_only_shows_the_button(client, content, htmx):
    answers = complete_answers(content, CASES["urgent"])
    set_answers(client, answers)
    response = client.get(reverse("triage:start_again"), headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert dict(client.session["answers"]) == answers


def test_no_answer_appears_in_urls_or_titles(client, content):
    answers = complete_answers(content, CASES["urgent"])
    set_answers(client, answers)
    html = client.get(CHECK).content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert title == "Check your answers - Calf pain self-check"
    result_title = client.get(RESULT).content.decode().split("<title>")[1].split("</title>")[0]
    assert result_title == "Your results - Calf pain self-check"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_each_page_takes_a_fixed_small_number_of_queries(
    client, content, django_assert_max_num_queries, htmx
):
    headers = HTMX if htmx else {}
    with django_assert_max_num_queries(1):
        client.get(reverse("triage:start"), headers=headers)
    for case in CASES:
        set_answers(client, complete_answers(content, CASES[case]))
        with django_assert_max_num_queries(1):
            assert client.get(RESULT, headers=headers).status_code == 200
    set_answers(client, complete_answers(content, CASES["self_care"]))
    with django_assert_max_num_queries(1):
        assert client.get(CHECK, headers=headers).status_code == 200
    with django_assert_max_num_queries(1):
        client.post(reverse("triage:start_again"))


def test_the_first_page_with_its_css_and_js_is_at_most_60_kb_compressed(client, content):
    import gzip
    import re
    from pathlib import Path

    from django.conf import settings

    html = client.get(reverse("triage:start")).content
    total = len(gzip.compress(html))
    assets = re.findall(rb'(?:href|src)="/static/([^"]+)"', html)
    assert len(assets) >= 3  # stylesheets, htmx and steps.js
    for asset in assets:
        data = (Path(settings.BASE_DIR) / "static" / asset.decode()).read_bytes()
        total += len(gzip.compress(data))
    assert total <= 60 * 1024, total


def test_templates_are_loaded_once_by_the_cached_loader():
    from django.template import engines
    from django.template.loaders.cached import Loader

    (loader,) = engines["django"].engine.template_loaders
    assert isinstance(loader, Loader)
    assert loader.get_template("triage/step.html") is loader.get_template("triage/step.html")
