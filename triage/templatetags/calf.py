"""Template tags for pages rendered without a request (such as the CSRF failure page)."""

from django import template
from django.conf import settings

register = template.Library()

PUBLIC_SETTINGS = ("EMERGENCY_NUMBER", "URGENT_CARE_SERVICE")


@register.simple_tag
def public_setting(name: str) -> str:
    """A setting the public is told (the emergency number); nothing else can be read."""
    if name not in PUBLIC_SETTINGS:
        raise template.TemplateSyntaxError(f"{name} is not a public setting")
    return getattr(settings, name)
