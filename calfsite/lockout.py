"""
The admin login lockout (django-axes): who the client is, and two limits.

One account tried from one client address is locked after AXES_FAILURE_LIMIT failures; one
client address is locked after AXES_ADDRESS_FAILURE_LIMIT failures whatever usernames it
tried, so that trying a few passwords on many accounts (password spraying) is stopped too.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """
    The address of the client that sent the request.

    A request on gunicorn's Unix socket (no REMOTE_ADDR) came through the front end that
    `make serve` starts, the only process that can reach that socket: it sets X-Forwarded-For
    to the one client address. Otherwise X-Forwarded-For is trusted only with BEHIND_PROXY,
    PROXY_COUNT entries from its end, each added by one of our proxies.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not remote:
        return forwarded[-1] if forwarded else None
    if settings.BEHIND_PROXY and len(forwarded) >= settings.PROXY_COUNT:
        return forwarded[-settings.PROXY_COUNT]
    return remote


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """
        The failures that count, in units of AXES_FAILURE_LIMIT: those of this username from
        this address, or those of this address with any username scaled to its own limit.
        """
        account, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return max(
            account, address * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT
        )
