"""
How the public pages are rendered: the page's own region through the template engine, inside a
layout (``base.html``) rendered once per process; and, for the pages that hold nothing of the
person, the whole page kept rendered.

Every public template has its content in a ``region`` partial. A whole page is ``base.html``
with that region in its content block, so the layout around it (head, header, emergency box,
footer) is rendered once per language and public settings, with slots for what differs per page
and per request: the title, the region, the CSRF token and the CSP nonce. A request renders only
its region, with placeholders for the token and the nonce, and puts the pieces together.

The start page and a question page seen for the first time are pure functions of the content
and of their place in the journey (which questions apply, the back link, "page 3 of about 9").
They are kept whole (``store``), so such a request renders nothing: it puts its own token and
nonce into the kept pieces. A question page showing earlier answers is kept with a slot for each
field: the fields, holding the answers, are built for each request and never kept. Check your
answers and the results are never kept: rendered for their request, then forgotten. The store
belongs to one content snapshot: the first request that sees new content empties it.

The pieces are put back together into exactly what rendering the template afresh gives: one
masked CSRF token per page, as Django's csrf_token gives one per render.
"""

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from triage.context_processors import public_settings

# Placeholders: letters and digits only, so escaping leaves them as they are; random per process,
# so no content can contain them by chance or design.
_CSRF = "csrftokenslot" + secrets.token_hex(16)
_NONCE = "cspnonceslot" + secrets.token_hex(16)
_TITLE = "pagetitleslot" + secrets.token_hex(16)
_REGION = "pageregionslot" + secrets.token_hex(16)
_FIELD = "fieldslot" + secrets.token_hex(16) + "n"
# A field's slot looks like a tag, so that {% spaceless %} treats it as the field it stands for.
_SLOTS = re.compile(f"({_CSRF}|{_NONCE}|{_TITLE}|{_REGION}|<{_FIELD}[0-9]+>)")
LAYOUT = "base.html"
MAX_PAGES = 512

type Pieces = tuple[str, ...]


class PageStore:
    """Rendered pages as pieces around their placeholders, least recently used dropped first."""

    def __init__(self, max_pages: int = MAX_PAGES):
        self.max_pages = max_pages
        self._pages: OrderedDict[Hashable, Pieces] = OrderedDict()
        self._snapshot: object = None
        self._lock = threading.Lock()

    def get(self, snapshot: object, key: Hashable) -> Pieces | None:
        with self._lock:
            if snapshot is not self._snapshot:
                return None
            pieces = self._pages.get(key)
            if pieces is not None:
                self._pages.move_to_end(key)
            return pieces

    def put(self, snapshot: object, key: Hashable, pieces: Pieces) -> None:
        with self._lock:
            if snapshot is not self._snapshot:
                # New content: nothing rendered from the old one may be served again.
                self._pages.clear()
                self._snapshot = snapshot
            self._pages[key] = pieces
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._snapshot = None

    def __len__(self) -> int:
        return len(self._pages)


store = PageStore()


@dataclass(frozen=True, slots=True)
class FieldSlot:
    """Stands in for a question field (a FieldView) in a kept page: its markup comes later."""

    index: int
    errors: tuple[str, ...] = ()

    def html(self) -> SafeString:
        return mark_safe(f"<{_FIELD}{self.index}>")  # noqa: S308 (letters and digits only)


def _pieces(html: str) -> Pieces:
    """The page split at its placeholders; each placeholder is a piece of its own."""
    return tuple(piece for piece in _SLOTS.split(html) if piece)


def _render(template_name: str, context: dict) -> str:
    # Without the request: no context processor runs, so a page can only use what is given
    # here, and nothing of the request can end up in a page that is kept.
    return render_to_string(
        template_name,
        {**public_settings(None), **context, "csrf_token": _CSRF, "csp_nonce": _NONCE},
    )


def _public() -> tuple:
    return (get_language(), settings.EMERGENCY_NUMBER, settings.URGENT_CARE_SERVICE)


def _layout(titled: bool) -> Pieces:
    """``base.html`` with slots for the title and the region, once per language and settings."""
    return _layout_for(titled, *_public())


@lru_cache(maxsize=64)
def _layout_for(titled: bool, language: str | None, number: str, service: str) -> Pieces:
    # The language and settings only key the cache: _render reads the active ones itself.
    slots = {"page_title": _TITLE if titled else "", "region": _REGION}
    return _pieces(_render(LAYOUT, slots))


def _assemble(template_name: str, context: dict, *, partial: bool) -> Pieces:
    """The page's pieces: its region, inside the layout unless only the region is asked for."""
    region = _pieces(_render(f"{template_name}#region", context))
    if partial:
        return region
    title = context.get("page_title")
    pieces: list[str] = []
    for piece in _layout(bool(title)):
        if piece == _REGION:
            pieces.extend(region)
        elif piece == _TITLE:
            pieces.append(str(conditional_escape(title)))
        else:
            pieces.append(piece)
    return tuple(pieces)


def render_page(
    request: HttpRequest,
    template_name: str,
    context: Callable[[], dict],
    *,
    partial: bool,
    kept: tuple[object, Hashable] | None = None,
    fields: list | None = None,
    status: int = 200,
) -> HttpResponse:
    """
    ``template_name`` with ``context()``: the whole page, or its region only when ``partial``.

    ``kept``: (content snapshot, key) for a page that holds nothing of the person. It is taken
    from the store when the same key was rendered before for the same snapshot (``context`` is
    then not called). The key must say everything the page shows besides the content snapshot,
    the language and the public settings, which are added here, and besides ``fields``: the
    question fields in ``context()["fields"]`` (FieldView, without errors), kept as slots and
    filled with this request's own field markup.
    """
    if kept is not None:
        snapshot, key = kept
        full_key = (template_name, partial, key, *_public())
        pieces = store.get(snapshot, full_key)
        if pieces is None:
            page_context = context()
            if fields is not None:
                page_context["fields"] = [FieldSlot(index) for index in range(len(fields))]
            pieces = _assemble(template_name, page_context, partial=partial)
            store.put(snapshot, full_key, pieces)
    else:
        pieces = _assemble(template_name, context(), partial=partial)
    token = get_token(request) if _CSRF in pieces else ""
    nonce = get_nonce(request) if _NONCE in pieces else None
    slots = {_CSRF: token, _NONCE: "" if nonce is None else str(nonce)}
    for index, field in enumerate(fields or ()):
        slots[f"<{_FIELD}{index}>"] = field.html()
    return HttpResponse("".join([slots.get(piece, piece) for piece in pieces]), status=status)
