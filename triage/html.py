"""
Markup the site builds in code (question fields, rows of answers, check your answers' list), and
the escaping it uses.
"""

import html

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


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


def summary_list(sections) -> SafeString:
    """
    Check your answers: for each (AnsweredStep, change URL), the step's title and its answers;
    the first row of each links to the step to change them.
    """
    change_text = esc(_("Change"))
    parts = []
    for section, change_url in sections:
        about = esc(_("answers about %(topic)s") % {"topic": section.topic.title.lower()})
        change = (
            f'<a href="{esc(change_url)}">{change_text}'
            f'<span class="visually-hidden"> {about}</span></a>'
        )
        rows = "\n".join(
            '<div class="summary-list__row">'
            f'<dt class="summary-list__key">{esc(row.label)}</dt>'
            f'<dd class="summary-list__value">{esc(row.answer)}</dd>'
            f'<dd class="summary-list__actions">{change if index == 0 else ""}</dd></div>'
            for index, row in enumerate(section.rows)
        )
        parts.append(
            f'<h2 class="summary-heading">{esc(section.topic.title)}</h2>\n'
            f'<dl class="summary-list">\n{rows}\n</dl>'
        )
    return mark_safe("\n".join(parts))  # noqa: S308 (every value escaped by esc)
