"""
The load generator of the benchmarks: the simulated people of scripts/loadtest.py (``Person``:
one keep-alive connection, a cookie jar, redirects followed, every request timed) walking the
journey of tests/journeys.py (each step's form filled from the page, CSRF token included), with
no pause between pages. ``make loadtest`` uses the same two.

``Load`` adds what a comparison needs: a number of people sending either whole journeys or one
URL over and over, and ``resume()``/``pause()`` so that two loads can take turns on one server
while each keeps its people where they are in their journeys. ``HttpClient`` sends one request
with any headers (an htmx request, an Accept-Encoding), for the weight figures.
"""

import http.client
import importlib.util
import math
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import ORDINARY  # noqa: E402
from tests.journeys import walk  # noqa: E402


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # scripts/ is not a package; dataclasses there need this
    spec.loader.exec_module(module)
    return module


loadtest = _load_script("loadtest")


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class HttpClient:
    """One keep-alive connection and one cookie jar: one person's browser, without JavaScript."""

    def __init__(self, host: str, port: int, timeout: float = 30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def forget(self) -> None:
        """A new person: no cookies (the connection stays open)."""
        self.cookies.clear()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, method: str, path: str, fields=None, headers=None) -> Response:
        request_headers = {"Host": f"{self.host}:{self.port}", "Accept-Encoding": "identity"}
        request_headers.update(headers or {})
        if self.cookies:
            request_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True).encode()
            request_headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self.connection.request(method, path, body=body, headers=request_headers)
                raw = self.connection.getresponse()
                data = raw.read()
                break
            except (ConnectionError, http.client.HTTPException):
                # The server closed an idle keep-alive connection: reconnect once.
                self.close()
                if attempt == 2:
                    raise
        response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(morsel.key, None)
                    else:
                        self.cookies[morsel.key] = morsel.value
        if raw.getheader("connection", "").lower() == "close":
            self.close()
        return response


@dataclass
class LoadResult:
    seconds: float
    requests: int
    journeys: int
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class _Person(loadtest.Person):
    """loadtest's person, sending only on its load's turn and with no pause between pages."""

    def __init__(self, load: "Load"):
        super().__init__(load.host, load.port, math.inf, load)
        self.load = load

    def get(self, path: str):
        with self.load.turn():
            return self.request("GET", path)

    def post(self, path: str, data: dict[str, list[str]]):
        with self.load.turn():
            return self.request("POST", path, urlencode(data, doseq=True).encode())


class Load:
    """
    ``concurrency`` people, each one after another: whole journeys answering ``answers``, or
    GET ``path`` in a loop. Nothing is sent until ``resume()``; ``take()`` returns what was
    done since the last ``take()``.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        concurrency: int,
        path: str | None = None,
        answers: dict = ORDINARY,
    ):
        self.host, self.port, self.path, self.answers = host, port, path, answers
        self._turn = threading.Condition()
        self._running = False
        self._stopped = False
        self._in_flight = 0
        self._since: float | None = None
        self._reset()
        self._threads = [
            threading.Thread(target=self._live, daemon=True) for _ in range(concurrency)
        ]
        for thread in self._threads:
            thread.start()

    def _reset(self) -> None:
        self.requests = self.journeys = 0
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self._active = 0.0
        if self._since is not None:
            self._since = time.perf_counter()

    # What loadtest.Person reports to (its ``results``).
    def add(self, seconds: float, status) -> None:
        with self._turn:
            self.requests += 1
            self.latencies.append(seconds)
            if not isinstance(status, int) or status >= 400:
                self.errors.append(f"answered {status}")

    def journey(self) -> None:
        with self._turn:
            self.journeys += 1

    @contextmanager
    def turn(self):
        """Wait for this load's turn; count the page (its redirects too) as in flight."""
        with self._turn:
            while not self._running and not self._stopped:
                self._turn.wait()
            if self._stopped:
                raise loadtest.Stop
            self._in_flight += 1
        try:
            yield
        finally:
            with self._turn:
                self._in_flight -= 1
                self._turn.notify_all()

    def _live(self) -> None:
        person = _Person(self)
        while True:
            person.cookies.clear()  # a new person, a new session
            try:
                if self.path is None:
                    walk(person.get, person.post, self.answers)
                    self.journey()
                else:
                    page = person.get(self.path)
                    if page.status != 200:
                        raise AssertionError(f"GET {self.path} answered {page.status}")
            except loadtest.Stop:
                if self._stopped:
                    return
                person.connection.close()  # a connection error: reconnect and go on
            except AssertionError as error:
                with self._turn:
                    self.errors.append(f"journey: {str(error)[:120]}")
                time.sleep(0.1)  # a broken server must not be hammered in a tight loop

    def resume(self) -> None:
        with self._turn:
            self._running = True
            self._since = time.perf_counter()
            self._turn.notify_all()

    def pause(self) -> None:
        """Stop sending and wait for the pages in flight: then the server is idle."""
        with self._turn:
            self._running = False
            while self._in_flight:
                self._turn.wait()
            if self._since is not None:
                self._active += time.perf_counter() - self._since
                self._since = None

    def take(self) -> LoadResult:
        with self._turn:
            active = self._active
            if self._since is not None:
                active += time.perf_counter() - self._since
            result = LoadResult(active, self.requests, self.journeys, self.errors, self.latencies)
            self._reset()
        return result

    def stop(self) -> None:
        with self._turn:
            self._stopped = True
            self._turn.notify_all()
        for thread in self._threads:
            thread.join()


def run_load(
    host: str,
    port: int,
    *,
    concurrency: int,
    seconds: float | None = None,
    max_requests: int | None = None,
    path: str | None = None,
) -> LoadResult:
    """One load for ``seconds``, or until about ``max_requests`` requests have been made."""
    load = Load(host, port, concurrency=concurrency, path=path)
    load.resume()
    started = time.perf_counter()
    try:
        while True:
            time.sleep(0.01)
            if seconds is not None and time.perf_counter() - started >= seconds:
                break
            if max_requests is not None and load.requests >= max_requests:
                break
        load.pause()
        return load.take()
    finally:
        load.stop()
