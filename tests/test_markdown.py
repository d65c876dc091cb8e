"""Markdown typed by an editor becomes safe HTML: hostile input never reaches a page as code."""

import re
from html.parser import HTMLParser

import pytest

from tests.admin_support import (
    REVIEWER,
    admin_url,
    form_data,
    isolated_content,
    make_user,
    publish_draft,
)
from triage.markdown import render_markdown
from triage.models import Cause, RedFlag
from triage.selectors import get_content

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "script-in-paragraph": "Rest it. <script>alert(1)</script> Then walk.",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "onclick-on-allowed-tag": '<a href="https://nhs.uk" onclick="alert(1)">NHS</a>',
    "style-attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "markdown-javascript-link": "[click](javascript:alert(1))",
    "mixed-case-scheme": "[click](JaVaScRiPt:alert(1))",
    "entity-encoded-scheme": "[click](&#106;avascript:alert(1))",
    "tab-in-scheme": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "html-javascript-link": '<a href="javascript:alert(1)">x</a>',
    "autolink-javascript": "<javascript:alert(1)>",
    "data-url": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript": "[x](vbscript:msgbox(1))",
    "image-attribute-breakout": '![x](x" onerror="alert(1))',
    "iframe": '<iframe src="https://example.org"></iframe>',
    "style-tag": "<style>body{display:none}</style>",
    "form": '<form action="https://example.org"><input name="q"></form>',
    "object-embed": "<object data=x></object><embed src=x>",
    "nested-script": "<scr<script>ipt>alert(1)</script>",
    "math-xlink": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
}

LIVE_CODE = re.compile(
    r"<\s*(script|iframe|object|embed|svg|math|style|form|input|img)\b"
    r"|\son\w+\s*="
    r"|(href|src)\s*=\s*\"?\s*(javascript|vbscript|data):"
    r"|style\s*=",
    re.IGNORECASE,
)


class LiveCode(HTMLParser):
    """Every piece of live code in a page: event handlers, script URLs, inline scripts."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            url = re.sub(r"\s", "", (value or "")).lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            # (The page's own <link rel="icon" href="data:,"> is no code.)
            if (
                tag != "link"
                and name in ("href", "src", "action", "xlink:href")
                and url.startswith(("javascript:", "vbscript:", "data:"))
            ):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append("<script> not from /static/")
            self._in_script = True
        if tag in ("iframe", "object", "embed", "form"):
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline script")


def live_code(html: str) -> list[str]:
    parser = LiveCode()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_without_live_code(text):
    html = str(render_markdown(text))
    assert not LIVE_CODE.search(html), html
    assert not live_code(html), html


def test_the_live_code_checks_would_catch_each_kind_of_attack():
    # The checks must be able to fail: raw hostile HTML trips both.
    for text in ("<script>a()</script>", '<img src=x onerror="a">', '<a href="javascript:x">'):
        assert LIVE_CODE.search(text)
        assert live_code(text)
    assert not live_code("<p>&lt;img src=x onerror=alert(1)&gt;</p>")


def test_ordinary_markdown_keeps_its_formatting_and_safe_links():
    html = str(
        render_markdown(
            "**Rest** and *stretch*.\n\n- one\n- two\n\n"
            "[NHS](https://www.nhs.uk/conditions/leg-cramps/) or [email](mailto:a@example.org)"
        )
    )
    assert "<strong>Rest</strong>" in html
    assert "<em>stretch</em>" in html
    assert "<li>one</li>" in html
    assert 'href="https://www.nhs.uk/conditions/leg-cramps/"' in html
    assert 'href="mailto:a@example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_text_that_only_looks_like_code_is_shown_as_text():
    html = str(render_markdown("Type `<script>` to see it."))
    assert "<code>&lt;script&gt;</code>" in html


def test_empty_text_renders_as_nothing():
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""


@pytest.mark.django_db
def test_hostile_text_saved_in_the_admin_never_reaches_the_public_content(client):
    world = isolated_content()
    client.force_login(make_user("reviewer", REVIEWER))
    attack = "\n\n".join(HOSTILE.values())
    cause, flag = world["cause"], world["flag"]
    for obj, fields in (
        (cause, ("summary", "explanation", "self_care", "when_to_get_help")),
        (flag, ("action", "why_it_matters", "safety_net")),
    ):
        url = admin_url(type(obj), "change", obj.pk)
        data = form_data(client.get(url))
        data.update({name: attack[:300] if name == "safety_net" else attack for name in fields})
        assert client.post(url, data).status_code == 302

    publish_draft()
    content = get_content()
    shown = content.causes["test-clot"]
    for html in (shown.explanation, shown.self_care, shown.when_to_get_help):
        assert not LIVE_CODE.search(str(html))
    for html in (content.red_flags["test-breathless"].action,):
        assert not LIVE_CODE.search(str(html))
    assert Cause.objects.get(pk=cause.pk).explanation == attack
    assert RedFlag.objects.get(pk=flag.pk).action == attack

    preview = client.get(admin_url(Cause, "preview", cause.pk)).content.decode()
    assert live_code(preview) == []
    # The summary is plain text: shown, escaped, never as markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview
