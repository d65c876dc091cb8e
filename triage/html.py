"""
Markup the site builds in code, and the escaping it uses: question fields (triage.forms), and the
parts of check your answers and the results made from a person's answers.

These are built in code rather than by template loops: a results page shows some fifty answers
twice, and a template loop, or format_html, costs several times more per row.
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


_ANSWER_ROW = {
    "table": '<tr><th scope="row">{}</th><td>{}</td></tr>',
    "list": '<li><span class="answers-print__label">{}:</span> {}</li>',
}


def answer_rows(answered_steps, markup: str) -> SafeString:
    """Every answer of ``answered_steps`` (AnsweredStep), as table rows or as list items."""
    row = _ANSWER_ROW[markup]
    return mark_safe(  # noqa: S308 (every value escaped by esc)
        "\n".join(
            row.format(esc(answer.label), esc(answer.answer))
            for section in answered_steps
            for answer in section.rows
        )
    )


def list_items(values) -> SafeString:
    """``<li>`` for each value: a string, or a (label, answer) pair shown as "label: answer"."""
    return mark_safe(  # noqa: S308 (every value escaped by esc)
        "".join(
            f"<li>{esc(value[0])}: {esc(value[1])}</li>"
            if isinstance(value, tuple)
            else f"<li>{esc(value)}</li>"
            for value in values
        )
    )


def flag_items(flags) -> SafeString:
    """
    The care card's red flags (FlagView): each with what to do, and the answers that raised it.
    """
    because = esc(_("Because you answered:"))
    items = []
    for flag in flags:
        answers = (
            f'<p class="flag__because">{because}</p>'
            f'<ul class="list list--bullet">{list_items(flag.because)}</ul>'
            if flag.because
            else ""
        )
        items.append(
            f'<li class="flag"><strong>{esc(flag.title)}</strong>'
            f'<div class="flag__action">{esc(flag.action)}</div>{answers}</li>'
        )
    return mark_safe("\n".join(items))  # noqa: S308 (every value escaped by esc)
