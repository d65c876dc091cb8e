"""Template tags: public settings for pages rendered without a request, and fixed fragments."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language

register = template.Library()

PUBLIC_SETTINGS = ("EMERGENCY_NUMBER", "URGENT_CARE_SERVICE")


@register.simple_tag
def public_setting(name: str) -> str:
    """A setting the public is told (the emergency number); nothing else can be read."""
    if name not in PUBLIC_SETTINGS:
        raise template.TemplateSyntaxError(f"{name} is not a public setting")
    return getattr(settings, name)


@register.simple_tag
def fixed_fragment(template_name: str, **values) -> str:
    """
    A part of a page that depends only on the language, the public settings and the content
    passed as ``values`` (frozen content objects): the layout's header, emergency box and footer,
    which the admin and the error pages share. Rendered once per process for each of those, not
    per request. Nothing that comes from the person (an answer) may be passed: it would be kept.
    """
    return _fixed_fragment(
        template_name,
        get_language(),
        settings.EMERGENCY_NUMBER,
        settings.URGENT_CARE_SERVICE,
        tuple(sorted(values.items())),
    )


@lru_cache(maxsize=512)
def _fixed_fragment(
    template_name: str, language: str | None, number: str, service: str, values: tuple
):
    return render_to_string(
        template_name,
        {"EMERGENCY_NUMBER": number, "URGENT_CARE_SERVICE": service, **dict(values)},
    )
