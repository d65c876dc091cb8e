"""Escaping for the markup the site builds in code (question fields, rows of answers)."""

import html


def esc(value: object) -> str:
    """
    What ``django.utils.html.conditional_escape`` gives: markup already safe (``__html__``) as
    it is, anything else as text with & < > " ' escaped. Without Django's check for lazy
    arguments on every call, which cost more than the escaping on a page with many rows.
    """
    as_html = getattr(value, "__html__", None)
    if as_html is not None:
        return as_html()
    return html.escape(str(value))
