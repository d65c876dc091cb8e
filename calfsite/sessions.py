"""
Sessions kept in an encrypted cookie: stateless like Django's signed cookies, so that any app
server reads any person's session, but unreadable without SECRET_KEY.

The cookie is a Fernet token (AES-128-CBC with HMAC-SHA256, from the ``cryptography``
library) of the session's JSON. Its key is derived from SECRET_KEY with HKDF, so the cookie
key is never the key Django signs other things with; keys derived from SECRET_KEY_FALLBACKS
still open cookies made before a key rotation. A cookie that is older than
SESSION_COOKIE_AGE, forged, altered, made with another key, or whose content is not a JSON
object is an empty session: the person starts again, never a server error.
"""

import base64
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib.sessions.backends import signed_cookies
from django.utils.encoding import force_bytes

INFO = b"calfcheck session cookie v1"


def derive_key(secret: str) -> bytes:
    """A Fernet key (32 bytes, url-safe base64) of its own for the session cookie."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        force_bytes(secret)
    )
    return base64.urlsafe_b64encode(key)


@lru_cache(maxsize=4)
def _cipher(secret: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(derive_key(key)) for key in (secret, *fallbacks)])


def cipher() -> MultiFernet:
    """Encrypts with SECRET_KEY; decrypts with it or any of SECRET_KEY_FALLBACKS."""
    return _cipher(settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


def encrypt(data: object) -> str:
    payload = json.dumps(data, separators=(",", ":")).encode()
    return cipher().encrypt(payload).decode("ascii")


def decrypt(token: str, max_age: int) -> dict:
    """The session in ``token``, or an empty one for anything that is not a valid session."""
    try:
        payload = cipher().decrypt(token.encode("ascii"), ttl=max_age)
        data = json.loads(payload)
    except (InvalidToken, UnicodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class SessionStore(signed_cookies.SessionStore):
    def load(self) -> dict:
        data = decrypt(self.session_key or "", self.get_session_cookie_age())
        if not data:
            # As Django's signed cookies do: a cookie that cannot be read is replaced.
            self.create()
        return data

    def _get_session_key(self) -> str:
        return encrypt(self._session)
