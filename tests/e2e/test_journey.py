"""
The whole journey in real Chromium, with JavaScript on (htmx) and off, for each urgency level.

The answers come from tests.answer_sets, and each result is compared with the rules service.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.answer_sets import CASES, complete_answers
from triage.questionnaire import Journey, walk
from triage.selectors import get_content

pytestmark = pytest.mark.browser

CARE_CARD_PREFIX = {
    "emergency": "Emergency:",
    "urgent": "Urgent:",
    "soon": "Non-urgent:",
    "self_care": "Self care:",
}


def form_value(value) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "not_sure"
    return str(value)


def current_step(page) -> str:
    return urlsplit(page.url).path.rstrip("/").rsplit("/", 1)[-1]


def shown_names(region) -> list[str]:
    """The names of the questions on view: a follow-up in a hidden reveal is not."""
    return region.locator("form input[name]:not([type=hidden]):not([disabled])").evaluate_all(
        "els => [...new Set(els.filter(e => e.offsetParent !== null).map(e => e.name))]"
    )


def answer_page(page, answers: dict) -> None:
    """Fill in the questions shown on the current page with the mouse, then Continue."""
    region = page.locator("#region")
    done: set[str] = set()
    # A choice can reveal follow-up questions under it: answer those that appear too.
    while names := [name for name in shown_names(region) if name not in done]:
        for name in names:
            done.add(name)
            boxes = region.locator(f'input[name="{name}"][type=checkbox]')
            if boxes.count():
                # The emergency checklist or a tick-all-that-apply list of a question page, or
                # a list's "Which are you not sure about?".
                values = boxes.evaluate_all("els => els.map(e => e.value)")
                ticked = [v for v in values if answers.get(v) is True]
                if name.endswith("-not-sure"):
                    ticked = [v for v in values if answers.get(v) == "not_sure"]
                elif "not_sure" in values and any(answers.get(v) == "not_sure" for v in values):
                    ticked.append("not_sure")  # "I'm not sure about some of these"
                for value in ticked or ["none"] * (not name.endswith("-not-sure")):
                    region.locator(f'input[name="{name}"][value={value}]').check()
                continue
            field = region.locator(f"input[name={name}]")
            if field.first.get_attribute("inputmode") == "numeric":
                field.fill(str(answers[name]))
            else:
                region.locator(f"input[name={name}][value={form_value(answers[name])}]").check()
    region.get_by_role("button", name="Continue").click()


def answer_page_by_keyboard(page, answers: dict) -> None:
    """The same with the keyboard alone: Tab, arrows, Space, typing and Enter."""
    done: set[str] = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "() => { const e = document.activeElement; return {tag: e.tagName, type: e.type,"
            " inputmode: e.inputMode,"
            " name: e.name, value: e.value, checked: e.checked, text: e.textContent} }"
        )
        if info["tag"] == "BUTTON" and "Continue" in info["text"]:
            page.keyboard.press("Enter")
            return
        if info["tag"] != "INPUT":
            continue
        name = info["name"]
        if info["type"] == "checkbox":
            listed = answers_signs(page, name)
            wanted = answers.get(info["value"]) is True or (
                info["value"] == "none" and not any(answers.get(k) is True for k in listed)
            )
            if wanted and not info["checked"]:
                page.keyboard.press("Space")
        elif info["inputmode"] == "numeric" and name not in done:
            page.keyboard.type(str(answers[name]))
            done.add(name)
        elif info["type"] == "radio" and name not in done:
            wanted = form_value(answers[name])
            if not info["checked"]:
                page.keyboard.press("Space")
            for _ in range(6):
                if page.evaluate("() => document.activeElement.value") == wanted:
                    break
                page.keyboard.press("ArrowRight")
            done.add(name)
    raise AssertionError("the Continue button was never reached with Tab")


def answers_signs(page, name: str = "signs") -> list[str]:
    """The values of one checkbox list: the emergency signs, or a question page's list."""
    return page.locator(f'input[name="{name}"]').evaluate_all("els => els.map(e => e.value)")


def _js_on(page) -> bool:
    return page.evaluate("() => document.documentElement.classList.contains('js-enabled')")


def run_journey(page, base_url: str, answers: dict, *, keyboard=False, expect_focus=False):
    """From the start page to the results page; returns the list of steps seen."""
    page.goto(base_url + "/")
    start = page.get_by_role("link", name="Start now")
    if keyboard:
        start.focus()
        page.keyboard.press("Enter")
    else:
        start.click()
    seen = []
    for _ in range(30):
        page.wait_for_url(re.compile(r"/(check/[\w-]+|result)/(\?more=1)?$"), wait_until="commit")
        expect(page.locator("#region h1")).to_be_visible()
        if "/result/" in page.url:
            return seen
        if "/check/answers/" in page.url:
            seen.append("answers")
            expect(page.locator("#region h1")).to_have_text("Check your answers")
            with page.expect_event("framenavigated"):
                page.get_by_role("link", name="See your results").click()
            continue
        step = current_step(page)
        expect(page.locator("#region form")).to_have_attribute(
            "action", f"/check/{step}/" + ("?more=1" if page.url.endswith("?more=1") else "")
        )
        if expect_focus:
            expect(page.locator("#region h1")).to_be_focused()
        seen.append(step)
        answer_and_wait(page, answers, answer_page_by_keyboard if keyboard else answer_page)
    raise AssertionError(f"the journey did not end: {seen}")


def answer_and_wait(page, answers: dict, answer=answer_page) -> None:
    """Answer the page, then wait for the next one, swapped in by htmx or loaded."""
    if _js_on(page):
        # Mark this region so the wait sees the next one, even at the same URL (a follow-up
        # question on a page of its own).
        page.evaluate("document.getElementById('region').dataset.answered = 'yes'")
        answer(page, answers)
        page.wait_for_function("() => !document.querySelector('#region[data-answered]')")
    else:
        with page.expect_navigation():
            answer(page, answers)


def check_result(page, urgency: str, answers: dict) -> None:
    content = get_content()
    assessment = Journey.of(content, answers).assessment
    assert assessment.urgency == urgency
    card = page.locator(f".care-card--{urgency}")
    expect(card).to_be_visible()
    expect(card.locator(".visually-hidden").first).to_have_text(CARE_CARD_PREFIX[urgency])
    expect(page).to_have_title("Your results - Calf pain self-check")
    for cause in assessment.causes:
        expect(page.locator(f"#cause-{cause.slug}")).to_have_text(content.causes[cause.slug].title)
    assert page.locator(".cause").count() == len(assessment.causes)


@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
def test_the_journey_with_javascript(seeded_live_server, page, urgency):
    answers = complete_answers(get_content(), CASES[urgency])
    requests = []
    page.on("request", lambda r: requests.append(r))
    seen = run_journey(page, seeded_live_server.url, answers, expect_focus=True)
    check_result(page, urgency, answers)
    assert seen[0] == "emergency"
    if urgency == "emergency":
        assert seen == ["emergency"]
    else:
        assert seen[-1] == "answers"
    # Every step after the first page load was an htmx swap, not a page load.
    documents = [r for r in requests if r.resource_type == "document"]
    assert len(documents) == 1
    xhr = [r for r in requests if r.resource_type == "xhr"]
    assert xhr
    for request in xhr:
        response = request.response()
        if response is None or 300 <= response.status < 400:
            continue
        assert "<html" not in response.text(), request.url  # htmx got only the region


@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
def test_the_journey_without_javascript(seeded_live_server, no_js_page, urgency):
    answers = complete_answers(get_content(), CASES[urgency])
    seen = run_journey(no_js_page, seeded_live_server.url, answers)
    check_result(no_js_page, urgency, answers)
    assert no_js_page.locator(".js-print").is_hidden()
    expect(no_js_page.get_by_text("use your browser’s print option")).to_be_visible()
    walked = walk(get_content(), answers)
    assert seen == list(walked.pages) + ([] if walked.emergency else ["answers"])


def test_the_whole_journey_by_keyboard_alone(seeded_live_server, page):
    answers = complete_answers(get_content(), CASES["urgent"])
    run_journey(page, seeded_live_server.url, answers, keyboard=True, expect_focus=True)
    check_result(page, "urgent", answers)


def test_start_again_clears_everything(seeded_live_server, page):
    answers = complete_answers(get_content(), CASES["emergency"])
    run_journey(page, seeded_live_server.url, answers)
    # The results link to a page that asks first; its button clears the answers.
    page.get_by_role("link", name="Start again").click()
    expect(page.locator("#region h1")).to_have_text("Start again")
    page.get_by_role("button", name="Start again").click()
    expect(page.locator("#region h1")).to_have_text("Your answers have been deleted")
    expect(page).to_have_url(re.compile(r"/answers-deleted/$"))
    expect(page.get_by_role("button", name="Start again")).to_have_attribute(
        "href", "/check/emergency/"
    )
    page.goto(seeded_live_server.url + "/result/")
    expect(page).to_have_url(re.compile(r"/check/emergency/$"))
    expect(page.locator("input[name=signs]:checked")).to_have_count(0)


def get_client_answers(page) -> dict:
    """The answers in the browser's session cookie, opened with the server's key."""
    from django.conf import settings

    from calfsite.sessions import decrypt

    (cookie,) = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    return decrypt(cookie["value"], settings.SESSION_COOKIE_AGE).get("answers", {})


def reach_statin_page(page, base_url: str, answers: dict) -> str:
    """Answer every page before the statin question's; its slug."""
    slug = get_content().questions["statin"].topic
    page.goto(base_url + "/check/emergency/")
    while current_step(page) != slug:
        answer_and_wait(page, answers)
    return slug


def test_with_javascript_a_follow_up_is_revealed_under_its_choice(seeded_live_server, page):
    content = get_content()
    answers = complete_answers(content, CASES["soon"])
    slug = reach_statin_page(page, seeded_live_server.url, answers)
    statin_yes = page.locator("input[name=statin][value=yes]")
    reveal = page.locator("#conditional-id_statin_0")
    follow_up = page.get_by_role("group", name=re.compile("Did you start the statin"))
    expect(statin_yes).to_have_attribute("aria-controls", "conditional-id_statin_0")
    expect(reveal).to_be_hidden()
    expect(reveal.locator("input[name=statin_started_recently]").first).to_be_disabled()
    statin_yes.check()
    expect(follow_up).to_be_visible()
    expect(reveal.locator("input[name=statin_started_recently]").first).to_be_enabled()
    # Choosing "No" hides it again, and its inputs are no longer sent.
    page.locator("input[name=statin][value=no]").check()
    expect(reveal).to_be_hidden()
    expect(reveal.locator("input[name=revealed]").first).to_be_disabled()
    statin_yes.check()
    # Shown and left empty: an error on this page, not a page of its own.
    page.evaluate("document.getElementById('region').dataset.answered = 'yes'")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_function("() => !document.querySelector('#region[data-answered]')")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Select yes")
    expect(follow_up).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/check/{slug}/$"))
    answer_and_wait(page, answers)
    # Answered in place: straight on to the next page, with no page of its own.
    assert current_step(page) != slug and "more=1" not in page.url
    assert get_client_answers(page)["statin_started_recently"] is True


def test_without_javascript_a_follow_up_comes_on_a_page_of_its_own(seeded_live_server, no_js_page):
    page = no_js_page
    content = get_content()
    answers = complete_answers(content, CASES["soon"])
    slug = reach_statin_page(page, seeded_live_server.url, answers)
    expect(page.locator("#conditional-id_statin_0")).to_be_hidden()
    answer_and_wait(page, answers)
    expect(page).to_have_url(re.compile(rf"/check/{slug}/\?more=1$"))
    expect(page.locator("#region")).to_contain_text("Your answers brought 2 more questions.")
    expect(page.locator("input[name=statin]")).to_have_count(0)
    expect(page.get_by_role("group", name=re.compile("Did you start the statin"))).to_be_visible()
    # Back: the whole page, the follow-ups shown under the choice made.
    page.get_by_role("link", name="Back").click()
    expect(page).to_have_url(re.compile(rf"/check/{slug}/$"))
    expect(page.locator("input[name=statin][value=yes]")).to_be_checked()
    expect(page.locator("#conditional-id_statin_0")).to_be_visible()
    page.go_back()
    answer_and_wait(page, answers)
    assert current_step(page) != slug


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_a_list_takes_not_sure_in_a_second_list(seeded_live_server, page, no_js_page, js):
    page = page if js else no_js_page
    answers = complete_answers(get_content(), CASES["soon"] | {"fever": "not_sure"})
    reach_statin_page(page, seeded_live_server.url, answers)
    region = page.locator("#region")
    signs = region.get_by_role("group", name="Do you have any of these?")
    unsure = signs.get_by_label("I'm not sure about some of these")
    doubts = region.get_by_role("group", name="Which are you not sure about?")
    fever = region.locator('input[name="group-leg-signs-not-sure"][value=fever]')
    if js:
        # Revealed by its box, and closed again by "None of these", which unticks it.
        expect(doubts).to_be_hidden()
        expect(unsure).to_have_attribute("aria-controls", re.compile("^conditional-"))
        unsure.check()
        expect(doubts).to_be_visible()
        doubts.get_by_label(re.compile("A high temperature")).check()
        signs.get_by_label("None of these").check()
        expect(unsure).not_to_be_checked()
        expect(doubts).to_be_hidden()
        expect(fever).to_be_disabled()
    else:
        # Always there, as GOV.UK shows a reveal without JavaScript.
        expect(doubts).to_be_visible()
        expect(fever).to_be_enabled()
    answer_and_wait(page, answers)
    if not js:
        # The statin's follow-ups, on a page of their own.
        answer_and_wait(page, answers)
    assert current_step(page) != "the-leg"
    stored = get_client_answers(page)
    assert stored["fever"] == "not_sure"
    assert stored["aches_elsewhere"] is True  # ticked in the list itself


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_an_answer_after_the_session_has_gone_says_so(seeded_live_server, page, no_js_page, js):
    page = page if js else no_js_page
    answers = complete_answers(get_content(), CASES["soon"])
    page.goto(seeded_live_server.url + "/check/emergency/")
    with page.expect_navigation():
        answer_page(page, answers)
    expect(page).to_have_url(re.compile(r"/check/about-you/$"))
    # The cookie expires (or the browser drops it) while the page is open.
    page.context.clear_cookies(name="sessionid")
    page.context.add_cookies(
        [{"name": "sessionid", "value": "expired", "url": seeded_live_server.url}]
    )
    answer_page(page, answers)
    expect(page.locator("#region h1")).to_have_text("Your answers were not kept")
    expect(page).to_have_url(re.compile(r"/session-ended/$"))
    page.get_by_role("button", name="Start again").click()
    expect(page).to_have_url(re.compile(r"/check/emergency/$"))


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_a_tick_all_that_apply_list_renders_and_answers(seeded_live_server, page, no_js_page, js):
    browser_page = page if js else no_js_page
    base = seeded_live_server.url
    browser_page.goto(base + "/check/emergency/")
    browser_page.get_by_label("None of these").check()
    browser_page.get_by_role("button", name="Continue").click()
    expect(browser_page).to_have_url(re.compile(r"/check/about-you/$"))
    group = browser_page.get_by_role("group", name="Has any of these happened recently?")
    expect(group).to_be_visible()
    expect(group.get_by_text("Select all that apply.")).to_be_visible()
    expect(group.get_by_role("checkbox")).to_have_count(4)
    # Nothing ticked: the error says what to do, and links to the list.
    region = browser_page.locator("#region")
    region.get_by_label("How old are you?").fill("40")
    region.locator("input[name=sex][value=male]").check()
    region.locator("input[name=side][value=one_leg]").check()
    region.get_by_role("group", name="Have you had any of these?").get_by_label(
        "None of these"
    ).check()
    region.get_by_role("button", name="Continue").click()
    summary = browser_page.locator(".error-summary")
    expect(summary).to_contain_text("Select the ones you have, or select None of these")
    group = browser_page.get_by_role("group", name="Has any of these happened recently?")
    injury = group.get_by_label(re.compile("You have hurt your leg"))
    none = group.get_by_label("None of these")
    if js:
        # "None of these" unticks the others, and an item unticks "None of these".
        none.check()
        injury.check()
        expect(none).not_to_be_checked()
    else:
        injury.check()
    browser_page.locator("#region").get_by_role("button", name="Continue").click()
    expect(browser_page).to_have_url(re.compile(r"/check/the-leg/$"))
    browser_page.goto(base + "/check/about-you/")
    group = browser_page.get_by_role("group", name="Has any of these happened recently?")
    expect(group.get_by_label(re.compile("You have hurt your leg"))).to_be_checked()
    expect(group.get_by_label(re.compile("much more standing"))).not_to_be_checked()
