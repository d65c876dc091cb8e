"""
A small load generator for the benchmarks: whole journeys through the questionnaire, or one URL
over and over, from threads that each keep one HTTP connection alive. Standard library only.

A journey is written once against a ``send(method, path, fields=None, headers=None)`` function
that makes one request and returns a ``Response``. ``HttpClient.send`` makes it over HTTP; the
query-count benchmark gives it one that uses Django's test client, so both walk the same pages.

It fills each step's form from the page itself: the answers of ``ORDINARY`` where a field has one,
otherwise "None of these" for a checklist, "No" (or the first option) for a question, and the
lowest allowed number. The CSRF token comes from the form's hidden field; the cookie comes back
from the client's cookie jar. Redirects are followed, each one counted as a request.
"""

import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

# An ordinary case: gradual soreness in both calves after more walking, with a few other answers.
ORDINARY = {
    "age": 58,
    "sex": "female",
    "side": "both_legs",
    "onset": "gradual",
    "duration_days": 2,
    "pain_severity": "mild",
    "swelling": False,
    "warmth": False,
    "redness_or_discolouration": False,
    "tenderness_on_touch": True,
    "more_standing_walking_than_usual": True,
    "new_footwear_or_worn_shoes": True,
    "statin": True,
    "statin_started_recently": False,
    "diuretic": False,
    "night_cramp_before": True,
    "smoker": False,
    "diabetes": False,
}
REDIRECTS = (301, 302, 303, 307, 308)
MAX_STEPS = 60  # more pages than the questionnaire has: a journey that loops is an error


class JourneyError(RuntimeError):
    pass


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


class _FormParser(HTMLParser):
    """The first POST form of a page that is not "start again": action and inputs."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.inputs: list[dict[str, str]] = []
        self._inside = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v or "") for k, v in attrs}
        if self._done:
            return
        if tag == "form" and attributes.get("method", "").lower() == "post":
            if "start-again" not in attributes.get("action", ""):
                self._inside = True
                self.action = attributes.get("action", "")
        elif tag == "input" and self._inside:
            self.inputs.append(attributes)

    def handle_endtag(self, tag):
        if tag == "form" and self._inside:
            self._inside = False
            self._done = True


def fill_form(html: str, answers: dict) -> tuple[str | None, list[tuple[str, str]]]:
    """The form's action and the fields a person with ``answers`` would post."""
    parser = _FormParser()
    parser.feed(html)
    fields: list[tuple[str, str]] = []
    groups: dict[str, list[dict[str, str]]] = {}
    for item in parser.inputs:
        kind = item.get("type", "text").lower()
        name = item.get("name", "")
        if not name:
            continue
        if kind in ("radio", "checkbox"):
            groups.setdefault(name, []).append(item)
        elif kind == "number":
            value = answers.get(name)
            if not isinstance(value, int) or isinstance(value, bool):
                value = int(item.get("min") or 1)
            fields.append((name, str(value)))
        elif kind in ("hidden", "text"):
            fields.append((name, item.get("value", "")))
    for name, options in groups.items():
        values = [option.get("value", "") for option in options]
        if options[0].get("type", "").lower() == "checkbox":
            ticked = [v for v in values if answers.get(v) is True]
            fields.extend((name, v) for v in (ticked or ["none"]) if v in values)
            continue
        wanted = answers.get(name)
        wanted = (
            {True: "yes", False: "no"}.get(wanted, wanted) if isinstance(wanted, bool) else wanted
        )
        choice = str(wanted) if str(wanted) in values else ("no" if "no" in values else values[0])
        fields.append((name, choice))
    return parser.action, fields


def follow(send, method: str, path: str, fields=None, headers=None, on_request=None):
    """One request and the redirects after it; returns the final path and response."""
    response = send(method, path, fields, headers)
    if on_request:
        on_request(method, path, response)
    hops = 0
    while response.status in REDIRECTS:
        hops += 1
        if hops > 10:
            raise JourneyError(f"too many redirects from {path}")
        location = urlsplit(response.headers["location"])
        path = location.path + (f"?{location.query}" if location.query else "")
        response = send("GET", path, None, headers)
        if on_request:
            on_request("GET", path, response)
    return path, response


def journey(send, answers: dict = ORDINARY, on_request=None) -> int:
    """
    One person: start page, "Start now", every step posted, check answers, results.

    Returns the number of requests made. ``on_request(method, path, response)`` sees each one.
    """
    count = 0

    def counted(method, path, response):
        nonlocal count
        count += 1
        if response.status >= 400:
            raise JourneyError(f"{method} {path} answered {response.status}")
        if on_request:
            on_request(method, path, response)

    path, response = follow(send, "GET", "/", on_request=counted)
    match = re.search(r'href="(/check/[^"/]+/)"', response.text)
    if not match:
        raise JourneyError("the start page has no link to the first step")
    path, response = follow(send, "GET", match.group(1), on_request=counted)
    for _ in range(MAX_STEPS):
        if path.startswith(("/check/answers/", "/result/")):
            break
        action, fields = fill_form(response.text, answers)
        if action is None:
            raise JourneyError(f"{path} has no form")
        before = path
        path, response = follow(send, "POST", action or path, fields, on_request=counted)
        if path == before and response.status == 200 and 'class="error-summary' in response.text:
            raise JourneyError(f"{before} refused the answers posted: {fields}")
    else:
        raise JourneyError(f"no end after {MAX_STEPS} steps")
    if path.startswith("/check/answers/"):
        path, response = follow(send, "GET", "/result/", on_request=counted)
    if not path.startswith("/result/"):
        raise JourneyError(f"the journey ended on {path}, not the results")
    return count


class _Stopped(Exception):
    pass


@dataclass
class LoadResult:
    seconds: float
    requests: int
    journeys: int
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the load generator's own CPU time, to see if it was the limit

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class Load:
    """
    ``concurrency`` threads, each one person after another: whole journeys, or GET ``path`` in a
    loop. ``resume()`` and ``pause()`` let two loads take turns on one server while each keeps
    its people where they are in their journeys; ``take()`` returns what was done since the last
    ``take()``.
    """

    def __init__(self, host: str, port: int, *, concurrency: int, path: str | None = None):
        self.host, self.port, self.path = host, port, path
        self._turn = threading.Condition()
        self._running = False
        self._stopped = False
        self._in_flight = 0
        self._threads = [
            threading.Thread(target=self._person, daemon=True) for _ in range(concurrency)
        ]
        self._reset()
        for thread in self._threads:
            thread.start()

    def _reset(self) -> None:
        self.requests = self.journeys = 0
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self._active = 0.0
        self._since = time.perf_counter() if self._running else None
        self._cpu = time.process_time()

    def _send(self, client: HttpClient, method, url, fields=None, headers=None) -> Response:
        with self._turn:
            while not self._running and not self._stopped:
                self._turn.wait()
            if self._stopped:
                raise _Stopped
            self._in_flight += 1
        try:
            start = time.perf_counter()
            response = client.send(method, url, fields, headers)
            elapsed = time.perf_counter() - start
        finally:
            with self._turn:
                self._in_flight -= 1
                self._turn.notify_all()
        with self._turn:
            self.requests += 1
            self.latencies.append(elapsed)
        return response

    def _person(self) -> None:
        client = HttpClient(self.host, self.port)

        def send(method, url, fields=None, headers=None):
            return self._send(client, method, url, fields, headers)

        try:
            while True:
                client.forget()
                try:
                    if self.path is None:
                        journey(send)
                        with self._turn:
                            self.journeys += 1
                    else:
                        response = send("GET", self.path)
                        if response.status != 200:
                            raise JourneyError(f"GET {self.path} answered {response.status}")
                except _Stopped:
                    return
                except (JourneyError, OSError, http.client.HTTPException) as error:
                    with self._turn:
                        self.errors.append(str(error))
                    client.close()
                    time.sleep(0.1)  # a broken server must not be hammered in a tight loop
        finally:
            client.close()

    def resume(self) -> None:
        with self._turn:
            self._running = True
            self._since = time.perf_counter()
            self._turn.notify_all()

    def pause(self) -> None:
        """Stop sending and wait for the requests in flight: then the server is idle."""
        with self._turn:
            self._running = False
            while self._in_flight:
                self._turn.wait()
            if self._since is not None:
                self._active += time.perf_counter() - self._since
                self._since = None

    def take(self) -> LoadResult:
        with self._turn:
            active = self._active + (
                time.perf_counter() - self._since if self._since is not None else 0.0
            )
            result = LoadResult(
                active,
                self.requests,
                self.journeys,
                self.errors,
                self.latencies,
                time.process_time() - self._cpu,
            )
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
    while True:
        time.sleep(0.01)
        if seconds is not None and time.perf_counter() - started >= seconds:
            break
        if max_requests is not None and load.requests >= max_requests:
            break
    load.pause()
    result = load.take()
    load.stop()
    return result
