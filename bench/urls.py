"""The site's URLs plus ``/bench/minimal/``: the floor that whole pages are compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from calfsite.urls import handler500  # noqa: F401
from calfsite.urls import urlpatterns as site_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    """A short fixed response through the same middleware as every page."""
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), *site_urlpatterns]
