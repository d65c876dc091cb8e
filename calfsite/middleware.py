"""Response headers Django has no setting for, and a safe answer when the database is down."""

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class DatabaseUnavailableMiddleware:
    """
    With the database down, answer 503 with a page that still gives the emergency advice.
    The page is a plain template rendered without touching the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or (
            type(exception) is DatabaseError
        ):
            logger.error("database unavailable: %s", type(exception).__name__)
            return unavailable_response()
        return None


def unavailable_response():
    from django.http import HttpResponse

    html = render_to_string(
        "503.html",
        {
            "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
            "URGENT_CARE_SERVICE": settings.URGENT_CARE_SERVICE,
        },
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response
