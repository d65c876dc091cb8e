"""
The printed summary, printed by Chromium as a person's browser prints it: key findings first,
the causes kept with their heading, numbered pages, and at most two A4 pages for every case of
the safety-case library.
"""

import re
import subprocess
from importlib import import_module

import pytest
from django.conf import settings

from tests.answer_sets import CASES, complete_answers
from tests.e2e.test_journey import run_journey
from tests.test_safety_cases import FIXTURE_CASES
from triage.questionnaire import Journey
from triage.results import BAND_TITLES
from triage.selectors import get_content

pytestmark = pytest.mark.browser

SCREEN_ONLY = ("Skip to main content", "Start again", "Print or save as PDF", "Back", "Call 999 if")


def pdf_pages(path) -> list[str]:
    """The text of each page of the PDF at ``path``, as pdftotext lays it out."""
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    info = subprocess.run(
        ["/usr/bin/pdfinfo", str(path)], capture_output=True, check=True, text=True
    ).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    pages = text.split("\f")[:count]
    assert len(pages) == count
    return pages


def flat(text: str) -> str:
    return " ".join(text.split())


def print_to_pdf(page, path) -> list[str]:
    page.emulate_media(media="print")
    page.pdf(path=str(path), format="A4", print_background=True)
    page.emulate_media(media="screen")
    return pdf_pages(path)


def printout_problems(pages: list[str], assessment, content, address: str) -> list[str]:
    """What is wrong with a printout of ``assessment``: an empty list when nothing is."""
    problems = []
    if len(pages) > 2:
        problems.append(f"{len(pages)} pages")
    first = flat(pages[0])
    start = first.find("Key findings")
    header = first[:start]
    if start < 0 or "summary for a doctor" not in header or address not in header:
        problems.append("the key findings are not first, after the header with the address")
    if not re.search(r"Date: \d{1,2} \w+ \d{4}", header):
        problems.append("no date in the header")
    if not re.search(r"Content release \d+", flat(pages[-1])):
        problems.append("no content release at the end")
    for number, text in enumerate(pages, start=1):
        if f"Page {number} of {len(pages)}" not in flat(text):
            problems.append(f"page {number} has no page number")
    titles = [flat(content.causes[cause.slug].title) for cause in assessment.causes]
    bands = {str(title) for title in BAND_TITLES.values()}
    for number, text in enumerate(pages, start=1):
        lines = [flat(line) for line in text.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            if line == "Possible causes" or line in bands:
                after = " ".join(lines[index + 1 :])
                if titles and not any(title in after for title in titles):
                    problems.append(f"{line!r} alone at the bottom of page {number}")
    for words in SCREEN_ONLY:
        if any(words in flat(text) for text in pages):
            problems.append(f"{words!r} is printed")
    return problems


@pytest.mark.parametrize("urgency", list(CASES), ids=list(CASES))
def test_printing_the_results_gives_a_short_summary_for_a_doctor(
    seeded_live_server, page, tmp_path, urgency
):
    content = get_content()
    answers = complete_answers(content, CASES[urgency])
    assessment = Journey.of(content, answers).assessment
    run_journey(page, seeded_live_server.url, answers)
    page.locator(".care-card").wait_for()
    pages = print_to_pdf(page, tmp_path / "summary.pdf")
    text = flat(" ".join(pages))
    print(text)

    address = seeded_live_server.url + "/"
    assert printout_problems(pages, assessment, content, address) == []
    assert "Notes for the doctor" in text
    assert "information, not a diagnosis" in text
    findings = text.split("Key findings")[1].split("Possible causes")[0]
    for flag in assessment.red_flags:
        assert flat(flag.title) in findings
    if not assessment.red_flags:
        assert "Warning signs None found" in findings
    for cause in assessment.causes:
        assert flat(content.causes[cause.slug].title) in text
        for reason in cause.supporting:
            assert flat(reason.statement) in text
    if urgency != "emergency":  # an emergency ends the questions at the checklist
        assert content.questions["age"].short_label in text  # the answers given
    # The few "Yes" answers apart from the many "No"s.
    yes = text.split("Answered yes:")[1].split("Answered no:")[0]
    for fact, value in answers.items():
        if value is True:
            assert flat(content.questions[fact].short_label) in yes


def test_the_printout_shows_the_page_numbers_the_browser_s_own_print_gives(
    seeded_live_server, page, tmp_path
):
    """@page margin boxes, which Chromium prints from version 131: no header or footer option."""
    content = get_content()
    case = max(FIXTURE_CASES, key=lambda case: sum(v is True for v in case["answers"].values()))
    answers = complete_answers(content, case["answers"])
    open_results(page, seeded_live_server.url, answers)
    pages = print_to_pdf(page, tmp_path / "summary.pdf")
    for number in range(1, len(pages) + 1):
        assert f"Page {number} of {len(pages)}" in flat(pages[number - 1])


def open_results(page, base: str, answers: dict) -> None:
    """The results page of ``answers``, as if the person had answered them (a session cookie)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["answers"] = answers
    store.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": store.session_key, "url": base}]
    )
    response = page.goto(base + "/result/")
    assert response.ok and response.url.endswith("/result/"), response.url


def test_every_case_of_the_library_prints_on_at_most_two_pages(seeded_live_server, page, tmp_path):
    content = get_content()
    address = seeded_live_server.url + "/"
    problems = {}
    longest = 0
    for case in FIXTURE_CASES:
        answers = complete_answers(content, case["answers"])
        open_results(page, seeded_live_server.url, answers)
        pages = print_to_pdf(page, tmp_path / "summary.pdf")
        longest = max(longest, len(pages))
        assessment = Journey.of(content, answers).assessment
        found = printout_problems(pages, assessment, content, address)
        if found:
            problems[case["slug"]] = found
    print(f"{len(FIXTURE_CASES)} cases printed, the longest on {longest} pages")
    assert problems == {}


def test_the_printout_check_finds_a_heading_left_at_the_bottom_of_a_page(content):
    """The check above can fail: "Possible causes" as the last line of page 1 is found."""
    answers = complete_answers(content, CASES["urgent"])
    assessment = Journey.of(content, answers).assessment
    title = content.causes[assessment.causes[0].slug].title
    header = "Calf pain self-check: summary for a doctor\n"
    header += "Date: 1 May 2026 · http://x/"
    pages = [
        f"{header}\nKey findings\nPossible causes\n   Page 1 of 2",
        f"More likely\n{title}\nContent release 1\nPage 2 of 2",
    ]
    assert printout_problems(pages, assessment, content, "http://x/") == [
        "'Possible causes' alone at the bottom of page 1"
    ]
