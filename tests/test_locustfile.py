"""
The load test's people (bench/locustfile.py, run by locust as `make loadtest` runs it) walk whole
journeys against gunicorn, with JavaScript (htmx) and without, and meet no error.

Against gunicorn on PostgreSQL, as in production, where each request thread has a database
connection of its own: Django's live server shares the unit tests' one in-memory SQLite
connection between its threads, which take turns (the `live_server` fixture of
tests/conftest.py), so it would not serve two people at once.
"""

import os
import re
import subprocess

import pytest

from bench.loadtest import ROOT, locust_command
from tests.servers import shared_site

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def server(tmp_path_factory):
    server = shared_site(tmp_path_factory.mktemp("site")).start_server(workers=2)
    yield server
    server.stop()


def test_locust_people_walk_whole_journeys_with_and_without_javascript(server):
    result = subprocess.run(
        locust_command(
            server.url,
            people=2,
            spawn_rate=10,
            run_time=90,
            browsers=["BrowserWithJavaScript", "BrowserWithoutJavaScript"],
        ),
        cwd=ROOT,
        env={**os.environ, "THINK": "0", "JOURNEYS": "2"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    summary = re.search(r"^journeys completed .*$", result.stdout, re.M)
    assert summary is not None, output
    assert summary.group(0).startswith(
        "journeys completed 4 (BrowserWithJavaScript 2, BrowserWithoutJavaScript 2), failed 0; "
    ), output
    assert ", errors 0;" in summary.group(0), output
    assert "--run-time limit reached" not in output, "the run did not end when the journeys did"
