"""
Load test: gunicorn on PostgreSQL, and locust's simulated people (``bench/locustfile.py``) doing
whole journeys, 100 of them for 60 seconds by default.

    make loadtest                       # or: .venv/bin/python bench/loadtest.py
    PEOPLE=300 DURATION=120 THINK=1.0 WEB_CONCURRENCY=4 GUNICORN_THREADS=2 make loadtest
    BROWSERS=BrowserWithoutJavaScript make loadtest

It creates its own database (``calfcheck_loadtest`` on the PostgreSQL server at
127.0.0.1:5432, user postgres; CALFCHECK_POSTGRES changes the server), migrates and seeds it,
collects the static files, starts gunicorn with calfsite/gunicorn.conf.py and DEBUG off, then
runs ``locust --headless`` against it: PEOPLE people arriving over SPAWN_SECONDS (5), half with
JavaScript (htmx) and half without unless BROWSERS names one class, each answering the
questionnaire from the start page to the results again and again with THINK seconds (1.0) on
average between pages. Locust prints its table of requests and percentiles; the last line gives
journeys, errors and the p95. It exits non-zero on any error, and drops the database at the end.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import drop_database, prepare_site  # noqa: E402

PEOPLE = int(os.getenv("PEOPLE", "100"))
DURATION = float(os.getenv("DURATION", "60"))
THINK = os.getenv("THINK", "1.0")
SPAWN_SECONDS = float(os.getenv("SPAWN_SECONDS", "5"))
WORKERS = int(os.getenv("WEB_CONCURRENCY", str((os.cpu_count() or 2) * 2)))
THREADS = os.getenv("GUNICORN_THREADS", "2")
DATABASE = os.getenv("LOADTEST_DATABASE", "calfcheck_loadtest")
BROWSERS = os.getenv("BROWSERS", "BrowserWithJavaScript BrowserWithoutJavaScript").split()
LOCUST = str(Path(sys.executable).with_name("locust"))


def locust_command(
    host: str, *, people: int, spawn_rate: float, run_time: float, browsers: list[str]
) -> list[str]:
    """locust, headless, with the people of bench/locustfile.py of the classes ``browsers``."""
    return [
        LOCUST,
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--host",
        host,
        "--users",
        str(people),
        "--spawn-rate",
        f"{spawn_rate:g}",
        "--run-time",
        f"{run_time:.0f}s",
        "--stop-timeout",
        "0",
        *browsers,
    ]


def main() -> int:
    print(f"Preparing PostgreSQL database {DATABASE}, static files and gunicorn ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="calfcheck-loadtest-") as tmp:
        site = prepare_site(DATABASE, Path(tmp) / "staticfiles")
        server = site.start_server(workers=WORKERS, GUNICORN_THREADS=THREADS)
        command = locust_command(
            server.url,
            people=PEOPLE,
            spawn_rate=max(PEOPLE / SPAWN_SECONDS, 1),
            run_time=DURATION,
            browsers=BROWSERS,
        )
        try:
            print(
                f"gunicorn: {WORKERS} workers x {THREADS} threads on {server.url}; "
                f"{PEOPLE} people for {DURATION:.0f} s, {THINK} s between pages on average",
                flush=True,
            )
            print(f"THINK={THINK} " + " ".join(command), flush=True)
            # A fixed command: the locust of this environment and numbers read above.
            result = subprocess.run(command, cwd=ROOT, env={**os.environ, "THINK": THINK})  # noqa: S603
        finally:
            server.stop()
            drop_database(DATABASE)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
