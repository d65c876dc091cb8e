"""With the database down, every public page answers 503 with the emergency advice."""

import os
import socket
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

PUBLIC_URLS = ["/", "/check/emergency/", "/check/about-you/", "/check/answers/", "/result/"]
ADVICE = [
    "Call 999 now if you have calf pain",
    "chest pain, or you are suddenly short of breath",
    "a leg or foot that is suddenly cold, pale, blue or numb",
    "NHS 111",
]


def database_down():
    """Every attempt to connect fails, as it does with the server stopped."""
    return mock.patch.object(
        BaseDatabaseWrapper,
        "ensure_connection",
        side_effect=OperationalError("connection refused"),
    )


@pytest.fixture
def client():
    # raise_request_exception=False: the test sees what a browser sees, not the exception.
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_public_page_answers_503_with_the_emergency_advice(client, url):
    with database_down():
        response = client.get(url)
    assert response.status_code == 503
    page = response.content.decode()
    for text in ADVICE:
        assert text in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_a_posted_answer_with_the_database_down_answers_503(client):
    client.get("/")
    with database_down():
        response = client.post("/check/emergency/", {"chest_pain_or_breathless": "on"})
    assert response.status_code == 503
    assert "Call 999 now" in response.content.decode()


@pytest.mark.django_db
def test_the_503_page_obeys_the_content_security_policy(client):
    with database_down():
        response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in response.content.decode()


@pytest.mark.django_db
def test_the_503_page_uses_the_numbers_of_the_deployment(client, settings):
    settings.EMERGENCY_NUMBER = "112"
    settings.URGENT_CARE_SERVICE = "Medical helpline 1733"
    with database_down():
        page = client.get("/").content.decode()
    assert "Call 112 now" in page
    assert "Medical helpline 1733" in page
    assert "999" not in page


@pytest.mark.django_db
def test_a_database_failure_in_a_middleware_still_gets_the_503_page(client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_faults_database.QueryingMiddleware"]
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    assert "Call 999 now" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_are_500_with_the_emergency_advice_and_no_traceback(client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_faults_database.BrokenMiddleware"]
    response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, something went wrong" in page
    assert "Call 999 now" in page
    assert "Traceback" not in page


class QueryingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth.models import User

        User.objects.exists()
        return self.get_response(request)


class BrokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError("a bug")


def test_a_server_pointed_at_an_unreachable_postgresql_answers_503(unused_port_env):
    """A real PostgreSQL URL on a closed port, in a separate process: no patching at all."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False)\n"
        "for url in ['/', '/check/emergency/', '/result/']:\n"
        "    response = client.get(url, headers={'host': 'localhost'})\n"
        "    print(response.status_code, 'Call 999 now' in response.content.decode(),"
        " 'Traceback' in response.content.decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=unused_port_env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["503 True False"] * 3
    assert "Traceback" not in result.stderr


@pytest.fixture
def unused_port_env():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="calfsite.settings",
        CALFCHECK_TESTING="true",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/calfcheck",
    )
    return env
