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
nonce into the kept pieces. A page showing the person's answers is kept with a slot for each
part that holds them: a question page showing earlier answers has a slot for each field, check
your answers one for the list of answers, the results one for each of their parts (the red
flags, the causes, the answers...), and each cause on them is kept with slots for the statements
that fit. What fills the slots is built for each request and never kept. The store belongs to one
content snapshot: the first request that sees new content empties it.

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
from typing import Protocol

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from triage.context_processors import public_settings
from triage.csrf import csrf_token

# Placeholders: letters and digits only, so escaping leaves them as they are; random per process,
# so no content can contain them by chance or design. They share one prefix, which lets the
# regular expression skip through a page at the speed of a substring search.
_SLOT = "slot" + secrets.token_hex(16)
_CSRF = _SLOT + "csrftoken"
_NONCE = _SLOT + "cspnonce"
_TITLE = _SLOT + "pagetitle"
_REGION = _SLOT + "region"
_PART = _SLOT + "part"
# A personal part's slot looks like a tag, <{_PART}N>, so that {% spaceless %} treats it as the
# markup it stands for; the expression finds it from the prefix, and _pieces adds back its "<".
_SLOTS = re.compile(f"({_SLOT}(?:csrftoken|cspnonce|pagetitle|region|part[0-9]+>))")
LAYOUT = "base.html"
MAX_PAGES = 512

type Pieces = tuple[str, ...]
# A kept page's pieces are kept encoded, so a request's page costs no encoding but its own slots.
type Encoded = tuple[bytes, ...]
_CSRF_BYTES = _CSRF.encode()
_NONCE_BYTES = _NONCE.encode()


class PageStore:
    """Rendered pages as pieces around their placeholders, least recently used dropped first."""

    def __init__(self, max_pages: int = MAX_PAGES):
        self.max_pages = max_pages
        self._pages: OrderedDict[Hashable, Pieces | Encoded] = OrderedDict()
        self._snapshot: object = None
        self._lock = threading.Lock()

    def get(self, snapshot: object, key: Hashable) -> Pieces | Encoded | None:
        with self._lock:
            if snapshot is not self._snapshot:
                return None
            pieces = self._pages.get(key)
            if pieces is not None:
                self._pages.move_to_end(key)
            return pieces

    def put(self, snapshot: object, key: Hashable, pieces: Pieces | Encoded) -> None:
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


class Part(Protocol):
    """A part of a page made from the person's answers: a question field (FieldView), say."""

    def html(self) -> SafeString: ...


@dataclass(frozen=True, slots=True)
class Built:
    """Markup built for one request, as a Part."""

    markup: SafeString

    def html(self) -> SafeString:
        return self.markup


@dataclass(frozen=True, slots=True)
class Slot:
    """Stands in for a Part in a kept page: its markup comes with each request."""

    index: int
    errors: tuple[str, ...] = ()  # a question field's, for the template's error summary

    def html(self) -> SafeString:
        return mark_safe(f"<{_PART}{self.index}>")  # noqa: S308 (letters and digits only)


type Parts = dict[str, Part | list[Part]]


def _stand_ins(parts: Parts) -> dict[str, Slot | list[Slot]]:
    """A Slot for each part, numbered in order: what a kept page is rendered with."""
    stand_ins: dict[str, Slot | list[Slot]] = {}
    index = 0
    for name, value in parts.items():
        if isinstance(value, list):
            stand_ins[name] = [Slot(index + offset) for offset in range(len(value))]
            index += len(value)
        else:
            stand_ins[name] = Slot(index)
            index += 1
    return stand_ins


def _markup(parts: Parts) -> dict[str, str]:
    """Each slot's placeholder and the part's markup for this request, numbered as _stand_ins."""
    values = [
        part for value in parts.values() for part in (value if isinstance(value, list) else [value])
    ]
    return {f"<{_PART}{index}>": part.html() for index, part in enumerate(values)}


def _pieces(html: str) -> Pieces:
    """The page split at its placeholders; each placeholder is a piece of its own."""
    pieces: list[str] = []
    for piece in _SLOTS.split(html):
        if piece.startswith(_PART):
            # The "<" that opens a part's slot ends the piece before it.
            pieces[-1] = pieces[-1][:-1]
            piece = "<" + piece
        pieces.append(piece)
    return tuple(piece for piece in pieces if piece)


def _encoded(pieces: Pieces) -> Encoded:
    return tuple(piece.encode() for piece in pieces)


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


def fragment(
    snapshot: object, template_name: str, key: Hashable, context: dict, parts: Parts
) -> SafeString:
    """
    A part of a page kept rendered like a kept page: ``template_name`` with ``context``, which
    holds content only (a cause, say) and is said by ``key``, and with a slot for each of
    ``parts``, filled with this request's own markup. For a part repeated on one page.
    """
    full_key = ("fragment", template_name, key, *_public())
    pieces = store.get(snapshot, full_key)
    if pieces is None:
        pieces = _pieces(_render(template_name, {**context, **_stand_ins(parts)}))
        if _CSRF in pieces or _NONCE in pieces:
            raise ValueError(f"{template_name} needs the request: it cannot be a fragment")
        store.put(snapshot, full_key, pieces)
    slots = _markup(parts)
    return mark_safe("".join([slots.get(piece, piece) for piece in pieces]))  # noqa: S308


def render_page(
    request: HttpRequest,
    template_name: str,
    context: Callable[[], dict],
    *,
    partial: bool,
    kept: tuple[object, Hashable] | None = None,
    parts: Parts | None = None,
    status: int = 200,
) -> HttpResponse:
    """
    ``template_name`` with ``context()``: the whole page, or its region only when ``partial``.

    ``kept``: (content snapshot, key) for a page that holds nothing of the person. It is taken
    from the store when the same key was rendered before for the same snapshot (``context`` is
    then not called). The key must say everything the page shows besides the content snapshot,
    the language and the public settings, which are added here, and besides ``parts``: what the
    page shows of the person, by its name in ``context()`` (a Part, or a list of them, such as
    the question fields), kept as slots and filled with this request's own markup. The key must
    say how many parts there are.
    """
    if kept is not None:
        snapshot, key = kept
        full_key = (template_name, partial, key, *_public())
        pieces = store.get(snapshot, full_key)
        if pieces is None:
            page_context = context()
            if parts:
                page_context.update(_stand_ins(parts))
            pieces = _encoded(_assemble(template_name, page_context, partial=partial))
            store.put(snapshot, full_key, pieces)
    else:
        pieces = _encoded(_assemble(template_name, context(), partial=partial))
    token = csrf_token(request) if _CSRF_BYTES in pieces else ""
    nonce = get_nonce(request) if _NONCE_BYTES in pieces else None
    # str(): the nonce is made when first read (a lazy object, false until then).
    nonce_text = "" if nonce is None else str(nonce)
    slots = {_CSRF_BYTES: token.encode(), _NONCE_BYTES: nonce_text.encode()}
    if kept is not None and parts:
        slots.update({slot.encode(): markup.encode() for slot, markup in _markup(parts).items()})
    return HttpResponse(b"".join([slots.get(piece, piece) for piece in pieces]), status=status)
