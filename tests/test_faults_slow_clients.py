"""
Slow clients against the stack `make serve` starts (nginx in front of gunicorn): a client
still sending its request holds no worker thread, and one client address cannot hold more than
its share of connections.

The server has one worker of two threads; the slow clients are many more than that, each on
an address of its own (so that the per-client limit is not what saves the site), sending their
headers a byte at a time. Against gunicorn alone the same clients leave a normal request
unanswered: that is what the test shows the front end changes.
"""

import http.client
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests.servers import shared_site

pytestmark = [pytest.mark.postgres]

SLOW_CLIENTS = 12  # six times the worker threads
THREADS = {"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"}
BYTE_EVERY = 0.1  # seconds between two bytes of a slow client's headers


class SlowClient(threading.Thread):
    """Sends a GET a byte at a time from its own loopback address, then reads the answer."""

    def __init__(self, url: str, source: str):
        super().__init__(daemon=True)
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        self.source = source
        self.request = (
            f"GET / HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n"
        ).encode()
        self.sent = 0
        self.status_line = b""
        self.connected = threading.Event()

    def run(self) -> None:
        with socket.create_connection(
            self.address, timeout=60, source_address=(self.source, 0)
        ) as sock:
            self.connected.set()
            for index in range(len(self.request)):
                sock.sendall(self.request[index : index + 1])
                self.sent = index + 1
                time.sleep(BYTE_EVERY)
            self.status_line = sock.makefile("rb").readline()


def start_slow_clients(url: str) -> list[SlowClient]:
    clients = [SlowClient(url, f"127.0.0.{10 + n}") for n in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    for client in clients:
        assert client.connected.wait(10)
    time.sleep(1.5)  # every slow client is now in the middle of its headers
    return clients


def normal_request(url: str, timeout: float) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", "/check/emergency/")
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_slow_clients_leave_the_site_answering_everyone_else(tmp_path_factory):
    site = shared_site(tmp_path_factory.mktemp("site"))
    stack = site.start_stack(**THREADS, CLIENT_TIMEOUT="60")
    try:
        slow = start_slow_clients(stack.url)
        statuses = [normal_request(stack.url, timeout=5) for _ in range(10)]
        still_sending = [client for client in slow if 0 < client.sent < len(client.request)]
        for client in slow:
            client.join(60)
    finally:
        stack.stop()
    assert statuses == [200] * 10
    assert len(still_sending) == SLOW_CLIENTS  # they were all at it meanwhile
    # And they were served, not dropped, once their requests were complete.
    assert [client.status_line[:12] for client in slow] == [b"HTTP/1.1 200"] * SLOW_CLIENTS


def test_without_the_front_end_the_same_slow_clients_take_gunicorn_down(tmp_path_factory):
    """The check above can fail: gunicorn alone gives each slow client a thread until done."""
    site = shared_site(tmp_path_factory.mktemp("site"))
    server = site.start_server(**THREADS)
    try:
        slow = start_slow_clients(server.url)
        with pytest.raises((TimeoutError, socket.timeout)):
            normal_request(server.url, timeout=3)
        for client in slow:
            client.join(60)
    finally:
        server.stop()


def test_one_client_address_holds_a_limited_number_of_requests(tmp_path_factory):
    site = shared_site(tmp_path_factory.mktemp("site"))
    stack = site.start_stack(**THREADS, CONNECTIONS_PER_CLIENT="4", CLIENT_TIMEOUT="30")
    parts = urlsplit(stack.url)
    held = []
    try:
        # Eight requests from one address whose bodies never finish arriving.
        for _ in range(8):
            sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
            sock.sendall(
                f"POST /check/emergency/ HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 100\r\n\r\nsigns=".encode()
            )
            held.append(sock)
        time.sleep(1)
        refused = []
        for sock in held:
            sock.settimeout(0.5)
            try:
                refused.append(sock.recv(64).startswith(b"HTTP/1.1 429"))
            except TimeoutError:
                refused.append(False)  # still waiting for its body: one of the four held
        # Another client is answered as usual meanwhile.
        with socket.create_connection(
            (parts.hostname, parts.port), timeout=5, source_address=("127.0.0.2", 0)
        ) as other:
            other.sendall(
                f"GET / HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode()
            )
            other_status = other.makefile("rb").readline()
    finally:
        for sock in held:
            sock.close()
        stack.stop()
    assert refused.count(True) == 4
    assert refused.count(False) == 4
    assert other_status.startswith(b"HTTP/1.1 200")
