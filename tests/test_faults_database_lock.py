"""
A stalled database: another connection holds a lock on the table every request reads, for
longer than anyone would wait. Each page answers within a few seconds with the 503 page and
its emergency advice, and the site is back as soon as the lock goes. On PostgreSQL (the lock
timeout) and on SQLite (the busy timeout), through the stack `make serve` starts.
"""

import re
import sqlite3
import threading
import time

import psycopg
import pytest

from tests.servers import POSTGRES, http_driver, prepare_site, shared_site

HELD_FOR = 60  # seconds the lock is held at most; a page must come long before
TABLE = "triage_release"  # the newest release's token, read by every page


class HeldLock(threading.Thread):
    """Holds a lock in a thread until released, or HELD_FOR seconds at most."""

    def __init__(self, take):
        super().__init__(daemon=True)
        self.take = take
        self.taken = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.take():
                self.taken.set()
                self.release.wait(HELD_FOR)
        except BaseException as error:  # shown by the test
            self.error = error
            self.taken.set()

    def __enter__(self):
        self.start()
        assert self.taken.wait(20)
        assert self.error is None, self.error
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.join(30)


def check_pages_during_the_lock(url: str, take) -> None:
    get, post, _ = http_driver(url)
    page = get("/check/emergency/")
    assert page.status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.html).group(1)
    with HeldLock(take):
        for request in [
            lambda: get("/check/emergency/"),
            lambda: get("/result/"),
            lambda: post("/check/emergency/", {"signs": ["none"], "csrfmiddlewaretoken": [token]}),
        ]:
            started = time.monotonic()
            page = request()
            waited = time.monotonic() - started
            assert page.status == 503, (page.path, page.status)
            assert "Call 999 now if you have calf pain" in page.html
            assert "a leg or foot that is suddenly cold, pale, blue or numb" in page.html
            assert waited < HELD_FOR / 2
    assert get("/check/emergency/").status == 200


@pytest.mark.postgres
def test_a_lock_held_on_postgresql_gives_the_503_page_not_a_hang(tmp_path_factory):
    site = shared_site(tmp_path_factory.mktemp("site"))
    stack = site.start_stack()

    class take:
        def __enter__(self):
            self.db = psycopg.connect(f"{POSTGRES}/{site.database}", connect_timeout=5)
            self.db.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
            return self

        def __exit__(self, *exc):
            self.db.rollback()
            self.db.close()

    try:
        check_pages_during_the_lock(stack.url, take)
    finally:
        stack.stop()
    assert "Traceback" not in stack.log


def test_a_write_lock_held_on_sqlite_gives_the_503_page_not_a_hang(tmp_path):
    """
    On SQLite (in WAL mode) a held write lock stops no reader: the public pages, which only
    read, go on. A request that writes (an admin sign-in records the attempt) waits the busy
    timeout, then gets the 503 page.
    """
    database = tmp_path / "site.sqlite3"
    site = prepare_site(str(database), tmp_path / "staticfiles")
    stack = site.start_stack()

    class take:
        def __enter__(self):
            self.db = sqlite3.connect(database, timeout=20, isolation_level=None)
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(f"UPDATE {TABLE} SET number = number")
            return self

        def __exit__(self, *exc):
            self.db.execute("ROLLBACK")
            self.db.close()

    get, post, _ = http_driver(stack.url)
    try:
        page = get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.html).group(1)
        sign_in = {"username": ["editor"], "password": ["a guess"], "csrfmiddlewaretoken": [token]}
        with HeldLock(take):
            assert get("/check/emergency/").status == 200
            started = time.monotonic()
            page = post("/admin/login/", sign_in)
            waited = time.monotonic() - started
            assert page.status == 503
            assert "Call 999 now if you have calf pain" in page.html
            assert waited < HELD_FOR / 2
        assert post("/admin/login/", sign_in).status == 200  # the form and its error again
    finally:
        stack.stop()
    assert "Traceback" not in stack.log
