"""
Overload: a request that waited in the queue longer than REQUEST_QUEUE_BUDGET_MS gets the 503
page at once, rather than its page seconds late; and workers are recycled one at a time.
"""

import http.client
import os
import random
import runpy
import signal
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.servers import shared_site

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "status"),
    [
        (lambda: f"t={time.time() - 2:.3f}", 503),  # nginx's $msec, two seconds ago
        (lambda: f"t={int((time.time() - 2) * 1000)}", 503),  # milliseconds
        (lambda: f"t={time.time() - 0.1:.3f}", 200),  # within the budget
        (lambda: f"t={time.time() + 60:.3f}", 200),  # a clock ahead is no wait
        (lambda: "soon", 200),  # nothing usable: not shed
        (lambda: None, 200),
    ],
    ids=["seconds", "milliseconds", "in-budget", "ahead", "garbage", "none"],
)
def test_a_request_over_its_queue_budget_gets_the_503_page(settings, content, header, status):
    settings.REQUEST_QUEUE_BUDGET_MS = 500
    client = Client(raise_request_exception=False)
    value = header()
    headers = {"x-request-start": value} if value is not None else {}
    response = client.get("/check/emergency/", headers=headers)
    assert response.status_code == status
    if status == 503:
        page = response.content.decode()
        assert "Call 999 now if you have calf pain" in page
        assert response["Retry-After"]
        assert "no-store" in response["Cache-Control"]
        nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert f'<style nonce="{nonce}">' in page


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def command(pid: int) -> str:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()


@pytest.mark.postgres
def test_requests_that_queued_behind_a_stalled_worker_are_shed_not_served_late(
    tmp_path_factory,
):
    site = shared_site(tmp_path_factory.mktemp("site"))
    stack = site.start_stack(WEB_CONCURRENCY="1", REQUEST_QUEUE_BUDGET_MS="500")
    arbiter = next(p for p in children(stack.process.pid) if "gunicorn" in command(p))
    (worker,) = children(arbiter)
    parts = urlsplit(stack.url)
    statuses: list[int] = []

    def person() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request("GET", "/check/emergency/")
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        connection.close()

    try:
        # The worker busy for 1.5 s (stopped): six people's requests wait in its queue.
        os.kill(worker, signal.SIGSTOP)
        try:
            people = [threading.Thread(target=person) for _ in range(6)]
            for thread in people:
                thread.start()
            time.sleep(1.5)
        finally:
            os.kill(worker, signal.SIGCONT)
        for thread in people:
            thread.join(30)
        after = []
        person()
        after.append(statuses.pop())
    finally:
        stack.stop()
    assert statuses == [503] * 6
    assert after == [200]  # the worker is free again: answered as usual
    assert "request shed after" in stack.log


def test_workers_are_recycled_one_at_a_time():
    """
    Their first lifetimes are spread evenly over max_requests, so that no two are restarted
    together; with the jitter alone (a tenth of max_requests) they were within a tenth.
    """
    config = runpy.run_path(str(ROOT / "calfsite" / "gunicorn.conf.py"))
    limit, jitter = config["max_requests"], config["max_requests_jitter"]
    assert limit > 0
    for workers in (2, 4, 8):
        server = SimpleNamespace(num_workers=workers)
        lifetimes = []
        for age in range(1, workers + 1):
            # As gunicorn sets it when it makes the worker, then the post_fork hook runs.
            worker = SimpleNamespace(age=age, max_requests=limit + random.randint(0, jitter))
            config["post_fork"](server, worker)
            lifetimes.append(worker.max_requests)
        lifetimes.sort()
        gaps = [b - a for a, b in zip(lifetimes, lifetimes[1:], strict=False)]
        assert min(gaps) >= limit / workers - jitter, (workers, lifetimes)
        # A worker that replaces one lives max_requests (and its jitter) again.
        later = SimpleNamespace(age=workers + 1, max_requests=limit)
        config["post_fork"](server, later)
        assert later.max_requests == limit
