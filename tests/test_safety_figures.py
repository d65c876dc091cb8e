"""
The clinical figures of a safety-case run (triage.safety), counted on small hand-made results
whose figures are worked out by hand, the ``cases`` command's exit status, and the admin's
"Run every case" page showing the same table.
"""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from triage.models import SafetyCase
from triage.rules import Assessment, RankedCause
from triage.safety import (
    FIGURES,
    CaseResult,
    CaseSpec,
    clinical_figures,
    safety_report,
)


def result(expected, got, *, causes=(), expected_causes=(), atypical=False, passed=None):
    """A CaseResult as check_case would make it, without running any rules."""
    case = CaseSpec(
        slug=f"case-{expected}-{got}-{len(causes)}",
        title="A case",
        guidance_row="red-flags.md §1.1 row 1",
        answers={},
        expected_urgency=expected,
        expected_top_causes=tuple(expected_causes),
        atypical=atypical,
    )
    ranked = tuple(RankedCause(slug, slug, "possible", 2, "self_care", (), ()) for slug in causes)
    problems = () if (passed if passed is not None else expected == got) else ("differs",)
    return CaseResult(case, Assessment(got, (), ranked, (), ()), problems)


def by_key(figures):
    return {figure.spec.key: (figure.numerator, figure.denominator) for figure in figures}


RESULTS = [
    result("emergency", "emergency"),
    result("emergency", "urgent"),  # under-triaged emergency
    result("urgent", "urgent", causes=("a", "b", "dvt"), expected_causes=("dvt",)),
    result("urgent", "emergency"),  # over-triaged urgent
    result("urgent", "self_care", causes=("dvt",), expected_causes=("dvt",)),  # under-triaged
    result("soon", "self_care"),  # under-triaged soon
    result("self_care", "self_care", causes=("overuse",), expected_causes=("overuse",)),
    result(
        "self_care", "emergency", causes=("a", "b", "c", "overuse"), expected_causes=("overuse",)
    ),
]


def test_each_figure_counts_the_cases_its_definition_names():
    figures = by_key(clinical_figures(RESULTS))
    assert figures["passed"] == (3, 8)
    assert figures["urgency_exact"] == (3, 8)
    assert figures["safe_advice"] == (5, 8)
    assert figures["under_triage"] == (3, 8)
    assert figures["under_triage_emergency"] == (1, 2)
    assert figures["under_triage_urgent"] == (1, 3)
    assert figures["under_triage_soon"] == (1, 1)
    assert figures["over_triage"] == (2, 8)
    assert figures["over_triage_urgent"] == (1, 3)
    assert figures["over_triage_soon"] == (0, 1)
    assert figures["over_triage_self_care"] == (1, 2)
    assert figures["self_care_to_emergency"] == (1, 2)
    assert figures["sensitivity_emergency"] == (1, 2)
    assert figures["sensitivity_urgent"] == (2, 3)
    assert figures["specificity_self_care"] == (1, 2)
    # Four cases name causes: dvt third (top 3 only), dvt first, overuse first, overuse fourth.
    assert figures["top_1_cause"] == (2, 4)
    assert figures["top_3_cause"] == (3, 4)
    assert set(figures) == {spec.key for spec in FIGURES}


def test_a_cause_ranked_fourth_is_not_in_the_top_3():
    fourth = result("soon", "soon", causes=("a", "b", "c", "pad"), expected_causes=("pad",))
    third = result("soon", "soon", causes=("a", "b", "pad"), expected_causes=("pad",))
    assert not fourth.top_3_hit and not fourth.top_1_hit
    assert third.top_3_hit and not third.top_1_hit


def test_a_figure_with_no_cases_to_count_shows_a_dash_not_zero():
    (figure,) = [
        f for f in clinical_figures([result("soon", "soon")]) if f.spec.key == "top_1_cause"
    ]
    assert (figure.numerator, figure.denominator, figure.percent, figure.text) == (0, 0, None, "-")
    (exact,) = [
        f for f in clinical_figures([result("soon", "urgent")]) if f.spec.key == "urgency_exact"
    ]
    assert exact.text == "0 % (0/1)"


def test_the_atypical_column_counts_only_atypical_cases():
    results = [
        result("urgent", "urgent"),
        result("urgent", "soon", atypical=True),
        result("self_care", "self_care", atypical=True),
    ]
    report = safety_report(results)
    rows = {row.spec.key: row for row in report.rows}
    assert (rows["urgency_exact"].all.numerator, rows["urgency_exact"].all.denominator) == (2, 3)
    exact = rows["urgency_exact"].atypical
    assert (exact.numerator, exact.denominator) == (1, 2)
    assert report.atypical_count == 2
    assert [r.case.expected_urgency for r in report.serious_under_triage] == ["urgent"]


def test_only_emergency_and_urgent_under_triage_is_serious():
    report = safety_report([result("soon", "self_care"), result("self_care", "urgent")])
    assert report.serious_under_triage == ()
    assert len(report.failures) == 2


def test_published_figures_sit_beside_the_matching_rows():
    published = {spec.key: {(p.source, p.percent) for p in spec.published} for spec in FIGURES}
    assert published["urgency_exact"] == {("Semigran 2015", 57), ("Hill 2020", 49)}
    assert published["sensitivity_emergency"] == {("Semigran 2015", 80)}
    assert published["safe_advice"] == {("Gilbert 2020, GPs", 97)}
    assert published["top_3_cause"] == {("Gilbert 2020, GPs", 82)}


# ---- The command and the admin page, on the small content world of tests/admin_support.py ----


def test_the_cases_command_prints_the_figures_and_passes_when_nothing_is_under_triaged(
    world, capsys
):
    call_command("cases")
    out = capsys.readouterr().out
    assert "Safety cases: 2, of which 0 atypical" in out
    assert "Urgency exact" in out and "100 % (2/2)" in out
    assert "Semigran 2015: 57 %; Hill 2020: 49 %" in out
    assert "Failing cases: 0" in out
    assert "No emergency or urgent case is under-triaged." in out


def _add_case(slug, expected, answers, **fields):
    return SafetyCase.objects.create(
        slug=slug,
        title=slug,
        guidance_row="red-flags.md §1.2 row 1",
        answers=answers,
        expected_urgency=expected,
        **fields,
    )


def test_the_cases_command_exits_1_when_an_urgent_case_is_under_triaged(world, capsys):
    _add_case("warm-only-expected-urgent", "urgent", {"warmth": True}, atypical=True)
    with pytest.raises(CommandError) as raised:
        call_command("cases")
    assert raised.value.returncode == 1
    assert "warm-only-expected-urgent" in str(raised.value)
    out = capsys.readouterr().out
    assert "Failing cases: 1" in out
    assert "warm-only-expected-urgent [UNDER-TRIAGED, atypical]: expected urgent, got" in out


def test_the_cases_command_exits_1_when_an_emergency_case_is_under_triaged(world):
    _add_case("swollen-expected-emergency", "emergency", {"swelling": True})
    with pytest.raises(CommandError) as raised:
        call_command("cases")
    assert raised.value.returncode == 1


def test_an_under_triaged_soon_case_fails_but_does_not_fail_the_run(world, capsys):
    _add_case("nothing-expected-soon", "soon", {})
    call_command("cases")
    out = capsys.readouterr().out
    assert "Failing cases: 1" in out
    assert "nothing-expected-soon [UNDER-TRIAGED]: expected soon, got self_care" in out


def test_the_run_page_shows_the_figures_above_the_cases(world, reviewer):
    _add_case("nothing-expected-soon", "soon", {}, atypical=True)
    response = reviewer.get(reverse("admin:triage_safetycase_run"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('id="safety-figures"') < html.index('id="safety-results"')
    rows = {row.spec.key: row for row in response.context["figure_rows"]}
    assert rows["urgency_exact"].all.text == "67 % (2/3)"
    assert rows["urgency_exact"].atypical.text == "0 % (0/1)"
    assert "Atypical cases (1)" in html
    assert "Semigran 2015: 57 %" in html and "Gilbert 2020, GPs: 82 %" in html
    assert "emergency cases given emergency / emergency cases" in html
    assert "67 % (2/3)" in html
