"""Security headers on every response, secure cookies, CSP, CSRF and the admin lockout."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
PAGES = ["/", "/admin/login/", "/no-such-page/"]
STATIC = "/static/vendor/htmx/htmx-2.0.11.min.js"


@pytest.fixture
def production_like(settings):
    """What production turns on that the test settings leave off for plain http."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.mark.django_db
@pytest.mark.parametrize("url", [*PAGES, STATIC], ids=["start", "admin", "404", "static"])
def test_every_response_carries_the_security_headers(production_like, client, url):
    response = client.get(url, secure=True)
    assert response.status_code in (200, 404)
    for name, value in HEADERS.items():
        assert response[name] == value, name
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    permissions = response["Permissions-Policy"]
    assert "camera=()" in permissions
    assert "geolocation=()" in permissions
    assert "microphone=()" in permissions


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES, ids=["start", "admin", "404"])
def test_every_page_has_a_strict_content_security_policy(client, url):
    response = client.get(url)
    policy = dict(
        (part.split()[0], part.split()[1:])
        for part in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        assert "'self'" in policy[directive]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/admin/login/"], ids=["start", "admin"])
def test_inline_scripts_and_styles_carry_the_nonce_of_the_response(client, url):
    response = client.get(url)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    html = response.content.decode()
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        if "src=" in tag:
            continue
        assert nonce is not None and f'nonce="{nonce.group(1)}"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"<[^>]+\sstyle\s*=", html), "inline style attribute"


@pytest.mark.django_db
def test_the_csrf_and_session_cookies_are_secure_and_http_only(production_like):
    client = Client()
    user = User.objects.create_superuser("editor", "editor@example.org", "a long passphrase 42")
    response = client.get("/admin/login/", secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    assert csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": user.username,
            "password": "a long passphrase 42",
            "csrfmiddlewaretoken": csrf.value,
        },
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


@pytest.mark.django_db
def test_a_post_without_a_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_an_oversized_body_is_refused_not_crashed():
    client = Client(raise_request_exception=False)
    response = client.post("/admin/login/", {"username": "x" * (100 * 1024), "password": "y"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_too_many_fields_are_refused_not_crashed():
    client = Client(raise_request_exception=False)
    response = client.post("/admin/login/", {f"field{i}": "x" for i in range(1000)})
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_admin_login_locks_out_after_repeated_failures(settings):
    settings.AXES_FAILURE_LIMIT = 5
    User.objects.create_superuser("editor", "editor@example.org", "a long passphrase 42")
    client = Client()
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "editor", "password": "wrong guess"})
        assert response.status_code in (200, 429)
    # Now even the right password is refused: the account is locked for this client.
    response = client.post(
        "/admin/login/", {"username": "editor", "password": "a long passphrase 42"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_few_failures_do_not_lock_the_editor_out(settings):
    settings.AXES_FAILURE_LIMIT = 5
    User.objects.create_superuser("editor", "editor@example.org", "a long passphrase 42")
    client = Client()
    for _ in range(3):
        client.post("/admin/login/", {"username": "editor", "password": "wrong guess"})
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": "a long passphrase 42"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [("/check/emergency/", 400), ("/no-such-page/", 404), ("/admin/login/", 400)],
    ids=["step", "unknown-page", "admin"],
)
def test_a_form_in_an_encoding_django_refuses_gets_a_4xx_not_a_500(path, status):
    """Django's own 400 and 404 views re-read such a body and failed with a 500."""
    client = Client(raise_request_exception=False)
    client.get("/")
    response = client.generic(
        "POST",
        path,
        "signs=none".encode("utf-16"),
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert response.status_code == status
    if status == 400:
        assert "Call 999" in response.content.decode()  # the page still gives the advice


@pytest.mark.django_db
def test_one_address_trying_many_usernames_is_locked_out_at_its_own_limit(settings):
    """Password spraying: a few guesses on each of many accounts locked nothing before."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12
    User.objects.create_superuser("editor", "editor@example.org", "a long passphrase 42")
    sprayer = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(11):
        response = sprayer.post("/admin/login/", {"username": f"user{n}", "password": "Summer1"})
        assert response.status_code == 200, n  # under both limits: the form and its error
    response = sprayer.post("/admin/login/", {"username": "user11", "password": "Summer1"})
    assert response.status_code == 429
    response = sprayer.post(
        "/admin/login/", {"username": "editor", "password": "a long passphrase 42"}
    )
    assert response.status_code == 429
    # The editor, from another address, is not locked out by it.
    editor = Client(REMOTE_ADDR="198.51.100.20")
    response = editor.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": "a long passphrase 42"}
    )
    assert response.status_code == 302
