"""With Redis down the site keeps working: the cache is only a speed-up."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches

from calfsite.cache import ForgivingRedisCache


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_server():
    """A throwaway redis-server with no disk state; stopped (cache down) by the test."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.fail("redis-server not found: install Debian's redis-server package")
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()


def forgiving_cache(location: str) -> ForgivingRedisCache:
    return ForgivingRedisCache(
        location,
        {"OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}},
    )


def test_it_caches_while_redis_is_up(redis_server):
    _, location = redis_server
    cache = forgiving_cache(location)
    cache.set("greeting", "hello", 30)
    assert cache.get("greeting") == "hello"
    assert cache.get_many(["greeting", "other"]) == {"greeting": "hello"}
    cache.set("count", 1)
    assert cache.incr("count") == 2


def test_it_answers_a_miss_quickly_when_redis_stops(redis_server):
    process, location = redis_server
    cache = forgiving_cache(location)
    cache.set("greeting", "hello", 30)
    process.kill()
    process.wait()

    started = time.monotonic()
    assert cache.get("greeting") is None
    assert cache.get("greeting", "fallback") == "fallback"
    assert cache.get_many(["greeting"]) == {}
    assert cache.set("greeting", "again") is None
    assert cache.add("new", 1) is False
    assert cache.delete("greeting") is False
    with pytest.raises(ValueError):
        cache.incr("count")
    # One short timeout at most, then the cache is skipped for a while.
    assert time.monotonic() - started < 1.5


@pytest.mark.django_db
def test_the_site_keeps_working_with_the_cache_down(settings, client):
    port = free_port()  # nothing listens here
    settings.CACHES = {
        "default": {
            "BACKEND": "calfsite.cache.ForgivingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    caches["default"].set("probe", 1)
    assert caches["default"].get("probe") is None  # the cache really is down
    for url in ["/", "/", "/check/emergency/"]:
        assert client.get(url).status_code == 200
