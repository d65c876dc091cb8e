"""
Database work: SQL queries per request for each page of a whole journey, with the shipped
content and again with 100x synthetic content (``bench.content``). The journey is the load
generator's (``tests.journeys.walk``), made through Django's test client with CSRF checks on.

Runs inside one transaction that is rolled back, so the bench database keeps only the shipped
content. Run with ``make bench``; it prints figures and asserts nothing.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.cases import ORDINARY  # noqa: E402
from bench.content import add_synthetic_content  # noqa: E402
from tests.journeys import Page, walk  # noqa: E402

GOAL = 3  # queries per request, at most, on every page


def walk_journey() -> list[tuple[str, int]]:
    """(request, queries) for each request of one journey, after one warm-up journey."""
    rows: list[tuple[str, int]] = []

    def driver(record: bool):
        client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")

        def fetch(method: str, path: str, data=None) -> Page:
            # Redirects followed one by one, so that each request's queries are counted.
            while True:
                with CaptureQueriesContext(connection) as queries:
                    response = client.post(path, data) if method == "POST" else client.get(path)
                if record:
                    rows.append((f"{method} {path.split('?')[0]}", len(queries)))
                if response.status_code not in (301, 302, 303):
                    return Page(response.status_code, path, response.content.decode())
                path, method, data = urlsplit(response["Location"]).path, "GET", None

        return (lambda path: fetch("GET", path)), (lambda path, data: fetch("POST", path, data))

    # The first request after a content change builds the snapshot: not a request to count.
    walk(*driver(record=False), ORDINARY)
    walk(*driver(record=True), ORDINARY)
    return rows


def main() -> None:
    with transaction.atomic():
        shipped = walk_journey()
        counts = add_synthetic_content(100)
        scaled = walk_journey()
        transaction.set_rollback(True)
    print()
    print("Database work: SQL queries per request, one whole journey")
    print(f"  100x content: {', '.join(f'{v} {k}' for k, v in counts.items())}")
    print(f"  {'request':<42} {'1x':>4} {'100x':>5}  goal  result")
    if [r for r, _ in shipped] != [r for r, _ in scaled]:
        print("  MISS: the journey took different pages with 100x content")
    for (request, one), (_, hundred) in zip(shipped, scaled, strict=False):
        ok = one <= GOAL and one == hundred
        print(f"  {request:<42} {one:>4} {hundred:>5}  <={GOAL}   {'PASS' if ok else 'MISS'}")
    print(f"  Goal: at most {GOAL} queries per request, the same with 100x content.")


if __name__ == "__main__":
    main()
