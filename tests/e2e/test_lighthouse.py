"""
Lighthouse (from npm, pinned in package-lock.json; `npm ci` installs it) against the site as
`make serve` runs it (nginx, gunicorn, PostgreSQL): a score of 100 for performance,
accessibility, best practices and SEO on the start page, the first question page (the
emergency checklist) and a results page, as a phone and as a desktop computer.

Each is one Lighthouse run in headless Chromium with the flags of the other browser tests.
Performance is measured the way Lighthouse does by default: one page load on this machine,
from which it simulates a slower network and processor ("simulate" throttling; for a phone,
slow 4G and a processor 4 times slower, on a Moto G Power's screen; --preset=desktop: a fast
wired connection and a desktop screen). The network is simulated, but the processor's time
is measured, and grows with what else the machine is doing: when performance is under 100,
Lighthouse runs again, up to 5 runs, and the best counts (the other categories are the
first run's). A run that Lighthouse itself ends with "Please run Lighthouse again" (a trace
Chromium did not record whole) is run again, up to 3 times.
The results page needs the answers of a journey: the session cookie of one, walked over HTTP
first, is sent with every request (--extra-headers).
"""

import json
import os
import subprocess

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.journeys import POSSIBLE_CLOT, result_summary, walk
from tests.servers import ROOT, http_driver

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = {"start": "/", "question": "/check/emergency/", "results": "/result/"}
FORM_FACTORS = ["mobile", "desktop"]
PERFORMANCE_RUNS = 5
# A trace that Chromium did not record whole (NO_NAVSTART, NO_FCP on a busy machine): Lighthouse
# says to run it again, and it runs up to this many times. Any other failure fails at once.
RUN_AGAIN = "Please run Lighthouse again"
TRACE_ATTEMPTS = 3


@pytest.fixture(scope="module")
def session_cookie(served) -> str:
    """The Cookie header of a person who has answered every question (a possible clot)."""
    get, post, jar = http_driver(served.url)
    journey = walk(get, post, POSSIBLE_CLOT)
    assert result_summary(journey.result.html)["urgency"] == "urgent"
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def run_lighthouse(url: str, form_factor: str, headers: dict, tmp_path) -> dict:
    if not LIGHTHOUSE.exists():
        pytest.fail(f"Lighthouse is not installed at {LIGHTHOUSE}: run `npm ci` (make test does)")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    report = tmp_path / "lighthouse.json"
    command = [
        str(LIGHTHOUSE),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(['--headless=new', *CHROMIUM_ARGS])}",
        "--throttling-method=simulate",
        "--max-wait-for-load=30000",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    if headers:
        (tmp_path / "headers.json").write_text(json.dumps(headers))
        command.append(f"--extra-headers={tmp_path / 'headers.json'}")
    failures = []
    for _attempt in range(TRACE_ATTEMPTS):
        report.unlink(missing_ok=True)
        try:
            run = subprocess.run(
                command,
                cwd=tmp_path,
                env={**os.environ, "CHROME_PATH": CHROMIUM},
                capture_output=True,
                text=True,
                timeout=180,
            )
        except subprocess.TimeoutExpired as error:
            pytest.fail(f"Lighthouse did not finish in 180 s: {error.stderr}")
        if run.returncode == 0 and report.exists():
            return json.loads(report.read_text())
        failures.append(run.stderr)
        if RUN_AGAIN not in run.stderr:
            break
    pytest.fail("Lighthouse failed:\n" + "\n".join(failures))


def shortfalls(report: dict) -> list[str]:
    """Every audit that costs a category points, with what Lighthouse says of it."""
    lines = []
    for name in CATEGORIES:
        category = report["categories"][name]
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] == 0 or audit["score"] is None or audit["score"] >= 1:
                continue
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            lines.append(f"{name}: {audit['id']} scores {audit['score']}{value}: {audit['title']}")
            for item in (audit.get("details") or {}).get("items", [])[:3]:
                node = item.get("node") or {}
                where = node.get("snippet") or item.get("url") or item.get("source") or ""
                if where:
                    lines.append(f"    {str(where)[:200]}")
    return lines


@pytest.mark.parametrize("form_factor", FORM_FACTORS)
@pytest.mark.parametrize("name", list(PAGES))
def test_lighthouse_scores_100_in_every_category(
    served, session_cookie, name, form_factor, tmp_path
):
    url = served.url + PAGES[name]
    headers = {"Cookie": session_cookie} if name == "results" else {}
    reports = [run_lighthouse(url, form_factor, headers, tmp_path)]
    # What else the machine is doing can only make a run slower than the page makes it: the
    # best of up to PERFORMANCE_RUNS runs counts for performance.
    while (
        len(reports) < PERFORMANCE_RUNS and reports[-1]["categories"]["performance"]["score"] != 1
    ):
        reports.append(run_lighthouse(url, form_factor, headers, tmp_path))
    for report in reports:
        assert "runtimeError" not in report, report["runtimeError"]
        assert report["finalDisplayedUrl"] == url, f"{url} went to {report['finalDisplayedUrl']}"
        assert report["configSettings"]["formFactor"] == form_factor
    scores = {category: reports[0]["categories"][category]["score"] for category in CATEGORIES}
    performance = [report["categories"]["performance"]["score"] for report in reports]
    scores["performance"] = max(performance)
    assert all(score == 1 for score in scores.values()), (
        f"{name} page, {form_factor}: {scores} (performance of each run: {performance})\n"
        + "\n\n".join(
            f"run {number} (CPU benchmark index {report['environment']['benchmarkIndex']}):\n"
            + "\n".join(shortfalls(report))
            for number, report in enumerate(reports, 1)
        )
    )


def test_a_run_that_lighthouse_asks_to_repeat_is_run_again_and_no_other(tmp_path, monkeypatch):
    import sys

    fake = tmp_path / "lighthouse"
    # Fails as Lighthouse does on a trace it could not read, then writes a report; a second
    # kind of failure is not repeated.
    fake.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        "count = pathlib.Path('runs')\n"
        "runs = int(count.read_text()) + 1 if count.exists() else 1\n"
        "count.write_text(str(runs))\n"
        "if sys.argv[1].endswith('/again') and runs == 1:\n"
        "    sys.exit('Runtime error encountered: Please run Lighthouse again. (NO_NAVSTART)')\n"
        "if sys.argv[1].endswith('/broken'):\n"
        "    sys.exit('Runtime error encountered: The URL appears to be invalid.')\n"
        "out = [a.split('=', 1)[1] for a in sys.argv if a.startswith('--output-path=')][0]\n"
        "pathlib.Path(out).write_text('{\"ok\": true}')\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(sys.modules[__name__], "LIGHTHOUSE", fake)
    again = tmp_path / "again"
    again.mkdir()
    assert run_lighthouse("http://x/again", "mobile", {}, again) == {"ok": True}
    assert (again / "runs").read_text() == "2"
    broken = tmp_path / "broken"
    broken.mkdir()
    with pytest.raises(pytest.fail.Exception, match="appears to be invalid"):
        run_lighthouse("http://x/broken", "mobile", {}, broken)
    assert (broken / "runs").read_text() == "1"
