from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost


def _dialled(number: str) -> str:
    """The number as a tel: link carries it: digits and a leading +, nothing else."""
    return "".join(ch for ch in number if ch.isdigit() or ch == "+")


def _site_address(request) -> str:
    """This site's address as the request gives it; none for a host the site does not serve."""
    if request is None:
        return ""
    try:
        return request.build_absolute_uri("/")
    except DisallowedHost:  # the 400 page for that very request
        return ""


def public_settings(request):
    """The numbers and service names the public is told to use, set per deployment."""
    url = settings.URGENT_CARE_URL
    parts = urlsplit(url)
    return {
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "EMERGENCY_TEL": _dialled(settings.EMERGENCY_NUMBER),
        "URGENT_CARE_SERVICE": settings.URGENT_CARE_SERVICE,
        "URGENT_CARE_NUMBER": settings.URGENT_CARE_NUMBER,
        "URGENT_CARE_TEL": _dialled(settings.URGENT_CARE_NUMBER),
        "URGENT_CARE_URL": url,
        # "111.nhs.uk": the address as people say it.
        "URGENT_CARE_SITE": (parts.netloc + parts.path.rstrip("/")).removeprefix("www."),
        # This site's own address, as the printout gives it.
        "SITE_ADDRESS": _site_address(request),
    }
