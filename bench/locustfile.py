"""
Simulated people for locust: each walks whole journeys of the questionnaire, from the start page
to the results, with the journey driver of the tests (``tests/journeys.py``: every step's form
is read from the page and filled from a persona), a session cookie and a CSRF token like a
browser's, and a pause before each page (THINK seconds on average, 0.5 to 1.5 times it; THINK=0
for none).

Two kinds of browser:

- ``BrowserWithJavaScript``: htmx, as the site's hx-boost makes it. The first page is loaded
  whole; every link and form after it is an htmx request (``HX-Request: true``, the CSRF token
  of the page's ``hx-headers`` in ``X-CSRFToken``), redirects are followed with the same
  headers as the browser's XMLHttpRequest does, and the page shown is the one named by
  ``HX-Push-Url`` (or ``HX-Replace-Url``) when the response has it, else the URL the response
  came from. ``HX-Redirect`` and ``HX-Refresh`` load a whole page; ``HX-Location`` makes one
  more htmx request. A follow-up question revealed under a choice is answered on the same
  page, as the page script reveals it.
- ``BrowserWithoutJavaScript``: plain form posts, the redirect followed with a GET; a follow-up
  is answered on its own page.

    locust -f bench/locustfile.py --headless --host http://127.0.0.1:8000 -u 100 -r 10 -t 60s

``make loadtest`` runs it against gunicorn on PostgreSQL; ``make bench`` uses the same classes
as a library (``bench/pages.py``). JOURNEYS stops each kind of browser after that many journeys
(for a quick check); with locust's ``--headless``, the run then ends by itself.
"""

import json
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.journeys import PERSONAS, Page, walk  # noqa: E402

THINK = float(os.getenv("THINK", "1.0"))
REDIRECTS = (301, 302, 303, 307, 308)
HX_HEADERS = re.compile(r"<body[^>]*\bhx-headers='([^']*)'")
FORM = "application/x-www-form-urlencoded"


def label(path: str) -> str:
    """The name a request is counted under in locust's table: its path, without a query."""
    return urlsplit(path).path or "/"


class Browser:
    """
    One person's browser, for ``journeys.walk``: ``get`` and ``post`` return the page the person
    then sees. ``client`` is a locust HTTP client (it keeps the cookies); ``on_response(method,
    path, response)`` sees every response, redirects too.
    """

    def __init__(
        self,
        client,
        *,
        htmx: bool,
        think: float = THINK,
        rng: random.Random | None = None,
        on_response: Callable | None = None,
    ):
        self.client = client
        self.htmx = htmx
        self.think = think
        self.rng = rng or random.Random()
        self.on_response = on_response
        self.csrf_header: dict[str, str] = {}
        self.loaded = False  # a whole page is in the window: htmx is running
        self.current = "/"

    def forget(self) -> None:
        """A new person: no cookies, no page loaded."""
        self.client.cookiejar.clear()
        self.csrf_header = {}
        self.loaded = False
        self.current = "/"

    def pause(self) -> None:
        if self.think:
            time.sleep(self.rng.uniform(0.5 * self.think, 1.5 * self.think))

    def get(self, path: str) -> Page:
        self.pause()
        return self.navigate("GET", path)

    def post(self, path: str, data: dict[str, list[str]]) -> Page:
        self.pause()
        return self.navigate("POST", path, urlencode(data, doseq=True).encode())

    def navigate(self, method: str, path: str, body: bytes | None = None) -> Page:
        htmx = self.htmx and self.loaded
        for _ in range(10):
            headers = {"Content-Type": FORM} if body is not None else {}
            if htmx:
                headers.update(
                    {
                        "HX-Request": "true",
                        "HX-Boosted": "true",
                        "HX-Current-URL": self.client.base_url + self.current,
                        "HX-Target": "region",
                        **self.csrf_header,
                    }
                )
            response = self.client.request(
                method,
                path,
                name=label(path),
                data=body,
                headers=headers,
                allow_redirects=False,
            )
            if self.on_response is not None:
                self.on_response(method, path, response, htmx)
            status = response.status_code
            found = response.headers or {}
            if status in REDIRECTS and found.get("Location"):
                # A browser, and htmx's XMLHttpRequest, follow it with the same headers.
                path = urlsplit(found["Location"]).path or "/"
                if status in (301, 302, 303):
                    method, body = "GET", None
                continue
            if htmx and (found.get("HX-Redirect") or found.get("HX-Refresh") == "true"):
                # htmx loads a whole page: the one named, or the current one again.
                path = urlsplit(found.get("HX-Redirect") or self.current).path
                method, body, htmx = "GET", None, False
                continue
            if htmx and found.get("HX-Location"):
                location = found["HX-Location"]
                if location.startswith("{"):
                    location = json.loads(location)["path"]
                path, method, body = urlsplit(location).path, "GET", None
                continue
            html = (response.content or b"").decode("utf-8", "replace")
            if htmx:
                pushed = found.get("HX-Push-Url") or found.get("HX-Replace-Url")
                if pushed and pushed != "false":
                    path = urlsplit(pushed).path
            elif status == 200:
                self.loaded = self.htmx
                match = HX_HEADERS.search(html)
                self.csrf_header = json.loads(match.group(1)) if match else {}
            self.current = path
            return Page(status, path, html)
        raise AssertionError(f"more than 10 redirects from {path}")


class Quota:
    """How many journeys (or requests) may still be started, shared by all people of a run."""

    def __init__(self, count: int | None):
        self.left = count
        self.lock = threading.Lock()

    def take(self) -> bool:
        if self.left is None:
            return True
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


JOURNEYS = int(os.environ["JOURNEYS"]) if os.getenv("JOURNEYS") else None
completed = {"journeys": 0, "failed": 0}
by_kind: dict[str, int] = {}


class Person(FastHttpUser):
    """Whole journeys one after another, each by a new person (no cookies kept)."""

    abstract = True
    htmx = False
    wait_time = constant(0)  # the pause is before each page, inside the journey
    personas = list(PERSONAS.values())
    quota = Quota(None)
    think = THINK

    def on_start(self):
        self.browser = Browser(self.client, htmx=self.htmx, think=self.think)
        self.rng = random.Random()

    @task
    def journey(self):
        if not self.quota.take():
            raise StopUser
        self.browser.forget()
        started = time.perf_counter()
        try:
            walk(
                self.browser.get,
                self.browser.post,
                self.rng.choice(self.personas),
                javascript=self.htmx,
            )
        except AssertionError as error:
            completed["failed"] += 1
            self.environment.events.request.fire(
                request_type="JOURNEY",
                name="whole journey",
                response_time=(time.perf_counter() - started) * 1000,
                response_length=0,
                exception=error,
                context={},
            )
            time.sleep(0.1)  # a broken server is not hammered in a tight loop
            return
        completed["journeys"] += 1
        kind = type(self).__name__
        by_kind[kind] = by_kind.get(kind, 0) + 1


class BrowserWithJavaScript(Person):
    htmx = True
    quota = Quota(JOURNEYS)


class BrowserWithoutJavaScript(Person):
    htmx = False
    quota = Quota(JOURNEYS)


def _all_stopped(environment) -> None:
    """With JOURNEYS set, end the run once every person has stopped."""
    runner = environment.runner
    while runner.spawning_greenlet is not None and not runner.spawning_greenlet.ready():
        time.sleep(0.1)
    while runner.user_count:
        time.sleep(0.1)
    runner.quit()


@events.test_start.add_listener
def _on_test_start(environment, **_kwargs):
    if JOURNEYS and environment.parsed_options is not None:
        gevent.spawn_later(0.5, _all_stopped, environment)


_finished = {}


@events.quitting.add_listener
def _on_quitting(environment, **_kwargs):
    if environment.parsed_options is not None:  # the locust command, not used as a library
        _finished["stats"] = environment.stats.total


@events.quit.add_listener
def _on_quit(exit_code, **_kwargs):
    """One last line, after locust's own tables: journeys, errors and the p95."""
    total = _finished.get("stats")
    if total is None:
        return
    p95 = total.get_response_time_percentile(0.95) if total.num_requests else 0
    print(
        f"journeys completed {completed['journeys']} "
        f"({', '.join(f'{kind} {count}' for kind, count in sorted(by_kind.items()))}), "
        f"failed {completed['failed']}; "
        f"requests {total.num_requests}, errors {total.num_failures}; "
        f"p50 {total.median_response_time or 0:.0f} ms, p95 {p95 or 0:.0f} ms, "
        f"max {total.max_response_time or 0:.0f} ms",
        flush=True,
    )
