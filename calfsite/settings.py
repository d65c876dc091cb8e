"""
Settings for the calf-pain self-check, read from the environment.

Every setting a deployment may change is read here, once, with a small helper
that fails loudly on a value it cannot understand. The README lists them.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envphone(name: str, default: str, *, required: bool = False) -> str:
    """A phone number the public is shown as a tel: link: digits, spaces, + and - only."""
    value = os.getenv(name, default).strip()
    if value.strip(" +-0123456789") or (required and not any(ch.isdigit() for ch in value)):
        raise ImproperlyConfigured(f"{name} must be a phone number, not {value!r}")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "false")
TESTING = envbool("CALFCHECK_TESTING", "false")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, or set DEBUG=true "
            "for local development."
        )
elif not (DEBUG or TESTING) and not (
    len(SECRET_KEY) >= SECRET_KEY_MIN_LENGTH
    and len(set(SECRET_KEY)) >= SECRET_KEY_MIN_UNIQUE_CHARACTERS
    and not SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
):
    # The test `check --deploy` applies. The key signs CSRF tokens and encrypts the answers in
    # the session cookie: a guessable one gives both away.
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
        f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different, e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
if not ALLOWED_HOSTS:
    # Without it every request would get a bare 400: say so at start instead.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set it to the site's host names, e.g. calf.example.org."
    )
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "crispy_forms",
    "reversion",
    "axes",
    "triage",
]

MIDDLEWARE = [
    # Outermost, so that static files served by whitenoise get these headers too.
    "calfsite.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Inside the CSP middleware, so that the 503 pages get the policy and its nonce. Before
    # any other work: a request that waited too long in the queue is answered 503 at once.
    "calfsite.middleware.QueueTimeBudgetMiddleware",
    "calfsite.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "calfsite.urls"
WSGI_APPLICATION = "calfsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "triage.context_processors.public_settings",
            ],
        },
    },
]

# Database: SQLite on one machine; PostgreSQL (or any dj-database-url URL) through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
# A database that does not answer must fail fast (and show the 503 page), not hang workers:
# a connection, a statement and a wait for a lock each have a bound, in seconds.
DATABASE_CONNECT_TIMEOUT = envint("DATABASE_CONNECT_TIMEOUT", "3")
DATABASE_STATEMENT_TIMEOUT = envint("DATABASE_STATEMENT_TIMEOUT", "5")
DATABASE_LOCK_TIMEOUT = envint("DATABASE_LOCK_TIMEOUT", "2")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    options.setdefault(
        "options",
        f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000} "
        f"-c lock_timeout={DATABASE_LOCK_TIMEOUT * 1000}",
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (CONN_MAX_AGE) as with PostgreSQL: opening one and setting WAL on
    # every request cost about 0.6 ms, a fifth of a journey page (docs/performance.md).
    # The busy timeout bounds the wait for a lock another process holds.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": DATABASE_LOCK_TIMEOUT,
        }
    )
    if TESTING:
        DATABASES["default"]["TEST"] = {"NAME": ""}  # in-memory for unit tests
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions are encrypted cookies (calfsite.sessions): nothing about a person's health is stored
# on any server, every app server can read them, nobody without SECRET_KEY can, and they end
# when the browser closes.
SESSION_ENGINE = "calfsite.sessions"
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(2 * 60 * 60))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute-force protection on the admin login: one account from one client address is locked
# after AXES_FAILURE_LIMIT failures; one client address, whatever usernames it tries (password
# spraying), after AXES_ADDRESS_FAILURE_LIMIT (calfsite.lockout).
AXES_HANDLER = "calfsite.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "calfsite.lockout.client_address"
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", "20")
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", "true")
AXES_VERBOSE = False

ADMIN_URL = os.getenv("ADMIN_URL", "admin/").strip("/") + "/"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Development and tests serve static files straight from static/, without collectstatic.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# The questionnaire's forms are rendered by crispy-forms through the site's own template pack,
# the GOV.UK question pattern (templates/govuk/).
CRISPY_ALLOWED_TEMPLATE_PACKS = ("govuk",)
CRISPY_TEMPLATE_PACK = "govuk"

# Bounded request bodies: no public form is near these sizes.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(64 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", "400")
DATA_UPLOAD_MAX_NUMBER_FILES = 0
FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024

# Security headers.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "manifest-src": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Other sites never see a referrer. The site itself still gets one: over https Django's CSRF
# check needs it from a browser that sends no Origin header.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Django has no setting for this header: calfsite.middleware adds it. Only features browsers
# recognise, so that no console warnings hide real problems.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG or TESTING else "true")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG or TESTING else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
# The preload flag alone changes nothing: the owner of the domain still has to submit it.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false" if DEBUG or TESTING else "true")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Forwarded headers are trusted only behind a proxy that sets them (gunicorn.conf.py too).
BEHIND_PROXY = envbool("BEHIND_PROXY", "false")
# Proxies in front of the app, to find the client's address (calfsite.lockout).
PROXY_COUNT = envint("PROXY_COUNT", "1")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Overload: a request that waited longer than this in the queue (the front end's
# X-Request-Start header, see deploy/nginx.conf) is answered 503 at once rather than late.
REQUEST_QUEUE_BUDGET_MS = envint("REQUEST_QUEUE_BUDGET_MS", "1000")

# What the public is told to call. A deployment outside the UK sets its own.
EMERGENCY_NUMBER = envphone("EMERGENCY_NUMBER", "999", required=True)
URGENT_CARE_SERVICE = os.getenv("URGENT_CARE_SERVICE", "NHS 111")
# The same-day service's phone number and website; either may be empty (then it is not shown).
URGENT_CARE_NUMBER = envphone("URGENT_CARE_NUMBER", "111")
URGENT_CARE_URL = os.getenv("URGENT_CARE_URL", "https://111.nhs.uk/").strip()
if URGENT_CARE_URL and not URGENT_CARE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"URGENT_CARE_URL must be an address starting with https://, not {URGENT_CARE_URL!r}"
    )

# Logging: requests are logged by method and status only; no query strings, bodies or answers.
LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO")
# Requests refused for their shape (a bad host, too many fields, too big) are the client's
# doing: one WARNING line each, no traceback (calfsite.logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refused": {"()": "calfsite.logs.RefusedRequestFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "refused": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refused"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.security": {"handlers": ["refused"], "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
    },
}
