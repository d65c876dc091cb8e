import json
import sys

from django.core.management.base import BaseCommand, CommandError

from triage.rules import AnswerError, evaluate, validate_answers
from triage.selectors import get_ruleset


class Error(CommandError):
    """Bad input: a one-line message and exit status 2, never a traceback."""

    def __init__(self, message):
        super().__init__(message, returncode=2)


class Command(BaseCommand):
    help = (
        "Assess one answers object (JSON: fact names to values; facts may be missing) read from "
        "a file or standard input, and print the assessment as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default="-", help="A JSON file of answers, or - for stdin."
        )

    def handle(self, *args, file="-", **options):
        text = self.read(file)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise Error(f"input is not valid JSON ({error})") from None
        ruleset = get_ruleset()
        try:
            answers = validate_answers(data, ruleset.facts)
        except AnswerError as error:
            raise Error(str(error)) from None
        assessment = evaluate(answers=answers, ruleset=ruleset)
        self.stdout.write(json.dumps(assessment.as_dict(), indent=2, ensure_ascii=False))

    def read(self, file: str) -> str:
        try:
            if file == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as stream:
                    raw = stream.read()
        except OSError as error:
            raise Error(f"cannot read {file}: {error.strerror}") from None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Error("input is not UTF-8 text") from None
