"""
Real app servers for the tests that need them: gunicorn processes on PostgreSQL, started the
way production starts them (DEBUG off, whitenoise's manifest storage, the gunicorn config),
and a small round-robin load balancer in front of them.

The PostgreSQL server of this machine (127.0.0.1:5432, user postgres) is always there, here
and in CI: if it is not, these tests fail, they never skip.
"""

import atexit
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg

from tests.journeys import Page

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("CALFCHECK_POSTGRES", "postgres://postgres@127.0.0.1:5432")
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(name: str) -> str:
    """Drop and create ``name``; return its DATABASE_URL."""
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES}/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Site:
    """One deployment: a database, a static root and the environment every server shares."""

    database: str
    env: dict[str, str]
    servers: list["Server"] = field(default_factory=list)

    def manage(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode in (0, 2), result.stderr
        return result

    def start_server(self, port: int | None = None, *, workers: int = 1, **env: str) -> "Server":
        """gunicorn alone, listening on a port of its own."""
        server = Server(self, port or free_port(), workers, env)
        server.start()
        self.servers.append(server)
        return server

    def start_stack(self, port: int | None = None, *, workers: int = 1, **env: str) -> "Server":
        """What `make serve` starts: nginx on the port, gunicorn behind it (deploy/serve.py)."""
        stack = Stack(self, port or free_port(), workers, env)
        stack.start()
        self.servers.append(stack)
        return stack

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def prepare_site(database: str, static_root: Path, **extra: str) -> Site:
    """
    A production-like deployment on a fresh PostgreSQL database, migrated and seeded; or on a
    fresh SQLite database when ``database`` is the path of one (ending in .sqlite3).
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="calfsite.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=(
            f"sqlite:///{database}" if database.endswith(".sqlite3") else fresh_database(database)
        ),
        STATIC_ROOT=str(static_root),
        # Plain http on the loopback interface: no TLS redirect, cookies without Secure.
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        GUNICORN_LOG_LEVEL="warning",
        **extra,
    )
    site = Site(database, env)
    # Compressing the static files is the slow part: it runs while the database is prepared.
    collect = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    site.manage("migrate", "--noinput", "-v", "0")
    site.manage("seed_content")
    _, errors = collect.communicate(timeout=180)
    assert collect.returncode == 0, errors
    return site


class Server:
    def __init__(self, site: Site, port: int, workers: int, env: dict[str, str] | None = None):
        self.site = site
        self.env = env or {}
        self.port = port
        self.workers = workers
        self.process: subprocess.Popen | None = None
        self.log = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **self.site.env,
            **self.env,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.workers),
        }
        self._log_file = open(  # noqa: SIM115 - closed in stop()
            Path(self.site.env["STATIC_ROOT"]).parent / f"gunicorn-{self.port}.log", "w+"
        )
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {self.read_log()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/")
                # The start page, or the redirect to https of a server that wants it.
                if connection.getresponse().status in (200, 301):
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        log = self.read_log()
        self.stop()  # never left running after a failed start
        raise AssertionError(f"gunicorn did not answer on {self.url}: {log}")

    def command(self) -> list[str]:
        return [GUNICORN, "--config", "calfsite/gunicorn.conf.py", "calfsite.wsgi"]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process is not None:
            self.log = self.read_log()
            self._log_file.close()

    def read_log(self) -> str:
        if self._log_file.closed:
            return self.log
        self._log_file.flush()
        self._log_file.seek(0)
        return self._log_file.read()


class Stack(Server):
    """`make serve`'s stack: nginx on the port, reading requests whole, gunicorn behind it."""

    def command(self) -> list[str]:
        return [sys.executable, "deploy/serve.py"]


class RoundRobin:
    """
    A load balancer in a thread, alternating page requests in the order A, B, B, A: strict
    A, B would send every form post to one server and every page after a redirect to the other;
    this way both servers take posts and pages, and every post is followed by the other server.
    """

    PATTERN = (0, 1, 1, 0)

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}

    def __init__(self, backends: list[str]):
        self.backends = [urlsplit(url).netloc for url in backends]
        self.served: list[tuple[str, str, str]] = []  # (backend, method, path)
        self._lock = threading.Lock()
        self._turn = 0
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                with balancer._lock:
                    turn = balancer.PATTERN[balancer._turn % len(balancer.PATTERN)]
                    backend = balancer.backends[turn % len(balancer.backends)]
                    if balancer.is_page(self.path):
                        balancer._turn += 1
                    balancer.served.append((backend, self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                upstream = http.client.HTTPConnection(backend, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                self.send_response(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() not in balancer.HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                upstream.close()

            do_GET = do_POST = do_HEAD = _forward

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def is_page(path: str) -> bool:
        """A page of the site, not a static file or a browser's own request (/favicon.ico)."""
        path = urlsplit(path).path
        return path.endswith("/") and not path.startswith("/static/")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def http_driver(base_url: str, jar: CookieJar | None = None):
    """get/post for ``journeys.walk`` over real HTTP, with a cookie jar like a browser's."""
    jar = jar if jar is not None else CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def open_(request) -> Page:
        try:
            with opener.open(request, timeout=30) as response:
                return Page(response.status, urlsplit(response.url).path, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, urlsplit(error.url).path, error.read().decode())

    def get(path: str) -> Page:
        return open_(urllib.request.Request(base_url + path))

    def post(path: str, data: dict[str, list[str]]) -> Page:
        body = urlencode(data, doseq=True).encode()
        return open_(urllib.request.Request(base_url + path, data=body, method="POST"))

    return get, post, jar


SERVERS_PREFIX = "calfcheck_servers_"
_shared: Site | None = None


def drop_abandoned_databases() -> None:
    """Databases of earlier test processes that were killed before they could clean up."""
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as db:
        names = db.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [SERVERS_PREFIX + "%"]
        ).fetchall()
    for (name,) in names:
        pid = name.removeprefix(SERVERS_PREFIX)
        if pid.isdigit() and not process_exists(int(pid)):
            drop_database(name)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_shared_lock = threading.Lock()


def shared_site(tmp_root: Path) -> Site:
    """
    One deployment for every test of this run that needs real servers: set up once, dropped
    when the run ends.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            # One database per test process, so that runs in two checkouts (CI and a developer
            # at once, or xdist workers) never drop each other's database.
            drop_abandoned_databases()
            _shared = prepare_site(f"{SERVERS_PREFIX}{os.getpid()}", tmp_root / "staticfiles")
            atexit.register(stop_shared_site)
        return _shared


def stop_shared_site() -> None:
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.stop()
            drop_database(_shared.database)
            _shared = None
