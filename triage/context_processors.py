from django.conf import settings


def public_settings(request):
    """The numbers and service names the public is told to use, set per deployment."""
    return {
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "URGENT_CARE_SERVICE": settings.URGENT_CARE_SERVICE,
    }
