"""
The CSRF token a page's form carries: what ``django.middleware.csrf.get_token`` gives, with the
mask drawn in one read of the system's random source.

Django masks the secret afresh for every page (its defence against BREACH): a random mask of 32
characters, and the secret shifted by it. It draws the mask with one ``secrets.choice`` call per
character, 32 reads of the random source, which cost more than the rest of a kept question page's
own work. Here the mask comes from one ``os.urandom`` read, each byte taken only below the
largest multiple of 62 so that every character stays equally likely. The token has Django's
format, and ``CsrfViewMiddleware`` checks it as its own.

Django also sends the CSRF cookie again with every page that uses the token, only to push its
expiry (a year) forward. Here the cookie is sent when it is made, on a person's first page: a
journey takes minutes, and the answers themselves last two hours. The secret, and so every
check, stays Django's.
"""

import os

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_CHARS = CSRF_ALLOWED_CHARS
_BASE = len(_CHARS)
# Bytes from this value up are thrown away: 256 is not a multiple of 62, and keeping them
# would make the first characters of the alphabet more likely than the others.
_LIMIT = 256 - 256 % _BASE
_INDEX = {char: index for index, char in enumerate(_CHARS)}
_SHIFTED = _CHARS * 2  # _SHIFTED[a + b] is _CHARS[(a + b) % 62]


def _random_indexes(count: int) -> list[int]:
    """``count`` numbers, each uniform in 0..61, from the operating system's random source."""
    drawn: list[int] = []
    while len(drawn) < count:
        # 8 bytes spare: 3% of bytes are thrown away, so one read nearly always suffices.
        drawn += [byte % _BASE for byte in os.urandom(count + 8) if byte < _LIMIT]
    return drawn[:count]


def mask(secret: str) -> str:
    """``secret`` masked as Django masks it: the mask, then each character shifted by it."""
    shifts = _random_indexes(len(secret))
    return "".join([_CHARS[shift] for shift in shifts]) + "".join(
        [_SHIFTED[_INDEX[char] + shift] for char, shift in zip(secret, shifts, strict=True)]
    )


def csrf_token(request: HttpRequest) -> str:
    """
    ``get_token(request)``: the secret from the request's CSRF cookie, masked afresh. A request
    without a valid cookie goes through Django, which makes the secret and sets the cookie.
    """
    secret = request.META.get("CSRF_COOKIE")
    # CsrfViewMiddleware has set a valid secret when the request had a cookie; anything else
    # (no cookie yet) is left to Django.
    if not (
        isinstance(secret, str)
        and len(secret) == CSRF_SECRET_LENGTH
        and secret.isascii()
        and secret.isalnum()
    ):
        return get_token(request)
    return mask(secret)
