"""
The load test's people (bench/locustfile.py, run by locust as `make loadtest` runs it) walk whole
journeys against a live server, with JavaScript (htmx) and without, and meet no error.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCUST = str(Path(sys.executable).with_name("locust"))


def test_locust_people_walk_whole_journeys_with_and_without_javascript(seeded_live_server):
    result = subprocess.run(
        [
            LOCUST,
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--host",
            seeded_live_server.url,
            "--users",
            "2",
            "--spawn-rate",
            "10",
            "--run-time",
            "90s",
            "BrowserWithJavaScript",
            "BrowserWithoutJavaScript",
        ],
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
