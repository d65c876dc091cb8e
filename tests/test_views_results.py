"""Check your answers, results, start and start again."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.answer_sets import CASES, complete_answers, set_answers
from tests.journeys import result_summary
from tests.test_safety_cases import FIXTURE_CASES
from triage.questionnaire import Journey
from triage.rules import ACTION_WORDS, URGENCY_RANK, evaluate

HTMX = {"hx-request": "true"}
RESULT = reverse("triage:result")
CHECK = reverse("triage:check_answers")


def page_summary(assessment) -> dict:
    """What result_summary reads off a results page showing ``assessment``."""
    return {
        "urgency": assessment.urgency,
        "causes": [(cause.band, cause.slug) for cause in assessment.causes],
    }


OUTCOMES = {
    "emergency": "Call 999 or go to A&amp;E now",
    "urgent": "Get medical help today",
    "soon": "See a GP in the next few days",
    "self_care": "You can probably look after this at home",
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
    # The emergency signs in full, with a number to call, and no one-line reminder beside them.
    assert 'class="emergency-box"' in html and 'href="tel:999"' in html
    # The GOV.UK start button: a link with its arrow, hidden from screen readers.
    button = html.split('class="button button--start"')[1].split("</a>")[0]
    assert "Start now" in button and '<svg class="button__start-icon"' in button
    assert 'aria-hidden="true" focusable="false"' in button


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
    # Only the question left, on a page of its own: the others of its page are answered.
    assert response["Location"] == f"/check/{content.questions[last].topic}/?more=1"


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
    # The page's one h1 is the outcome, inside the care card.
    assert html.count("<h1") == 1
    h1 = html.split("<h1")[1].split("</h1>")[0]
    assert 'class="care-card__heading"' in h1 and OUTCOMES[urgency] in h1
    assert "information, not a diagnosis" in html
    known = dict(answers)  # "Not sure" answers included, as the rules see them
    assessment = evaluate(answers=known, ruleset=content.ruleset)
    assert result_summary(html) == page_summary(assessment)
    # The care card comes before everything else the screen shows in the region.
    screen = _screen(html)
    assert screen.index('class="print-only print-header"') < screen.index("care-card")
    assert screen.index("care-card") < screen.index("information, not a diagnosis")
    if assessment.causes:
        assert screen.index("care-card") < screen.index("Possible causes")
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
    printed = html.split('class="print-only print-answers"')[1].split("</div>")[0]
    yes = printed.split("Answered yes:")[1].split("</p>")[0]
    no = printed.split("Answered no:")[1].split("</p>")[0]
    for fact, value in answers.items():
        label = content.questions[fact].short_label.replace("'", "&#x27;")
        if value is True:
            assert label in yes and label not in no
        elif value is False:
            assert label in no and label not in yes


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
    assert response["Location"] == reverse("triage:answers_deleted")
    assert "answers" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Your answers have been deleted" in page
    assert 'href="/check/emergency/" class="button"' in page
    assert client.get(RESULT)["Location"] == "/check/emergency/"


def test_start_again_with_htmx_answers_with_the_answers_deleted_region(client, content):
    set_answers(client, complete_answers(content, CASES["urgent"]))
    response = client.post(reverse("triage:start_again"), headers=HTMX)
    assert response["HX-Push-Url"] == reverse("triage:answers_deleted")
    body = response.content.decode()
    assert "Your answers have been deleted" in body and "<html" not in body
    assert "answers" not in client.session


def test_the_answers_deleted_page_is_not_shown_to_someone_with_answers(client, content):
    set_answers(client, complete_answers(content, CASES["urgent"]))
    response = client.get(reverse("triage:answers_deleted"))
    assert response.status_code == 302 and response["Location"] == reverse("triage:start")


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


# The results page, outcome first (templates/triage/result.html, triage/results.py).


def _screen(html: str) -> str:
    """The region as the screen shows it: without the printout's own key-findings block."""
    region = html.split('<div id="region"')[1]
    before, _, rest = region.partition('<section class="print-only key-findings"')
    return before + rest.partition("</section>")[2]


def _unfolded(html: str) -> str:
    """The page without what is folded away in <details>."""
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def _text(html) -> str:
    return str(html).replace("'", "&#x27;")


def _results_page(client, content, overrides: dict):
    """The assessment of a complete set of answers, and the results page that shows it."""
    answers = complete_answers(content, overrides)
    set_answers(client, answers)
    return Journey.of(content, answers).assessment, client.get(RESULT).content.decode()


LIBRARY_EMERGENCIES = [c for c in FIXTURE_CASES if c["expected_urgency"] == "emergency"]


@pytest.mark.parametrize("case", LIBRARY_EMERGENCIES, ids=[c["slug"] for c in LIBRARY_EMERGENCIES])
def test_an_emergency_result_shows_the_action_and_why_and_nothing_that_suggests_waiting(
    client, content, case
):
    assessment, html = _results_page(client, content, case["answers"])
    assert assessment.urgency == "emergency"
    screen = _screen(html)
    assert 'href="tel:999"' in screen
    for flag in assessment.red_flags:
        info = content.red_flags[flag.slug]
        if flag.urgency == "emergency":
            assert screen.count(_text(info.advice)) == 1
            assert screen.count(_text(info.why_it_matters)) == 1
        else:  # named, with the answers behind it, but not its own action or reasons
            assert _text(info.advice) not in screen and _text(info.why_it_matters) not in screen
    lowered = html.lower()
    waiting = ("see a gp", "does not settle", "what you can do now", "what helps", "today")
    for words in (*waiting, ACTION_WORDS["urgent"].lower(), ACTION_WORDS["soon"].lower()):
        assert words not in lowered, words
    assert "If it gets worse" not in html
    for cause in assessment.causes:
        info = content.causes[cause.slug]
        for advice in (info.self_care, info.when_to_get_help, info.summary):
            assert _text(advice) not in html, cause.slug


@pytest.mark.parametrize("urgency", ["emergency", "urgent"])
def test_each_red_flag_is_explained_once(client, content, urgency):
    assessment, html = _results_page(client, content, CASES[urgency])
    screen = _screen(html)
    assert assessment.red_flags
    for flag in assessment.red_flags:
        assert screen.count(_text(flag.title)) == 1
        assert screen.count(_text(content.red_flags[flag.slug].advice)) == 1
    assert screen.count("Because you answered:") == len(assessment.red_flags)
    # What to do is the care card's, said once: not again at the start of each flag's action.
    assert ACTION_WORDS[urgency] not in screen.split('class="flag-list"', 1)[1]


def test_a_lower_level_s_red_flag_is_named_without_its_action(client, content):
    checked = 0
    for case in FIXTURE_CASES:
        assessment, html = _results_page(client, content, case["answers"])
        lower = [f for f in assessment.red_flags if f.urgency != assessment.urgency]
        if not lower:
            continue
        checked += 1
        screen = _screen(html)
        also = screen.split("Your answers also show", 1)[1]
        for flag in lower:
            info = content.red_flags[flag.slug]
            assert _text(flag.title) in also, case["slug"]
            assert _text(info.advice) not in screen, case["slug"]
            assert ACTION_WORDS[flag.urgency] not in screen, case["slug"]
        # The printout's key findings name every red flag.
        findings = html.split('class="print-only key-findings"', 1)[1].split("</section>")[0]
        for flag in assessment.red_flags:
            assert _text(flag.title) in findings, case["slug"]
    assert checked >= 50  # the library's emergencies and urgent cases with lower flags too


@pytest.mark.parametrize("urgency", ["urgent", "soon", "self_care"])
def test_if_it_gets_worse_is_split_into_call_999_and_get_help_today(client, content, urgency):
    assessment, html = _results_page(client, content, CASES[urgency])
    worse = html.split('id="worse-heading"')[1].split("</section>")[0]
    parts = re.split(r'<h3 class="worse__heading worse__heading--([a-z_]+)">', worse)[1:]
    groups = dict(zip(parts[::2], parts[1::2], strict=True))
    assert "Call 999 if</h3>" in groups["emergency"]
    if urgency == "urgent":
        assert set(groups) == {"emergency"}  # nothing is more urgent than today but 999
    else:
        assert "Get help today if</h3>" in groups["urgent"]
    # Every sentence of the content's safety net is there once, under the highest level of the
    # red flags that carry it, without the words of its heading; these cases are men, so the
    # pregnancy flags' sentences are left out.
    for sentence in assessment.safety_net:
        carriers = [
            f
            for f in content.red_flags.values()
            if f.safety_net == sentence and f.slug not in PREGNANCY_FLAGS
        ]
        if not carriers:
            assert _text(sentence) not in worse, sentence
            continue
        level = max((f.urgency for f in carriers), key=URGENCY_RANK.get)
        shown = sentence.removeprefix(OPENINGS.get(level, ""))
        assert worse.count(_text(shown)) == 1, sentence
        assert _text(shown) in groups[level], sentence


# The red flags that only someone pregnant or who has just given birth can have.
PREGNANCY_FLAGS = {"dvt_pregnancy", "pre_eclampsia"}


@pytest.mark.parametrize("sex", ["male", "female"])
def test_if_it_gets_worse_leaves_out_what_the_person_s_sex_rules_out(client, content, sex):
    assessment, html = _results_page(client, content, CASES["self_care"] | {"sex": sex})
    worse = html.split('id="worse-heading"')[1].split("</section>")[0]
    lines = {content.red_flags[slug].safety_net for slug in PREGNANCY_FLAGS}
    others = {f.safety_net for f in content.red_flags.values() if f.slug not in PREGNANCY_FLAGS}
    assert lines and lines <= set(assessment.safety_net)  # the rules name them for everyone
    for line in lines - others:
        shown = any(
            _text(line.removeprefix(opening)) in worse for opening in ("", *OPENINGS.values())
        )
        assert shown == (sex == "female"), line
    # Everything else above the result is still there, for both.
    for line in set(assessment.safety_net) - lines:
        level = max(
            (f.urgency for f in content.red_flags.values() if f.safety_net == line),
            key=URGENCY_RANK.get,
        )
        assert _text(line.removeprefix(OPENINGS.get(level, ""))) in worse, line


OPENINGS = {
    "emergency": "Call 999 if ",
    "urgent": "Get help today if ",
    "soon": "Book a GP appointment if ",
}


@pytest.mark.parametrize("urgency", ["soon", "self_care"])
def test_soon_and_self_care_show_what_helps_on_the_page(client, content, urgency):
    assessment, html = _results_page(client, content, CASES[urgency])
    assert assessment.causes
    assert "What you can do now" in html
    unfolded = _unfolded(_screen(html))
    for cause in assessment.causes:
        assert unfolded.count(str(content.causes[cause.slug].self_care)) == 1, cause.slug


def test_an_urgent_result_helps_today_with_no_self_care_on_show(client, content):
    answers = complete_answers(content, CASES["urgent"])
    set_answers(client, answers)
    html = client.get(RESULT).content.decode()
    assert "What you can do now" not in html
    unfolded = _unfolded(_screen(html))
    for cause in Journey.of(content, answers).assessment.causes:
        assert str(content.causes[cause.slug].self_care) not in unfolded


def test_an_urgent_result_gives_the_service_s_number_and_website(client, content):
    set_answers(client, complete_answers(content, CASES["urgent"]))
    card = client.get(RESULT).content.decode().split('id="care-card"')[1]
    assert '<a href="tel:111">111</a>' in card
    assert '<a href="https://111.nhs.uk/" rel="noopener noreferrer">111.nhs.uk</a>' in card
    assert "Do not wait" in card


def test_a_deployment_s_own_urgent_care_service_is_what_the_result_gives(client, content, settings):
    settings.URGENT_CARE_SERVICE = "the medical on-call service"
    settings.URGENT_CARE_NUMBER = "116 117"
    settings.URGENT_CARE_URL = "https://www.116117.de/"
    set_answers(client, complete_answers(content, CASES["urgent"]))
    card = client.get(RESULT).content.decode().split('id="care-card"')[1]
    assert "call the medical on-call service on" in card
    assert '<a href="tel:116117">116 117</a>' in card
    assert ">116117.de</a>" in card and "111" not in card.split("Why we say this")[0]


def test_without_a_number_or_website_the_result_names_the_service(client, content, settings):
    settings.URGENT_CARE_NUMBER = ""
    settings.URGENT_CARE_URL = ""
    set_answers(client, complete_answers(content, CASES["urgent"]))
    card = client.get(RESULT).content.decode().split('id="care-card"')[1]
    action = card.split("Why we say this")[0]
    assert "contact NHS 111" in action and "tel:" not in action and "href" not in action


def test_the_emergency_number_is_a_tel_link_of_the_deployment_s_number(client, content, settings):
    settings.EMERGENCY_NUMBER = "112"
    set_answers(client, complete_answers(content, CASES["emergency"]))
    html = client.get(RESULT).content.decode()
    assert '<a href="tel:112" class="button button--call">Call 112</a>' in html
    assert "tel:999" not in html


@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
def test_print_is_a_secondary_button_and_start_again_a_link(client, content, urgency):
    set_answers(client, complete_answers(content, CASES[urgency]))
    html = client.get(RESULT).content.decode()
    assert 'class="button button--secondary js-print"' in html
    assert f'<a href="{reverse("triage:start_again")}">Start again</a>' in html
    assert 'method="post"' not in html  # the confirmation page asks first


def test_the_printout_carries_the_site_s_address_the_date_and_the_release(client, content):
    set_answers(client, complete_answers(content, CASES["soon"]))
    html = client.get(RESULT).content.decode()
    header = html.split('class="print-only print-header"')[1].split("</div>")[0]
    assert "http://testserver/" in header
    # The release, on screen and in print.
    assert '<p class="hint content-release" id="content-release">Content release 1</p>' in html
    assert re.search(r"Date: \d{1,2} \w+ \d{4}, \d\d:\d\d", header)
    # The key findings come first, before the care card and the causes.
    assert html.index("key-findings") < html.index('id="care-card"') < html.index("causes-heading")


def test_the_key_findings_name_the_not_sure_answers(client, content):
    answers = complete_answers(content, CASES["soon"] | {"swelling": "not_sure"})
    set_answers(client, answers)
    html = client.get(RESULT).content.decode()
    findings = html.split('<section class="print-only key-findings"')[1].split("</section>")[0]
    unsure = findings.split("“Not sure” answers")[1]
    assert content.questions["swelling"].short_label in unsure
    for flag in Journey.of(content, answers).assessment.red_flags:
        assert _text(flag.title) in findings


def test_a_question_page_has_the_one_line_reminder_below_the_question(client, content):
    answers = complete_answers(content, CASES["soon"])
    set_answers(client, {q.fact: answers[q.fact] for q in content.topics[0].questions})
    html = client.get(reverse("triage:step", args=[content.topics[1].slug])).content.decode()
    assert 'name="age"' in html  # the question page, not a redirect
    assert 'class="emergency-box"' not in html
    reminder = html.index('class="emergency-reminder')
    assert html.index("</main>") < reminder
    assert 'href="/#emergency-signs"' in html[reminder:]


def test_the_emergency_screen_shows_the_signs_in_full_below_the_checklist(client, content):
    html = client.get(reverse("triage:step", args=[content.topics[0].slug])).content.decode()
    assert html.index('name="signs"') < html.index('class="emergency-box"')


@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
def test_every_public_page_has_a_meta_description(client, content, urgency):
    answers = complete_answers(content, CASES[urgency])
    pages = [reverse("triage:start"), reverse("triage:step", args=["emergency"])]
    set_answers(client, answers)
    pages += [RESULT, reverse("triage:start_again"), "/no-such-page/"]
    if urgency != "emergency":
        pages.append(CHECK)
    for url in pages:
        html = client.get(url).content.decode()
        match = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert match and len(match.group(1)) > 50, url
