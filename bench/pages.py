"""
Whole pages under load, page weight and worker memory, against gunicorn as in production
(``calfsite/gunicorn.conf.py``, DEBUG off, whitenoise's compressed manifest storage), with the
bench settings (``bench.settings``: the site plus ``/bench/minimal/``) and the bench SQLite
database (``BENCH_DATABASE_URL``, default ``bench/bench.sqlite3``).

1. Throughput: the same server, load generator (``bench.loadgen``: scripts/loadtest.py's people
   walking tests/journeys.py) and concurrency, on the minimal view and on whole journeys, taking
   turns in one-second slices; requests per second of each, their ratio, and server CPU time
   per request.
2. Weight: the start page with every CSS and JS file it links, compressed; each step's htmx
   response (the partial returned for a GET with the HX-Request header), compressed.
3. Memory: one worker (``--workers 1``, no recycling), whole journeys for 10,000 requests, its
   resident memory read from /proc every 1,000.

Environment: BENCH_SECONDS (10) per throughput run, BENCH_CONCURRENCY (20) threads,
BENCH_WORKERS (2) gunicorn workers for throughput, BENCH_MEMORY_REQUESTS (10000).
Run with ``make bench``; it prints figures and asserts nothing.
"""

import gzip
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import brotli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import ORDINARY  # noqa: E402
from bench.loadgen import HttpClient, Load, loadtest, run_load  # noqa: E402
from tests.journeys import walk  # noqa: E402

SECONDS = float(os.getenv("BENCH_SECONDS", "10"))
CONCURRENCY = int(os.getenv("BENCH_CONCURRENCY", "20"))
WORKERS = int(os.getenv("BENCH_WORKERS", "2"))
MEMORY_REQUESTS = int(os.getenv("BENCH_MEMORY_REQUESTS", "10000"))
DATABASE_URL = os.getenv("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}")
# Another settings module (importable, e.g. through PYTHONPATH) to try a change.
SETTINGS = os.getenv("BENCH_SETTINGS_MODULE", "bench.settings")
HOST = "127.0.0.1"
MINIMAL = "/bench/minimal/"

KB = 1024
FIRST_PAGE_GOAL = 60 * KB
STEP_GOAL = 8 * KB
MEMORY_GOAL = 150 * KB * KB
RATIO_GOAL = 0.5
SLICE = 1.0  # seconds
# "No growth" allows for the allocator's noise: at most 1 MB over the last half of the run.
GROWTH_TOLERANCE = 1 * KB * KB


def server_environment(port: int, *, workers: int) -> dict[str, str]:
    """Production settings, over plain HTTP on the loopback, with a throwaway secret key."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DEBUG="false",
        CALFCHECK_TESTING="false",
        SECRET_KEY="bench-only-" + os.urandom(16).hex(),
        ALLOWED_HOSTS=f"{HOST},localhost",
        DATABASE_URL=DATABASE_URL,
        STATIC_ROOT=str(ROOT / "bench" / "staticfiles"),
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        HOST=HOST,
        PORT=str(port),
        WEB_CONCURRENCY=str(workers),
        GUNICORN_LOG_LEVEL="warning",
    )
    return env


def collect_static() -> None:
    env = server_environment(0, workers=1)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the production config; ``extra`` arguments override it."""

    def __init__(self, *, workers: int, extra: tuple[str, ...] = ()):
        self.port = free_port()
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
            probe = HttpClient(HOST, self.port)
            try:
                if probe.send("GET", MINIMAL).status == 200:
                    break
            except OSError:
                pass
            finally:
                probe.close()
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise SystemExit("gunicorn did not start:\n" + self.log.read().decode())
            time.sleep(0.2)

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

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


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def server_cpu(server: "Server") -> float:
    """CPU time used so far by gunicorn: master, live workers, and workers already recycled."""
    ticks = 0
    for pid in (server.process.pid, *server.workers()):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:  # a worker that was just recycled
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == server.process.pid:
            ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: reaped workers
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    """One side of the comparison, added up over its slices."""

    name: str
    path: str | None
    requests: int = 0
    journeys: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def throughput() -> None:
    # No worker recycling during the comparison: the production config restarts a worker every
    # ~5,000 requests, and the restart (imports, content snapshot, templates, ~1 s of CPU) would
    # land in whichever one-second slice it happens to fall in, adding half a millisecond to
    # every request of that side. In production it is spread over those 5,000 requests.
    server = Server(workers=WORKERS, extra=("--max-requests", "0"))
    minimal = Phase("(a) minimal view", MINIMAL)
    journeys = Phase("(b) whole journeys", None)
    loads = {}
    try:
        # Warm up: every worker builds its content snapshot and compiles its templates.
        run_load(HOST, server.port, concurrency=CONCURRENCY, seconds=2)
        # Both loads take turns in short slices, so that both see the same background load on a
        # shared machine; people in the middle of a journey wait for the next turn.
        loads = {
            phase.name: Load(HOST, server.port, concurrency=CONCURRENCY, path=phase.path)
            for phase in (minimal, journeys)
        }
        for _ in range(max(1, round(SECONDS / SLICE))):
            for phase in (minimal, journeys):
                load = loads[phase.name]
                before = server_cpu(server)
                client_before = time.process_time()
                load.resume()
                time.sleep(SLICE)
                load.pause()
                phase.server_cpu += server_cpu(server) - before
                result = load.take()
                phase.requests += result.requests
                phase.journeys += result.journeys
                phase.seconds += result.seconds
                phase.client_cpu += time.process_time() - client_before
                phase.latencies += result.latencies
                phase.errors += result.errors
        weight(server.port)
    finally:
        for load in loads.values():
            load.stop()
        server.stop()
    print()
    print(
        f"Whole pages under load: gunicorn, {WORKERS} workers x its threads, "
        f"{CONCURRENCY} client threads, {minimal.seconds:.0f} s each in {SLICE:g} s slices"
    )
    print(
        f"  {'run':<20} {'requests':>8} {'req/s':>7} {'median':>9} {'p99':>9} "
        f"{'server CPU/req':>14} {'client CPU':>10} {'errors':>6}"
    )
    for phase in (minimal, journeys):
        latencies = phase.latencies or [0.0]
        print(
            f"  {phase.name:<20} {phase.requests:>8} {phase.rate:>7.0f} "
            f"{statistics.median(latencies) * 1e3:>6.1f} ms "
            f"{percentile(latencies, 99) * 1e3:>6.1f} ms "
            f"{phase.server_cpu / max(phase.requests, 1) * 1e3:>11.2f} ms "
            f"{phase.client_cpu / phase.seconds:>10.0%} {len(phase.errors):>6}"
        )
        for error in phase.errors[:3]:
            print(f"      error: {error}")
    ratio = journeys.rate / minimal.rate if minimal.rate else 0.0
    cpu_a = minimal.server_cpu / max(minimal.requests, 1)
    cpu_b = journeys.server_cpu / max(journeys.requests, 1)
    print(f"  journeys completed: {journeys.journeys}")
    print(
        f"  ratio b/a per request: {ratio:.2f}   goal >= {RATIO_GOAL:.2f}   "
        f"{verdict(ratio >= RATIO_GOAL and not journeys.errors and not minimal.errors)}"
    )
    if cpu_b:
        print(
            "  the same ratio from server CPU per request (steadier when shared): "
            f"{cpu_a / cpu_b:.2f}"
        )
    print(
        "  (client CPU: the load generator's share of one core; near 100% would mean it, not "
        "the server, set the pace)"
    )
    print_weight()


_weight: dict[str, object] = {}


def weight(port: int) -> None:
    """Measure what the server sends: run inside ``throughput`` while the server is up."""
    client = HttpClient(HOST, port)
    page = client.send("GET", "/")
    html = page.body
    assets = re.findall(r'<(?:link[^>]*href|script[^>]*src)="(/static/[^"]+)"', page.text)
    rows = [
        (
            "/ (HTML)",
            len(html),
            len(gzip.compress(html, 6)),
            len(brotli.compress(html, quality=5)),
            page.headers.get("content-encoding", "none"),
        )
    ]
    for asset in assets:
        identity = client.send("GET", asset).body
        sizes = {}
        for encoding in ("gzip", "br"):
            response = client.send("GET", asset, headers={"Accept-Encoding": encoding})
            served = response.headers.get("content-encoding", "identity")
            sizes[encoding] = (len(response.body), served)
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

    steps: list[tuple[str, int, int]] = []
    person = loadtest.Person(HOST, port, math.inf, loadtest.Results())
    htmx = HttpClient(HOST, port)
    htmx.cookies = person.cookies  # the same session: htmx asks for the page just shown

    def probe(page):
        if page.path.startswith(("/check/", "/result/")):
            partial = htmx.send("GET", page.path, headers={"HX-Request": "true"}).body
            steps.append((page.path, len(partial), len(gzip.compress(partial, 6))))
        return page

    walk(
        lambda path: probe(person.request("GET", path)),
        lambda path, data: probe(
            person.request("POST", path, urlencode(data, doseq=True).encode())
        ),
        ORDINARY,
    )
    person.connection.close()
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
    print("Weight: each htmx step response (the partial for a GET with HX-Request)")
    print(f"  {'page':<40} {'raw':>8} {'gzip':>8}  goal   result")
    seen = set()
    for path, raw, gz in _weight["steps"]:
        if path in seen:
            continue
        seen.add(path)
        if path.startswith("/check/") and not path.startswith("/check/answers/"):
            result = f"<= {STEP_GOAL // KB} KB  {verdict(gz <= STEP_GOAL)}"
        else:
            result = "(not a step: no goal)"
        print(f"  {path:<40} {raw:>8} {gz:>8}  {result}")


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
    server = Server(workers=1, extra=("--workers", "1", "--max-requests", "0"))
    samples: list[tuple[int, int]] = []
    errors: list[str] = []
    try:
        (worker,) = server.workers()
        done = 0
        step = MEMORY_REQUESTS // 10
        for target in range(step, MEMORY_REQUESTS + 1, step):
            result = run_load(
                HOST, server.port, concurrency=CONCURRENCY, max_requests=max(1, target - done)
            )
            done += result.requests
            errors += result.errors
            samples.append((done, status(worker)["VmRSS"]))
        peak = status(worker)["VmHWM"]
    finally:
        server.stop()
    print()
    print(f"Memory: one gunicorn worker, whole journeys, {CONCURRENCY} client threads")
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
        f"{verdict(growth <= GROWTH_TOLERANCE and not errors)}"
    )
    for error in errors[:3]:
        print(f"      error: {error}")


def main() -> None:
    collect_static()
    throughput()
    if "--no-memory" not in sys.argv:
        memory()


if __name__ == "__main__":
    main()
