"""
Rendered pages kept in memory, for the pages that hold nothing of the person: the start page and a
question page seen for the first time.

Such a page is a pure function of its content and position in the journey (the topic, which of its
questions apply, the back link, "page 3 of about 9", the language, the public settings) plus two
values that differ on every request: the CSRF token and the CSP nonce. It is rendered once through
the template engine with a placeholder for each of the two, kept as pieces, and each request only
puts its own token and nonce back in. The page is byte for byte what rendering it afresh gives.

Pages that show a person's answers (a pre-filled question page, check your answers, the results)
are never kept: they are rendered for their request and forgotten.

The store belongs to one content snapshot: when an editor changes the content, the first request
that sees the new snapshot empties it.
"""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

from triage.context_processors import public_settings

# Placeholders: letters and digits only, so escaping leaves them as they are; random per process,
# so no content can contain them by chance or design.
_CSRF = "csrftokenslot" + secrets.token_hex(16)
_NONCE = "cspnonceslot" + secrets.token_hex(16)
MAX_PAGES = 512


class PageStore:
    """Rendered pages as pieces around their placeholders, least recently used dropped first."""

    def __init__(self, max_pages: int = MAX_PAGES):
        self.max_pages = max_pages
        self._pages: OrderedDict[Hashable, tuple[str, ...]] = OrderedDict()
        self._snapshot: object = None
        self._lock = threading.Lock()

    def get(self, snapshot: object, key: Hashable) -> tuple[str, ...] | None:
        with self._lock:
            if snapshot is not self._snapshot:
                return None
            pieces = self._pages.get(key)
            if pieces is not None:
                self._pages.move_to_end(key)
            return pieces

    def put(self, snapshot: object, key: Hashable, pieces: tuple[str, ...]) -> None:
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


def _pieces(html: str) -> tuple[str, ...]:
    """The page split at its placeholders; the placeholders stay in as pieces of their own."""
    pieces: list[str] = []
    for chunk in html.split(_CSRF):
        if pieces:
            pieces.append(_CSRF)
        nonce_parts = chunk.split(_NONCE)
        for index, part in enumerate(nonce_parts):
            if index:
                pieces.append(_NONCE)
            pieces.append(part)
    return tuple(pieces)


def render_kept(
    request: HttpRequest,
    template_name: str,
    context: Callable[[], dict],
    *,
    snapshot: object,
    key: Hashable,
) -> HttpResponse:
    """
    ``template_name`` rendered with ``context()``, from the store when the same ``key`` was
    rendered before for the same snapshot (then ``context`` is not called). ``key`` must say
    everything the page shows besides the content snapshot, the language and the public settings
    (added here).
    """
    full_key = (
        template_name,
        key,
        get_language(),
        settings.EMERGENCY_NUMBER,
        settings.URGENT_CARE_SERVICE,
    )
    pieces = store.get(snapshot, full_key)
    if pieces is None:
        # Rendered without the request: no context processor runs, so the page can only use
        # what is given here, and nothing of this request can end up in what is kept.
        html = render_to_string(
            template_name,
            {
                **public_settings(None),
                **context(),
                "csrf_token": _CSRF,
                "csp_nonce": _NONCE,
            },
        )
        pieces = _pieces(html)
        store.put(snapshot, full_key, pieces)
    token = get_token(request) if _CSRF in pieces else ""
    nonce = get_nonce(request) if _NONCE in pieces else None
    slots = {_CSRF: token, _NONCE: "" if nonce is None else str(nonce)}
    return HttpResponse("".join(slots.get(piece, piece) for piece in pieces))
