"""Editors write long text in Markdown; it is rendered here to HTML that is safe to show."""

import re

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "h3",
    "h4",
    "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def localise(text: str) -> str:
    """
    The content is written for the UK ("Call 999", "NHS 111"); a deployment elsewhere sets
    EMERGENCY_NUMBER and URGENT_CARE_SERVICE and the public sees its own numbers instead.
    """
    if settings.EMERGENCY_NUMBER != "999":
        text = re.sub(r"\b999\b", settings.EMERGENCY_NUMBER, text)
    if settings.URGENT_CARE_SERVICE != "NHS 111":
        text = text.replace("NHS 111", settings.URGENT_CARE_SERVICE)
    return text


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with every tag, attribute and URL scheme outside a short list removed."""
    html = markdown_lib.markdown(
        localise(text or ""), extensions=["sane_lists"], output_format="html"
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
