"""
gunicorn settings for `make serve`, read from the environment like the Django settings.

HOST and PORT: where to listen (127.0.0.1:8000), or GUNICORN_BIND (`make serve` sets a Unix
socket behind nginx, deploy/serve.py); WEB_CONCURRENCY: worker processes (two per core);
GUNICORN_THREADS: threads per worker (2); with BEHIND_PROXY=true, FORWARDED_ALLOW_IPS: the
proxies whose X-Forwarded-Proto header is trusted. Without BEHIND_PROXY no forwarded header is.
"""

import multiprocessing
import os

bind = os.getenv("GUNICORN_BIND") or f"{os.getenv('HOST', '127.0.0.1')}:{os.getenv('PORT', '8000')}"
workers = int(os.getenv("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2)))
# Two threads: a worker waiting on the database serves another request meanwhile. More do not
# help: the work is mostly Python, and threads of one process take turns on it (in the load
# test on a busy 2-core machine, 4 threads gave a p95 in gunicorn of 40 ms against 14 ms).
worker_class = "gthread"
threads = int(os.getenv("GUNICORN_THREADS", "2"))
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so that a slow leak can never take a server down. Never two at
# once: the first worker of each place lives max_requests requests, the next a share of
# max_requests longer, and so on (post_fork), so that restarts come evenly spread and stay so;
# the jitter keeps servers started together from recycling in step.
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 20
# Forwarded headers only from a proxy that sets them: gunicorn would otherwise take
# X-Forwarded-Proto or X-Forwarded-Ssl from any local client as proof of https.
if os.getenv("BEHIND_PROXY", "false").strip().lower() in ("1", "true", "yes", "on"):
    forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1")
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}
# Heartbeat files in memory, and no control socket: nothing on the server's disk, and several
# servers can run side by side on one machine.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
control_socket_disable = True

# Access log: method, path without query string, status, size and time. No client address,
# referrer or user agent: nothing that says who asked what.
accesslog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")


def post_fork(server, worker):
    """Stagger the first lifetimes: worker k of n lives k/n of max_requests longer."""
    if max_requests and worker.age <= server.num_workers:
        worker.max_requests += (worker.age - 1) * max_requests // server.num_workers
