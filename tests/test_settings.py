"""Settings from the environment, read the way a production server reads them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.module_loading import import_string
from whitenoise.storage import CompressedManifestStaticFilesStorage

ROOT = Path(__file__).resolve().parent.parent
SECRET = "k3J9-x" * 9  # 54 characters, many unique: what check --deploy wants

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "example.org",
    "CSRF_TRUSTED_ORIGINS": "https://example.org",
    "DATABASE_URL": "postgres://calf:secret@db.example.org:5432/calfcheck",
}


def environment(**changes: str) -> dict[str, str]:
    """A clean environment: none of the test run's switches leak into the child."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    }
    env["DJANGO_SETTINGS_MODULE"] = "calfsite.settings"
    env.update(changes)
    return {key: value for key, value in env.items() if value is not None}


def run(args: list[str], **changes: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment(**changes),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(**changes: str) -> dict:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({name: getattr(s, name) for name in dir(s) if name.isupper()}, "
        "default=str))"
    )
    result = run(["-c", script], **{**PRODUCTION, **changes})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_passes_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_the_security_settings():
    """The check above can fail: a weak production setting makes it do so."""
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        SECURE_HSTS_SECONDS="0",
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_it_refuses_to_start_without_a_secret_key():
    changes = {**PRODUCTION, "SECRET_KEY": ""}
    result = run(["manage.py", "check"], **changes)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["abc", "x" * 60, "django-insecure-" + "k3J9-x" * 9, "k3J9-x" * 8],
    ids=["short", "one-character", "django-insecure", "49-characters"],
)
def test_it_refuses_to_start_with_a_weak_secret_key(key):
    """The test `check --deploy` applies: 50 characters or more, 5 of them different."""
    result = run(["manage.py", "check"], **{**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr
    assert key not in result.stderr  # the key itself is never printed


def test_it_starts_with_a_strong_secret_key_and_reads_the_fallbacks():
    values = production_settings(SECRET_KEY_FALLBACKS="old-" + SECRET)
    assert values["SECRET_KEY_FALLBACKS"] == ["old-" + SECRET]


def test_database_statements_and_lock_waits_are_bounded():
    database = production_settings()["DATABASES"]["default"]
    assert database["OPTIONS"]["options"] == "-c statement_timeout=5000 -c lock_timeout=2000"
    changed = production_settings(DATABASE_STATEMENT_TIMEOUT="9", DATABASE_LOCK_TIMEOUT="4")
    assert changed["DATABASES"]["default"]["OPTIONS"]["options"] == (
        "-c statement_timeout=9000 -c lock_timeout=4000"
    )
    sqlite = production_settings(DATABASE_URL="sqlite:////tmp/calfcheck.sqlite3")
    assert sqlite["DATABASES"]["default"]["OPTIONS"]["timeout"] == 2


def test_it_refuses_to_start_without_allowed_hosts():
    result = run(["manage.py", "check"], **{**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_it_starts_without_a_secret_key_when_debugging():
    result = run(["manage.py", "check"], DEBUG="true")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("SESSION_COOKIE_AGE", "two hours", "SESSION_COOKIE_AGE must be a whole number"),
    ],
    ids=["bool", "int"],
)
def test_it_refuses_a_value_it_cannot_understand(name, value, message):
    result = run(["manage.py", "check"], **{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_are_read_from_the_environment():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == SECRET
    assert values["ALLOWED_HOSTS"] == ["example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://example.org"]
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"], database["USER"]) == (
        "db.example.org",
        "calfcheck",
        "calf",
    )
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["connect_timeout"] == 3
    assert values["EMERGENCY_NUMBER"] == "999"
    assert values["URGENT_CARE_SERVICE"] == "NHS 111"
    assert values["ADMIN_URL"] == "admin/"


def test_production_keeps_no_state_on_the_app_server():
    values = production_settings()
    # Cookies any app server can read (calfsite.sessions keeps nothing on the server).
    assert values["SESSION_ENGINE"] == "calfsite.sessions"
    storage = import_string(values["STORAGES"]["staticfiles"]["BACKEND"])
    assert issubclass(storage, CompressedManifestStaticFilesStorage)


def test_production_cookies_and_transport_are_secure():
    values = production_settings()
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_request_bodies_and_fields_are_bounded():
    values = production_settings()
    assert values["DATA_UPLOAD_MAX_MEMORY_SIZE"] <= 64 * 1024
    assert values["DATA_UPLOAD_MAX_NUMBER_FIELDS"] <= 400
    assert values["DATA_UPLOAD_MAX_NUMBER_FILES"] == 0


def test_a_deployment_sets_its_own_emergency_number_and_service():
    values = production_settings(
        EMERGENCY_NUMBER="112", URGENT_CARE_SERVICE="Medical helpline 1733"
    )
    assert values["EMERGENCY_NUMBER"] == "112"
    assert values["URGENT_CARE_SERVICE"] == "Medical helpline 1733"


def test_the_admin_url_is_configurable():
    script = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    result = run(["-c", script], **PRODUCTION, ADMIN_URL="/backstage-7f3a/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/backstage-7f3a/"


def test_behind_a_proxy_it_trusts_the_forwarded_protocol():
    assert "SECURE_PROXY_SSL_HEADER" not in production_settings() or (
        production_settings()["SECURE_PROXY_SSL_HEADER"] is None
    )
    values = production_settings(BEHIND_PROXY="true")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
