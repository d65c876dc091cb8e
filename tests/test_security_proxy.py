"""
Forwarded headers, on real servers: trusted only with BEHIND_PROXY, and only from the proxies
named; the client address the admin lockout counts is the one that connected, whatever
X-Forwarded-For it sends.
"""

import http.client
import re
from urllib.parse import urlencode, urlsplit

import pytest

from tests.servers import shared_site

pytestmark = [pytest.mark.postgres]

SPOOFED = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}
REDIRECT = {"SECURE_SSL_REDIRECT": "true"}


def request(url, method="GET", path="/", *, source="127.0.0.1", headers=None, body=None):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=15, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


@pytest.mark.parametrize("header", list(SPOOFED), ids=str.lower)
@pytest.mark.parametrize("front", ["gunicorn", "nginx"])
def test_without_behind_proxy_no_forwarded_header_makes_plain_http_secure(
    tmp_path_factory, front, header
):
    """gunicorn took these from any local client as proof of https, skipping the redirect."""
    site = shared_site(tmp_path_factory.mktemp("site"))
    start = site.start_stack if front == "nginx" else site.start_server
    server = start(**REDIRECT, BEHIND_PROXY="false")
    try:
        status, headers, _ = request(server.url, headers={header: SPOOFED[header]})
    finally:
        server.stop()
    assert status == 301
    assert headers["Location"].startswith("https://")


@pytest.mark.parametrize("front", ["gunicorn", "nginx"])
def test_behind_a_proxy_its_forwarded_protocol_is_trusted(tmp_path_factory, front):
    site = shared_site(tmp_path_factory.mktemp("site"))
    start = site.start_stack if front == "nginx" else site.start_server
    server = start(**REDIRECT, BEHIND_PROXY="true", FORWARDED_ALLOW_IPS="127.0.0.1")
    try:
        trusted = request(server.url, headers={"X-Forwarded-Proto": "https"})[0]
        plain = request(server.url)[0]
        other = request(server.url, source="127.0.0.2", headers={"X-Forwarded-Proto": "https"})
    finally:
        server.stop()
    assert trusted == 200
    assert plain == 301
    # Not from an address that is not one of the proxies (the front end checks it).
    if front == "nginx":
        assert other[0] == 301


def admin_login(url, username, password, *, source, forwarded_for):
    status, headers, html = request(url, path="/admin/login/", source=source)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = headers["Set-Cookie"].split(";")[0]
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    return request(
        url,
        "POST",
        "/admin/login/?next=/admin/",
        source=source,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "X-Forwarded-For": forwarded_for,
        },
    )[0]


def test_a_client_spraying_passwords_is_locked_out_whatever_address_it_claims(tmp_path_factory):
    site = shared_site(tmp_path_factory.mktemp("site"))
    site.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.filter(username='sprayed').delete(); "
        "User.objects.create_superuser('sprayed', 'e@example.org', 'a long passphrase 42')",
    )
    stack = site.start_stack(AXES_FAILURE_LIMIT="5", AXES_ADDRESS_FAILURE_LIMIT="8")
    try:
        # Eight usernames, one guess each, each request claiming another address.
        for n in range(8):
            status = admin_login(
                stack.url,
                f"user{n}",
                "Winter2026!",
                source="127.0.0.3",
                forwarded_for=f"10.9.8.{n}",
            )
            # The login form again with its error; the eighth failure locks the address.
            assert status == (429 if n == 7 else 200)
        sprayer = admin_login(
            stack.url,
            "sprayed",
            "a long passphrase 42",
            source="127.0.0.3",
            forwarded_for="10.1.1.1",
        )
        editor = admin_login(
            stack.url,
            "sprayed",
            "a long passphrase 42",
            source="127.0.0.4",
            forwarded_for="10.9.8.1",
        )
    finally:
        stack.stop()
        site.manage("axes_reset")
    assert sprayer == 429  # the address is locked, even with the right password
    assert editor == 302  # another client signs in as usual
