"""
`make serve`: nginx in front, gunicorn behind it on a Unix socket, both stopped together.

    HOST=0.0.0.0 PORT=8000 .venv/bin/python deploy/serve.py

nginx (Debian's nginx-light or nginx package) listens on HOST:PORT and reads each request
whole before passing it on, so that a client sending slowly holds a connection of nginx, never
one of gunicorn's threads (deploy/nginx.conf). gunicorn (calfsite/gunicorn.conf.py) listens on
a socket in a directory only this user can open. With BEHIND_PROXY=true the client's address
and protocol are taken from the X-Forwarded-For and X-Forwarded-Proto headers of the proxies
in FORWARDED_ALLOW_IPS; otherwise from the connection itself.

SIGTERM or SIGINT stops both; if either stops, so does the other, and this exits non-zero.
"""

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {value!r}")


def behind_proxy() -> bool:
    return os.getenv("BEHIND_PROXY", "false").strip().lower() in ("1", "true", "yes", "on")


def real_ip_block() -> str:
    if not behind_proxy():
        return "    map $scheme $forwarded_proto { default $scheme; }\n"
    proxies = [p.strip() for p in os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1").split(",")]
    proxies = [p for p in proxies if p]
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            sys.exit(f"FORWARDED_ALLOW_IPS must list addresses or networks, not {proxy!r}")
    lines = [f"    set_real_ip_from {proxy};" for proxy in proxies]
    lines += [
        "    real_ip_header X-Forwarded-For;",
        "    real_ip_recursive on;",
        "    geo $realip_remote_addr $from_proxy {",
        "        default 0;",
        *(f"        {proxy} 1;" for proxy in proxies),
        "    }",
        '    map "$from_proxy:$http_x_forwarded_proto" $forwarded_proto {',
        '        "1:https" https;',
        "        default $scheme;",
        "    }",
    ]
    return "\n".join(lines) + "\n"


def nginx_config(runtime: Path) -> str:
    host, port = os.getenv("HOST", "127.0.0.1"), envint("PORT", "8000")
    listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    values = {
        "@RUNTIME@": str(runtime),
        "@LISTEN@": listen,
        "@CONNECTIONS_PER_CLIENT@": str(envint("CONNECTIONS_PER_CLIENT", "50")),
        "@CLIENT_TIMEOUT@": str(envint("CLIENT_TIMEOUT", "10")),
        "@REAL_IP@": real_ip_block(),
        # nginx started by root would run its workers as another user, who could not open the
        # socket directory: they run as the user that runs gunicorn.
        "@USER@": "user root;" if os.geteuid() == 0 else "",
    }
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def unavailable_page(runtime: Path) -> None:
    """The 503 page, rendered now, for nginx to show while gunicorn does not answer."""
    script = (
        "import django; django.setup()\n"
        "from django.template.loader import render_to_string\n"
        "from calfsite.middleware import page_context\n"
        "print(render_to_string('503.html', page_context(None)), end='')\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "calfsite.settings"}
    page = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if page.returncode != 0:
        sys.exit(page.stderr)
    (runtime / ".unavailable.html").write_text(page.stdout)


def answers(path: Path) -> bool:
    """Whether a gunicorn worker answers on the socket at ``path`` (with any status)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(str(path))
            host = next(
                (h.strip().lstrip(".") for h in os.getenv("ALLOWED_HOSTS", "").split(",")),
                "localhost",
            )
            host = host if host and host != "*" else "localhost"
            sock.sendall(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
            return sock.recv(16).startswith(b"HTTP/")
    except OSError:
        return False


def main() -> int:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None
    )
    if nginx is None:
        sys.exit("nginx is not installed: on Debian, apt-get install nginx-light")
    runtime = Path(tempfile.mkdtemp(prefix="calfcheck-serve-"))  # mode 0700
    try:
        unavailable_page(runtime)
        (runtime / "nginx.conf").write_text(nginx_config(runtime))
        env = {**os.environ, "GUNICORN_BIND": f"unix:{runtime}/gunicorn.sock"}
        gunicorn = subprocess.Popen(  # noqa: S603 - our own gunicorn and config
            [str(BIN / "gunicorn"), "--config", "calfsite/gunicorn.conf.py", "calfsite.wsgi"],
            cwd=ROOT,
            env=env,
        )
        # nginx starts once a worker answers: requests never wait in the queue for gunicorn
        # to boot, and so are never shed for it (calfsite.middleware.QueueTimeBudgetMiddleware).
        deadline = time.monotonic() + 60
        while not answers(runtime / "gunicorn.sock"):
            if gunicorn.poll() is not None or time.monotonic() > deadline:
                gunicorn.kill()
                return 1
            time.sleep(0.1)
        front = subprocess.Popen(  # noqa: S603 - nginx with our config
            [
                nginx,
                "-e",
                "stderr",
                "-p",
                str(runtime),
                "-c",
                str(runtime / "nginx.conf"),
                "-g",
                "daemon off;",
            ]
        )
        return supervise(gunicorn, front)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def supervise(gunicorn: subprocess.Popen, front: subprocess.Popen) -> int:
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping and gunicorn.poll() is None and front.poll() is None:
        time.sleep(0.2)
    # nginx first, gracefully (SIGQUIT lets it finish the requests it has), then gunicorn.
    if front.poll() is None:
        front.send_signal(signal.SIGQUIT)
    if gunicorn.poll() is None:
        gunicorn.send_signal(signal.SIGTERM)
    for process in (front, gunicorn):
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
