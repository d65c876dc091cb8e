"""
Response headers Django has no setting for, and safe answers when something is broken.

With the database down every page answers 503 with the emergency advice, rendered from a
template that needs nothing but the settings: no database, no context processors, no session.
"""

import logging
import sys
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views import defaults

logger = logging.getLogger(__name__)

# What a database that is down, restarting or unreachable raises (psycopg and sqlite3 alike,
# wrapped by Django). Other database errors are bugs and stay 500s.
DATABASE_DOWN = (OperationalError, InterfaceError)


class SecurityHeadersMiddleware:
    """Headers every response carries, static files included (this runs outside whitenoise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if response.get("Content-Type", "").startswith("text/html"):
            # Every page may show a person's answers or lead to them: never kept by a browser
            # or a shared cache.
            patch_cache_control(response, no_store=True, private=True)
        return response


class QueueTimeBudgetMiddleware:
    """
    Sheds overload: a request that waited in the queue longer than REQUEST_QUEUE_BUDGET_MS
    since the front end passed it on (its X-Request-Start header, ``t=`` and seconds since the
    epoch as nginx's $msec gives them, or milliseconds) is answered 503 at once. The person
    gets the emergency advice in milliseconds rather than a page seconds late, and the
    workers get to the requests that can still be answered in time.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.budget = settings.REQUEST_QUEUE_BUDGET_MS / 1000

    def __call__(self, request: HttpRequest) -> HttpResponse:
        waited = queue_time(request.META.get("HTTP_X_REQUEST_START", ""))
        if self.budget > 0 and waited is not None and waited > self.budget:
            logger.warning("request shed after %d ms in the queue", waited * 1000)
            response = HttpResponse(render_to_string("503.html", page_context(request)), status=503)
            response["Retry-After"] = "5"
            response["Cache-Control"] = "no-store, private"
            return response
        return self.get_response(request)


def queue_time(header: str) -> float | None:
    """Seconds since the time in an X-Request-Start header, or None without a usable one."""
    try:
        started = float(header.removeprefix("t="))
    except ValueError:
        return None
    if started > 1e11:  # milliseconds
        started /= 1000
    return max(time.time() - started, 0.0)


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with the emergency advice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Connect before the view, so that even a page needing no query (the start page) says
        # the service is down rather than inviting a journey that cannot finish. With a
        # persistent connection this costs nothing.
        try:
            connection.ensure_connection()
        except DATABASE_DOWN as error:
            return unavailable_response(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_DOWN):
            return unavailable_response(request, exception)
        return None


def unavailable_response(request: HttpRequest | None, exception: BaseException) -> HttpResponse:
    # The exception's class only: its message can hold a host name or a query.
    logger.error("database unavailable: %s", type(exception).__name__)
    response = HttpResponse(render_to_string("503.html", page_context(request)), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store, private"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """
    The 500 handler. A database failure outside a view (in a middleware, say) reaches here
    rather than process_exception: it still gets the 503 page.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN):
        return unavailable_response(request, exception)
    response = HttpResponse(render_to_string("500.html", page_context(request)), status=500)
    response["Cache-Control"] = "no-store, private"
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


# Django's own 403 view, without its requires_csrf_token decorator (see below).
permission_denied = defaults.permission_denied.__wrapped__

# Why not Django's default 400 and 404 views: they are wrapped in requires_csrf_token, whose
# CSRF check reads the request body; a body Django refuses to read (a form sent as UTF-16, say)
# raised again inside the error view and turned the 400 or 404 into a 500. The default 400 view
# also renders without the request, so the page lacked the emergency number.


def page_context(request: HttpRequest | None) -> dict:
    nonce = get_nonce(request) if request is not None else None
    return {
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "URGENT_CARE_SERVICE": settings.URGENT_CARE_SERVICE,
        # str() generates the lazy nonce now, so that the policy header carries it.
        "csp_nonce": str(nonce) if nonce is not None else "",
    }
