"""
Load test: gunicorn on PostgreSQL, and 100 simulated people doing whole journeys for 60 seconds.

    make loadtest                       # or: .venv/bin/python scripts/loadtest.py
    PEOPLE=100 DURATION=60 THINK=1.0 WEB_CONCURRENCY=4 GUNICORN_THREADS=2 make loadtest

It creates its own database (``calfcheck_loadtest`` on the PostgreSQL server at
127.0.0.1:5432, user postgres; CALFCHECK_POSTGRES changes the server), migrates and seeds it,
collects the static files, starts gunicorn with calfsite/gunicorn.conf.py and DEBUG off, then
lets each simulated person answer the questionnaire from the start page to the results, again
and again, with a CSRF token and a session cookie like a browser's and a pause between pages
(THINK seconds on average; THINK=0 for none). It prints requests per second, errors and the
p50/p95/p99 latency of every request, and drops the database at the end.
"""

import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection, RemoteDisconnected
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import journeys  # noqa: E402
from tests.journeys import PERSONAS, Page, walk  # noqa: E402
from tests.servers import drop_database, prepare_site  # noqa: E402

PEOPLE = int(os.getenv("PEOPLE", "100"))
DURATION = float(os.getenv("DURATION", "60"))
THINK = float(os.getenv("THINK", "1.0"))
WORKERS = int(os.getenv("WEB_CONCURRENCY", str((os.cpu_count() or 2) * 2)))
THREADS = int(os.getenv("GUNICORN_THREADS", "2"))
DATABASE = os.getenv("LOADTEST_DATABASE", "calfcheck_loadtest")


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VARYING = re.compile(
    r'(nonce="[^"]*"|value="[^"]*" name="csrfmiddlewaretoken"|'
    r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*")'
)
_forms: dict[str, journeys.Form] = {}
_parse = journeys.step_form


def step_form(html: str) -> journeys.Form | None:
    """journeys.step_form, remembered: parsing every page in Python would load this machine
    more than the server does. Only the CSRF token and the CSP nonce differ between two
    renderings of one step page."""
    key = VARYING.sub("", html)
    form = _forms.get(key)
    if form is None:
        form = _forms[key] = _parse(html)
    if form is None:
        return None
    token = TOKEN.search(html)
    fields = dict(form.fields)
    if token and "csrfmiddlewaretoken" in fields:
        hidden = fields["csrfmiddlewaretoken"]
        fields["csrfmiddlewaretoken"] = journeys.Field(
            hidden.name, hidden.kind, value=token.group(1)
        )
    return journeys.Form(form.action, fields)


journeys.step_form = step_form


class Stop(Exception):
    """The time is up: the person stops in the middle of a journey."""


class Person:
    """One browser: a keep-alive connection, a cookie jar, redirects followed."""

    def __init__(self, host: str, port: int, deadline: float, results: "Results"):
        self.host, self.port = host, port
        self.connection = HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.deadline = deadline
        self.results = results
        self.rng = random.Random()

    def request(self, method: str, path: str, body: bytes | None = None) -> Page:
        for _ in range(5):  # redirects
            headers = {"Host": f"{self.host}:{self.port}"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                response, content = self.send(method, path, body, headers)
            except OSError as error:
                self.results.add(time.perf_counter() - started, f"{type(error).__name__}")
                self.connection.close()
                raise Stop from error
            self.results.add(time.perf_counter() - started, response.status)
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if response.status in (301, 302, 303):
                path = urlsplit(response.headers["Location"]).path or "/"
                method, body = "GET", None
                continue
            return Page(response.status, path, content.decode())
        raise Stop

    def send(self, method, path, body, headers):
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response, response.read()
            except (RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: reconnect, as browsers do.
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def pause(self) -> None:
        if time.monotonic() >= self.deadline:
            raise Stop
        if THINK:
            time.sleep(self.rng.uniform(0.5 * THINK, 1.5 * THINK))

    def get(self, path: str) -> Page:
        self.pause()
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, list[str]]) -> Page:
        self.pause()
        return self.request("POST", path, urlencode(data, doseq=True).encode())

    def live(self) -> None:
        names = list(PERSONAS)
        while time.monotonic() < self.deadline:
            self.cookies.clear()  # a new person, a new session
            try:
                walk(self.get, self.post, PERSONAS[self.rng.choice(names)])
                self.results.journey()
            except Stop:
                return
            except AssertionError as error:
                self.results.add(0.0, f"journey: {str(error)[:80]}")


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.journeys = 0

    def add(self, seconds: float, status) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if not isinstance(status, int) or status >= 400:
                self.errors[str(status)] = self.errors.get(str(status), 0) + 1

    def journey(self) -> None:
        with self.lock:
            self.journeys += 1


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1]


def main() -> int:
    print(f"Preparing PostgreSQL database {DATABASE}, static files and gunicorn ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="calfcheck-loadtest-") as tmp:
        site = prepare_site(DATABASE, Path(tmp) / "staticfiles")
        server = site.start_server(workers=WORKERS, GUNICORN_THREADS=str(THREADS))
        try:
            print(
                f"gunicorn: {WORKERS} workers x {THREADS} threads on {server.url}; "
                f"{PEOPLE} people for {DURATION:.0f} s, {THINK} s between pages on average",
                flush=True,
            )
            results = Results()
            deadline = time.monotonic() + DURATION
            people = [Person("127.0.0.1", server.port, deadline, results) for _ in range(PEOPLE)]
            threads = [threading.Thread(target=person.live) for person in people]
            started = time.monotonic()
            for thread in threads:
                thread.start()
                time.sleep(min(0.01, DURATION / 1000))  # people arrive over the first second
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.stop()
            drop_database(DATABASE)
    # gunicorn's own time per request (its access log): the server alone, without the time
    # this load generator's threads wait for their turn on a busy machine.
    served = [
        int(ms) / 1000 for ms in re.findall(r'^"[A-Z]+ [^"]*" \d+ \d+ (\d+)ms$', server.log, re.M)
    ]

    latencies = results.latencies
    errors = sum(results.errors.values())
    print()
    rate = len(latencies) / elapsed
    print(f"requests     {len(latencies)} in {elapsed:.1f} s: {rate:.1f} per second")
    print(f"journeys     {results.journeys} completed")
    print(f"errors       {errors} {results.errors if errors else ''}".rstrip())
    if len(latencies) >= 2:
        print(
            "latency      "
            f"p50 {percentile(latencies, 0.50) * 1000:.1f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms"
        )
    if len(served) >= 2:
        print(
            "in gunicorn  "
            f"p50 {percentile(served, 0.50) * 1000:.1f} ms, "
            f"p95 {percentile(served, 0.95) * 1000:.1f} ms, "
            f"p99 {percentile(served, 0.99) * 1000:.1f} ms "
            f"({len(served)} requests logged)"
        )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
