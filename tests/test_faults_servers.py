"""Faults on real servers: PostgreSQL refusing connections."""

import psycopg
import pytest

from tests.journeys import CALF_STRAIN, result_summary, walk
from tests.servers import POSTGRES, http_driver, shared_site

pytestmark = [pytest.mark.postgres]


def allow_connections(database: str, allowed: bool) -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as db:
        db.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            # Connections the server already holds die too, as when PostgreSQL goes down.
            db.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [database],
            )


def test_with_the_database_down_every_page_says_what_to_do_now_and_recovers(
    tmp_path_factory,
):
    site = shared_site(tmp_path_factory.mktemp("site"))
    server = site.start_server()
    get, post, _ = http_driver(server.url)
    try:
        walk(get, post, CALF_STRAIN)  # a journey under way, with persistent connections open
        allow_connections(site.database, False)
        try:
            for path in [
                "/",
                "/check/emergency/",
                "/check/the-leg/",
                "/check/answers/",
                "/result/",
                "/start-again/",
                "/admin/login/",
            ]:
                page = get(path)
                assert page.status == 503, (path, page.status)
                assert "Call 999 now if you have calf pain" in page.html
                assert "a leg or foot that is suddenly cold, pale, blue or numb" in page.html
                assert "Traceback" not in page.html
            page = post("/check/emergency/", {"signs": ["none"]})
            assert page.status == 503
        finally:
            allow_connections(site.database, True)
        # Back up: the same person sees their results again, answers intact.
        page = get("/result/")
        assert page.status == 200
        assert result_summary(page.html)["urgency"] is not None
    finally:
        server.stop()
    assert "Traceback" not in server.log


@pytest.mark.browser
def test_the_503_page_is_styled_under_the_content_security_policy(tmp_path_factory, page):
    site = shared_site(tmp_path_factory.mktemp("site"))
    server = site.start_server()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    try:
        allow_connections(site.database, False)
        try:
            response = page.goto(f"{server.url}/check/emergency/")
            assert response.status == 503
            border = page.locator(".emergency").evaluate(
                "element => getComputedStyle(element).borderTopColor"
            )
        finally:
            allow_connections(site.database, True)
    finally:
        server.stop()
    assert border == "rgb(213, 40, 27)"  # the style, allowed by the nonce, applied
    assert [m for m in messages if "Content Security Policy" in m] == []
