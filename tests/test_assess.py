"""The `assess` command: good input prints the assessment; bad input exits 2 with one line."""

import io
import json

import pytest
from django.core.management import call_command

from triage.management.commands.assess import Command
from triage.rules import evaluate

pytestmark = pytest.mark.django_db


class FakeStdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def run_assess(monkeypatch, data: bytes) -> dict:
    monkeypatch.setattr("sys.stdin", FakeStdin(data))
    out = io.StringIO()
    call_command("assess", stdout=out)
    return json.loads(out.getvalue())


def run_assess_argv(monkeypatch, capsys, data: bytes) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", FakeStdin(data))
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "assess"])
    return exit_info.value.code, capsys.readouterr().err


def test_it_prints_the_assessment_of_answers_read_from_stdin(monkeypatch, ruleset):
    answers = {"side": "one_leg", "swelling": True, "warmth": True, "age": 70}
    printed = run_assess(monkeypatch, json.dumps(answers).encode())
    assert printed == evaluate(answers=answers, ruleset=ruleset).as_dict()
    assert set(printed) >= {"urgency", "red_flags", "causes"}


def test_it_reads_answers_from_a_file(tmp_path, ruleset):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"new_footwear_or_worn_shoes": True}))
    out = io.StringIO()
    call_command("assess", str(path), stdout=out)
    printed = json.loads(out.getvalue())
    expected = evaluate(answers={"new_footwear_or_worn_shoes": True}, ruleset=ruleset)
    assert printed == expected.as_dict()


def test_an_empty_object_is_valid_and_claims_nothing(monkeypatch):
    printed = run_assess(monkeypatch, b"{}")
    assert printed["red_flags"] == []
    assert printed["causes"] == []
    assert printed["urgency"] == "self_care"


def test_causes_are_sorted_most_likely_first(monkeypatch):
    printed = run_assess(
        monkeypatch,
        json.dumps(
            {
                "more_standing_walking_than_usual": True,
                "new_footwear_or_worn_shoes": True,
                "side": "both_legs",
                "onset": "gradual",
            }
        ).encode(),
    )
    scores = [cause["score"] for cause in printed["causes"]]
    assert scores == sorted(scores, reverse=True)
    assert scores, "these answers support at least one cause"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "input is not valid JSON"),
        (b"", "input is not valid JSON"),
        (b"[1, 2]", "answers must be a JSON object"),
        (b'"swelling"', "answers must be a JSON object"),
        (b'{"calf_colour": "blue"}', "calf_colour: unknown fact"),
        (
            b'{"swelling": "yes"}',
            "swelling: 'yes' is not allowed; expected true, false or \"not_sure\"",
        ),
        (
            b'{"tenderness_on_touch": "not_sure"}',
            "tenderness_on_touch: 'not_sure' is not allowed; expected true or false",
        ),
        (b'{"side": "not_sure"}', "side: 'not_sure' is not allowed"),
        (b'{"age": "not_sure"}', "age: 'not_sure' is not allowed"),
        (b'{"age": 12}', "age: 12 is not allowed; expected a whole number from 16 to 110"),
        (b'{"age": 40.5}', "age: 40.5 is not allowed"),
        (b'{"side": "left"}', "side: 'left' is not allowed; expected one of \"one_leg\""),
        (b'{"duration_days": -1}', "duration_days: -1 is not allowed"),
        (b'{"fever": null}', "fever: None is not allowed"),
        (b"\xff\xfe", "input is not UTF-8 text"),
        (b"[" * 100000, "input is not valid JSON"),
    ],
    ids=[
        "not-json",
        "empty",
        "a-list",
        "a-string",
        "unknown-fact",
        "wrong-type",
        "not-sure-where-the-question-does-not-offer-it",
        "not-sure-for-side",
        "not-sure-for-age",
        "integer-out-of-range",
        "not-a-whole-number",
        "choice-not-allowed",
        "negative-duration",
        "null-value",
        "not-utf8",
        "deeply-nested",
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(monkeypatch, capsys, data, message):
    code, err = run_assess_argv(monkeypatch, capsys, data)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_file_exits_2(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "assess", str(tmp_path / "nope.json")])
    assert exit_info.value.code == 2
    assert "cannot read" in capsys.readouterr().err


def test_it_accepts_not_sure_for_every_fact_whose_question_offers_it(monkeypatch, content):
    offering = [q.fact for q in content.questions.values() if q.allow_not_sure]
    assert offering
    answers = dict.fromkeys(offering, "not_sure")
    printed = run_assess(monkeypatch, json.dumps(answers).encode())
    assert printed == evaluate(answers=answers, ruleset=content.ruleset).as_dict()


def test_a_red_flag_fired_on_doubt_names_the_answer_taken_the_safer_way(monkeypatch):
    # red-flags.md §1.6: one calf bigger is "Not sure"; every other part of §1.2 row 13 is met.
    printed = run_assess(monkeypatch, b'{"side": "both_legs", "one_calf_bigger": "not_sure"}')
    assert printed["urgency"] == "urgent"
    flag = next(f for f in printed["red_flags"] if f["slug"] == "one_calf_bigger")
    assert flag["not_sure"] == "one_calf_bigger"


def _page_and_assess(client, monkeypatch, content, overrides):
    from django.urls import reverse

    from tests.answer_sets import complete_answers, set_answers

    answers = complete_answers(content, overrides)
    set_answers(client, answers)
    response = client.get(reverse("triage:result"))
    assert response.status_code == 200
    printed = run_assess(monkeypatch, json.dumps(answers).encode())
    return response.content.decode(), printed


def test_the_results_page_says_which_sign_was_taken_on_doubt(client, monkeypatch, content):
    html, printed = _page_and_assess(
        client, monkeypatch, content, {"side": "both_legs", "one_calf_bigger": "not_sure"}
    )
    assert printed["urgency"] == "urgent"
    assert "care-card--urgent" in html
    assert (
        "You were not sure whether one calf is bigger than the other, so to be safe, get "
        "medical help today."
    ) in html


def test_the_results_page_names_signs_two_not_sure_answers_left_open(client, monkeypatch, content):
    html, printed = _page_and_assess(
        client,
        monkeypatch,
        content,
        {"side": "one_leg", "warmth": "not_sure", "redness_or_discolouration": "not_sure"},
    )
    assert printed["urgency"] == "self_care"
    assert {"slug": "dvt_one_leg_signs", "urgency": "urgent"}.items() <= next(
        f for f in printed["not_sure_signs"] if f["slug"] == "dvt_one_leg_signs"
    ).items()
    assert "You were not sure whether the painful area feels warmer" in html
