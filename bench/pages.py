"""
Whole journeys against gunicorn as in production (``calfsite/gunicorn.conf.py``, DEBUG off,
whitenoise's compressed manifest storage), with the bench settings (``bench.settings``: the site
plus ``/bench/minimal/``) and the bench SQLite database (``BENCH_DATABASE_URL``, default
``bench/bench.sqlite3``). The people are locust's, used as a library: the classes of
``bench/locustfile.py``, walking tests/journeys.py's journey with the ordinary case.

1. What a journey costs the server: gunicorn's CPU time (master and workers, from /proc) over a
   fixed number of whole journeys, by a browser with JavaScript (htmx) and by one without, and
   over a fixed number of requests to the minimal view, in rounds that take turns so that all
   three see the same machine; less the CPU the idle server uses in the same time. A journey's
   CPU over a minimal request's: "a journey costs N minimal requests", with each round's own N
   beside it, to show how far one run strays on this machine.
2. Journeys an hour: people with JavaScript, a second between pages, added in steps (doubling,
   then halving the gap) to find the most the server carries with a p95 under 100 ms and no
   error; journeys an hour = requests a second / requests a journey x 3,600.
3. Weight: the start page with every CSS and JS file it links, compressed; each htmx response
   of a journey by a browser with JavaScript, compressed.
4. Memory: one worker (``--workers 1``, no recycling), whole journeys for 10,000 requests, its
   resident memory read from /proc every 1,000.

Run with ``make bench``; it prints figures and asserts nothing. Environment: see
docs/performance.md.
"""

import gevent.monkey  # isort: skip

gevent.monkey.patch_all()

import gzip  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import brotli  # noqa: E402
import gevent  # noqa: E402
from locust import FastHttpUser, constant, task  # noqa: E402
from locust.contrib.fasthttp import FastHttpSession  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.exception import StopUser  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import locustfile  # noqa: E402
from bench.cases import ORDINARY  # noqa: E402
from bench.locustfile import (  # noqa: E402
    Browser,
    BrowserWithJavaScript,
    BrowserWithoutJavaScript,
    Quota,
)
from tests.journeys import walk  # noqa: E402

WORKERS = os.getenv("BENCH_WORKERS")  # default: the production config's (two per core)
JOURNEYS = int(os.getenv("BENCH_JOURNEYS", "240"))  # per browser kind, for the CPU figures
ROUNDS = int(os.getenv("BENCH_ROUNDS", "4"))
MINIMAL_REQUESTS = int(os.getenv("BENCH_MINIMAL_REQUESTS", "12000"))
CONCURRENCY = int(os.getenv("BENCH_CONCURRENCY", "8"))  # people at once for the CPU figures
THINK = float(os.getenv("BENCH_THINK", "1.0"))
STEP_SECONDS = float(os.getenv("BENCH_STEP_SECONDS", "10"))
FIRST_STEP = int(os.getenv("BENCH_FIRST_STEP", "100"))
MAX_STEPS = int(os.getenv("BENCH_MAX_STEPS", "8"))
MEMORY_REQUESTS = int(os.getenv("BENCH_MEMORY_REQUESTS", "10000"))
DATABASE_URL = os.getenv("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}")
# Another settings module (importable, e.g. through PYTHONPATH) to try a change.
SETTINGS = os.getenv("BENCH_SETTINGS_MODULE", "bench.settings")
HOST = "127.0.0.1"
MINIMAL = "/bench/minimal/"

KB = 1024
JOURNEY_GOAL = 40  # minimal requests, with JavaScript
P95_GOAL = 100.0  # ms
FIRST_PAGE_GOAL = 60 * KB
STEP_GOAL = 8 * KB
MEMORY_GOAL = 150 * KB * KB
# "No growth" allows for the allocator's noise: at most 1 MB over the last half of the run.
GROWTH_TOLERANCE = 1 * KB * KB
IDLE_SECONDS = 3.0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def server_environment(port: int, *, workers: str | None) -> dict[str, str]:
    """Production settings, over plain HTTP on the loopback, with a throwaway secret key."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DEBUG="false",
        CALFCHECK_TESTING="false",
        SECRET_KEY="bench-only-" + os.urandom(32).hex(),
        ALLOWED_HOSTS=f"{HOST},localhost",
        DATABASE_URL=DATABASE_URL,
        STATIC_ROOT=str(ROOT / "bench" / "staticfiles"),
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        HOST=HOST,
        PORT=str(port),
        GUNICORN_LOG_LEVEL="warning",
    )
    if workers:
        env["WEB_CONCURRENCY"] = workers
    return env


def collect_static() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=server_environment(0, workers=None),
        check=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def session(port: int) -> FastHttpSession:
    """A locust HTTP client outside a load run: one browser's connection and cookies."""
    return FastHttpSession(f"http://{HOST}:{port}", Environment().events.request, None)


class Server:
    """gunicorn with the production config; ``extra`` arguments override it."""

    def __init__(self, *, workers: str | None, extra: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        # Closed in stop(); read only to say why gunicorn did not start.
        self.log = tempfile.TemporaryFile(prefix="calfcheck-bench-")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command, no outside input)
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                "calfsite/gunicorn.conf.py",
                # Access log lines are made as in production (which logs to stdout), then
                # thrown away: writing them to a terminal or a file is not what is measured.
                "--access-logfile",
                "/dev/null",
                *extra,
                "calfsite.wsgi",
            ],
            cwd=ROOT,
            env=server_environment(self.port, workers=workers),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if session(self.port).get(MINIMAL).status_code == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise SystemExit("gunicorn did not start:\n" + self.log.read().decode())
            time.sleep(0.2)

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def cpu(self) -> float:
        """CPU seconds used so far: master, live workers, and workers already reaped."""
        ticks = 0
        for pid in (self.process.pid, *self.workers()):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except FileNotFoundError:  # a worker that was just recycled
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
            if pid == self.process.pid:
                ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: reaped workers
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# People of the benchmarks: the locustfile's, answering the ordinary case.


def person(kind: type, *, think: float, quota: int | None = None) -> type:
    return type(
        kind.__name__,
        (kind,),
        {"personas": [ORDINARY], "think": think, "quota": Quota(quota)},
    )


class MinimalRequests(FastHttpUser):
    """GET the minimal view over and over, until the quota is used."""

    wait_time = constant(0)
    quota = Quota(None)

    @task
    def minimal(self):
        if not self.quota.take():
            raise StopUser
        self.client.get(MINIMAL)


def minimal_requests(count: int) -> type:
    return type("MinimalRequests", (MinimalRequests,), {"quota": Quota(count)})


@dataclass
class Run:
    """What one locust run did, and gunicorn's CPU time meanwhile."""

    requests: int = 0
    failures: int = 0
    journeys: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "Run") -> None:
        self.requests += other.requests
        self.failures += other.failures
        self.journeys += other.journeys
        self.seconds += other.seconds
        self.server_cpu += other.server_cpu
        self.errors += other.errors


def errors_of(env: Environment) -> list[str]:
    return [f"{e.method} {e.name}: {e.error} (x{e.occurrences})" for e in env.stats.errors.values()]


def run_until_done(server: Server, user_class: type, users: int) -> Run:
    """``users`` people until their quota is used up and each has finished what it started."""
    env = Environment(user_classes=[user_class], host=server.url)
    runner = env.create_local_runner()
    journeys = locustfile.completed["journeys"]
    cpu, started = server.cpu(), time.perf_counter()
    runner.start(users, spawn_rate=users)
    if runner.spawning_greenlet is not None:
        runner.spawning_greenlet.join()
    runner.user_greenlets.join()
    seconds, used = time.perf_counter() - started, server.cpu() - cpu
    runner.quit()
    total = env.stats.total
    return Run(
        total.num_requests,
        total.num_failures,
        locustfile.completed["journeys"] - journeys,
        seconds,
        used,
        errors_of(env),
    )


def journey_cost(server: Server) -> tuple[dict[str, Run], list[dict[str, Run]]]:
    """The runs of all rounds added up, and each round's own (how far one run can stray)."""
    # Warm up: every worker builds its content snapshot and compiles its templates.
    for kind in (BrowserWithJavaScript, BrowserWithoutJavaScript):
        run_until_done(server, person(kind, think=0, quota=4 * CONCURRENCY), CONCURRENCY)
    run_until_done(server, minimal_requests(1000), CONCURRENCY)
    idle = server.cpu()
    time.sleep(IDLE_SECONDS)
    idle_rate = (server.cpu() - idle) / IDLE_SECONDS
    rounds = []
    for _ in range(ROUNDS):
        one = {
            "minimal": run_until_done(
                server, minimal_requests(MINIMAL_REQUESTS // ROUNDS), CONCURRENCY
            )
        }
        for name, kind in (("htmx", BrowserWithJavaScript), ("plain", BrowserWithoutJavaScript)):
            one[name] = run_until_done(
                server, person(kind, think=0, quota=JOURNEYS // ROUNDS), CONCURRENCY
            )
        for run in one.values():
            run.server_cpu = max(0.0, run.server_cpu - idle_rate * run.seconds)
        rounds.append(one)
    runs = {name: Run() for name in ("minimal", "htmx", "plain")}
    for one in rounds:
        for name, run in one.items():
            runs[name].add(run)
    runs["idle"] = Run(seconds=1.0, server_cpu=idle_rate)
    return runs, rounds


def journey_costs(runs: dict[str, Run]) -> dict[str, float]:
    """A journey's server CPU in minimal requests, for each kind of browser."""
    minimal = runs["minimal"].server_cpu / max(runs["minimal"].requests, 1)
    return {
        name: runs[name].server_cpu / max(runs[name].journeys, 1) / minimal if minimal else 0.0
        for name in ("htmx", "plain")
    }


def print_journey_cost(runs: dict[str, Run], rounds: list[dict[str, Run]], workers: int) -> None:
    minimal = runs["minimal"]
    per_minimal = minimal.server_cpu / max(minimal.requests, 1)
    costs = journey_costs(runs)
    print()
    print(
        f"What a journey costs the server: gunicorn's CPU time, {workers} workers, "
        f"{CONCURRENCY} people at once, no pause, in {ROUNDS} rounds taking turns"
    )
    print(f"  (the idle server's {runs['idle'].server_cpu * 1e3:.1f} ms a second taken off)")
    print(
        f"  {'run':<26} {'journeys':>8} {'requests':>8} {'req/journey':>11} "
        f"{'CPU/request':>11} {'CPU/journey':>11} {'minimal req':>11}  goal"
    )
    print(
        f"  {'minimal view':<26} {'':>8} {minimal.requests:>8} {'':>11} "
        f"{per_minimal * 1e3:>8.3f} ms {'':>11} {1:>11}"
    )
    for name, title in (("htmx", "journey, with JavaScript"), ("plain", "journey, no JavaScript")):
        run = runs[name]
        goal = ""
        if name == "htmx":
            goal = f"<= {JOURNEY_GOAL}  {verdict(costs[name] <= JOURNEY_GOAL and not run.failures)}"
        print(
            f"  {title:<26} {run.journeys:>8} {run.requests:>8} "
            f"{run.requests / max(run.journeys, 1):>11.1f} "
            f"{run.server_cpu / max(run.requests, 1) * 1e3:>8.3f} ms "
            f"{run.server_cpu / max(run.journeys, 1) * 1e3:>8.1f} ms {costs[name]:>11.1f}  {goal}"
        )
    for name, words in (("htmx", "with"), ("plain", "without")):
        spread = sorted(journey_costs(one)[name] for one in rounds)
        each = f" (its {len(spread)} rounds: {spread[0]:.0f} to {spread[-1]:.0f})" if spread else ""
        print(f"  A journey {words} JavaScript costs {costs[name]:.0f} minimal requests{each}.")
    for name, run in runs.items():
        if run.failures:
            print(f"  {name}: {run.failures} errors")
        for error in run.errors[:3]:
            print(f"      error: {error}")


@dataclass
class Step:
    people: int
    requests: int
    failures: int
    p50: float
    p95: float
    rate: float  # requests a second
    server_cores: float
    client_cores: float
    other_cores: float  # the rest of the machine's work meanwhile
    errors: list[str]
    tries: int = 1

    @property
    def ok(self) -> bool:
        return self.p95 < P95_GOAL and not self.failures


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (every core, every process)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(env: Environment, server: Server, people: int) -> Step:
    """The requests of the next STEP_SECONDS, with the people already there."""
    env.stats.reset_all()
    cpu, busy = server.cpu(), machine_busy()
    client, started = time.process_time(), time.perf_counter()
    time.sleep(STEP_SECONDS)
    seconds = time.perf_counter() - started
    server_cores = (server.cpu() - cpu) / seconds
    client_cores = (time.process_time() - client) / seconds
    total = env.stats.total
    return Step(
        people,
        total.num_requests,
        total.num_failures,
        total.get_response_time_percentile(0.5) or 0.0,
        total.get_response_time_percentile(0.95) or 0.0,
        total.num_requests / seconds,
        server_cores,
        client_cores,
        max(0.0, (machine_busy() - busy) / seconds - server_cores - client_cores),
        errors_of(env),
    )


def capacity(server: Server) -> list[Step]:
    """
    People with JavaScript at THINK seconds between pages, in steps: doubling until a step
    misses, then halving the gap between the most that passed and the fewest that missed. A
    step that misses is measured once more before it counts (the machine may be shared).
    """
    user_class = person(BrowserWithJavaScript, think=THINK)
    env = Environment(user_classes=[user_class], host=server.url)
    runner = env.create_local_runner()
    steps: list[Step] = []
    people, best, worst = FIRST_STEP, None, None
    try:
        for _ in range(MAX_STEPS):
            now = runner.user_count
            # People arrive over a few seconds, and their random pauses keep them apart.
            runner.start(people, spawn_rate=max(50, abs(people - now) / 3))
            if runner.spawning_greenlet is not None:
                runner.spawning_greenlet.join()
            time.sleep(max(3.0, THINK * 3))
            step = measure(env, server, people)
            if not step.ok:
                again = measure(env, server, people)
                again.tries = 2
                step = again if again.ok or again.p95 < step.p95 else step
                step.tries = 2
            steps.append(step)
            if step.ok:
                best = step if best is None or people > best.people else best
            else:
                worst = step if worst is None or people < worst.people else worst
            if worst is None:
                people *= 2
            elif best is None:
                people = max(1, worst.people // 2)
            else:
                if worst.people - best.people <= max(10, best.people // 10):
                    break
                people = (best.people + worst.people) // 2
    finally:
        runner.quit()
    return steps


def print_capacity(steps: list[Step], runs: dict[str, Run], workers: int) -> None:
    htmx = runs["htmx"]
    per_journey = htmx.requests / max(htmx.journeys, 1)
    print()
    print(
        f"Journeys an hour: people with JavaScript, {THINK:g} s between pages (0.5 to 1.5 times), "
        f"{STEP_SECONDS:g} s measured at each step, {workers} gunicorn workers"
    )
    print(
        "  cores busy: gunicorn's, the load generator's (locust, this process) and the rest of\n"
        "  the machine's meanwhile (other work on a shared machine)"
    )
    print(
        f"  {'people':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'errors':>6} "
        f"{'server':>6} {'locust':>6} {'other':>6} {'journeys/hour':>13}  p95 < {P95_GOAL:.0f} ms"
    )
    for step in sorted(steps, key=lambda s: s.people):
        print(
            f"  {step.people:>6} {step.rate:>7.0f} {step.p50:>4.0f} ms {step.p95:>4.0f} ms "
            f"{step.failures:>6} {step.server_cores:>6.2f} {step.client_cores:>6.2f} "
            f"{step.other_cores:>6.2f} {step.rate / per_journey * 3600:>13,.0f}  "
            f"{verdict(step.ok)}{' (measured twice)' if step.tries > 1 else ''}"
        )
        for error in step.errors[:3]:
            print(f"      error: {error}")
    passed = [step for step in steps if step.ok]
    if passed:
        best = max(passed, key=lambda s: s.people)
        print(
            f"  The most people carried with p95 < {P95_GOAL:.0f} ms: {best.people}, "
            f"{best.rate / per_journey * 3600:,.0f} journeys an hour "
            f"({per_journey:.0f} requests a journey)   PASS"
        )
    else:
        print(f"  No step had p95 < {P95_GOAL:.0f} ms and no error   MISS")
    cpu = htmx.server_cpu / max(htmx.journeys, 1)
    cores = os.cpu_count() or 1
    if cpu:
        print(
            f"  The server alone, all {cores} cores busy, at {cpu * 1e3:.0f} ms CPU a journey: "
            f"{cores * 3600 / cpu:,.0f} journeys an hour (a ceiling: no room for the load "
            "generator, the database or latency)"
        )


_weight: dict[str, list] = {}


def weight(port: int) -> None:
    """Measure what the server sends: run while the server is up."""
    client = session(port)
    page = client.get("/", headers={"Accept-Encoding": "identity"})
    html = page.content
    assets = re.findall(r'<(?:link[^>]*href|script[^>]*src)="(/static/[^"]+)"', page.text)
    rows = [
        (
            "/ (HTML)",
            len(html),
            len(gzip.compress(html, 6)),
            len(brotli.compress(html, quality=5)),
            page.headers.get("Content-Encoding", "none"),
        )
    ]
    for asset in assets:
        identity = client.get(asset, headers={"Accept-Encoding": "identity"}).content
        sizes = {}
        for encoding in ("gzip", "br"):
            # geventhttpclient would decompress gzip: the raw socket bytes are read instead.
            response = client.get(asset, headers={"Accept-Encoding": encoding})
            served = response.headers.get("Content-Encoding", "identity")
            sizes[encoding] = (int(response.headers.get("Content-Length") or 0), served)
        rows.append(
            (
                asset,
                len(identity),
                sizes["gzip"][0],
                sizes["br"][0],
                f"{sizes['gzip'][1]}, {sizes['br'][1]}",
            )
        )
    _weight["first"] = rows

    steps: list[tuple[str, str, int, int]] = []

    def record(method, path, response, htmx):
        if htmx:
            body = response.content or b""
            # The page it shows: the address htmx pushes, or else the one asked for.
            shown = urlsplit((response.headers or {}).get("HX-Push-Url") or path).path
            request = f"{method} {path}" + (f" -> {shown}" if shown != path else "")
            steps.append((request, shown, len(body), len(gzip.compress(body, 6))))

    browser = Browser(session(port), htmx=True, think=0, on_response=record)
    walk(browser.get, browser.post, ORDINARY, javascript=True)
    _weight["steps"] = steps


def print_weight() -> None:
    print()
    print("Weight: the first page with all its CSS and JS (bytes on the wire)")
    print(f"  {'resource':<48} {'raw':>8} {'gzip':>8} {'brotli':>8}  served as")
    total_gzip = total_br = 0
    for name, raw, gz, br, served in _weight["first"]:
        short = re.sub(r"\.[0-9a-f]{12}\.", ".", name)
        print(f"  {short:<48} {raw:>8} {gz:>8} {br:>8}  {served}")
        total_gzip += gz
        total_br += br
    print(
        f"  {'total':<48} {'':>8} {total_gzip:>8} {total_br:>8}  "
        f"goal <= {FIRST_PAGE_GOAL // KB} KB (gzip)  {verdict(total_gzip <= FIRST_PAGE_GOAL)}"
    )
    print("  (HTML: Django sends it uncompressed; the figures are what a compressing proxy sends.)")
    print()
    print("Weight: each htmx response of a journey with JavaScript (what htmx swaps in)")
    print(f"  {'request -> page shown':<66} {'raw':>8} {'gzip':>8}  goal   result")
    seen = set()
    redirects = 0
    for request, path, raw, gz in _weight["steps"]:
        if not raw:
            redirects += 1  # a redirect, which htmx's request follows
            continue
        if request in seen:
            continue
        seen.add(request)
        if path.startswith("/check/") and not path.startswith("/check/answers/"):
            result = f"<= {STEP_GOAL // KB} KB  {verdict(gz <= STEP_GOAL)}"
        else:
            result = "(not a step: no goal)"
        print(f"  {request:<66} {raw:>8} {gz:>8}  {result}")
    if redirects:
        print(f"  (and {redirects} redirects with no body, followed by htmx's request)")


def status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid``, in bytes."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) * KB
    return values


def memory() -> None:
    # No recycling (max_requests 0): the production config restarts workers every ~5,000
    # requests, which would hide the very growth this measures.
    server = Server(workers="1", extra=("--workers", "1", "--max-requests", "0"))
    samples: list[tuple[int, int]] = []
    try:
        (worker,) = server.workers()
        env = Environment(user_classes=[person(BrowserWithJavaScript, think=0)], host=server.url)
        runner = env.create_local_runner()
        runner.start(CONCURRENCY, spawn_rate=CONCURRENCY)
        step = MEMORY_REQUESTS // 10
        deadline = time.monotonic() + 600
        while len(samples) < 10 and time.monotonic() < deadline:
            gevent.sleep(0.01)
            done = env.stats.total.num_requests
            if done >= step * (len(samples) + 1):
                samples.append((done, status(worker)["VmRSS"]))
        runner.quit()
        failures = env.stats.total.num_failures
        errors = errors_of(env)
        peak = status(worker)["VmHWM"]
    finally:
        server.stop()
    print()
    print(f"Memory: one gunicorn worker, whole journeys with JavaScript, {CONCURRENCY} people")
    print(f"  {'requests':>9} {'resident':>10}")
    for done, rss in samples:
        print(f"  {done:>9} {rss / KB / KB:>7.1f} MB")
    half = samples[len(samples) // 2 - 1][1]
    growth = samples[-1][1] - half
    print(
        f"  peak (VmHWM): {peak / KB / KB:.1f} MB   goal < {MEMORY_GOAL // KB // KB} MB   "
        f"{verdict(peak < MEMORY_GOAL)}"
    )
    print(
        f"  growth over the last half: {growth / KB / KB:+.1f} MB   goal: none "
        f"(at most {GROWTH_TOLERANCE // KB // KB} MB of noise)   "
        f"{verdict(growth <= GROWTH_TOLERANCE and not failures)}"
    )
    for error in errors[:3]:
        print(f"      error: {error}")


def main() -> None:
    collect_static()
    # No worker recycling while CPU is counted: a restart (imports, content snapshot,
    # templates: about a second of CPU) would land in whichever run it falls in.
    server = Server(workers=WORKERS, extra=("--max-requests", "0"))
    try:
        workers = len(server.workers())
        runs, rounds = journey_cost(server)
        print_journey_cost(runs, rounds, workers)
        steps = capacity(server)
        print_capacity(steps, runs, workers)
        weight(server.port)
    finally:
        server.stop()
    print_weight()
    if "--no-memory" not in sys.argv:
        memory()


if __name__ == "__main__":
    main()
