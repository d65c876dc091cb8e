"""The printed summary: a clean A4 PDF of at most two pages for an ordinary case."""

import re
import subprocess

import pytest

from tests.answer_sets import CASES, complete_answers
from tests.e2e.test_journey import run_journey
from triage.questionnaire import Journey
from triage.selectors import get_content

pytestmark = pytest.mark.browser


def pdf_text(path) -> tuple[str, int]:
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    info = subprocess.run(
        ["/usr/bin/pdfinfo", str(path)], capture_output=True, check=True, text=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return text, pages


@pytest.mark.parametrize("urgency", ["urgent", "self_care"])
def test_printing_the_results_gives_a_short_summary_for_a_doctor(
    seeded_live_server, page, tmp_path, urgency
):
    content = get_content()
    answers = complete_answers(content, CASES[urgency])
    assessment = Journey.of(content, answers).assessment
    run_journey(page, seeded_live_server.url, answers)
    page.locator(".care-card").wait_for()
    page.emulate_media(media="print")
    path = tmp_path / "summary.pdf"
    page.pdf(path=str(path), format="A4", print_background=True)
    text, pages = pdf_text(path)
    flat = " ".join(text.split())
    print(flat)

    assert pages <= 2
    assert "summary for a doctor" in flat
    assert re.search(r"Date: \d{1,2} \w+ \d{4}", flat)
    assert "Notes for the doctor" in flat
    assert "information, not a diagnosis" in flat
    for flag in assessment.red_flags:
        assert " ".join(flag.title.split()) in flat
    for cause in assessment.causes:
        assert " ".join(content.causes[cause.slug].title.split()) in flat
        for reason in cause.supporting:
            assert " ".join(reason.statement.split()) in flat
    assert content.questions["age"].short_label in flat  # the answers given
    for screen_only in ("Skip to main content", "Start again", "Print or save as PDF", "Back"):
        assert screen_only not in flat
