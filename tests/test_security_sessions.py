"""
The session cookie: the person's answers, unreadable without SECRET_KEY, readable by any app
server that has it, and any cookie that is not a valid session is an empty one, never a 500.
"""

import base64
import binascii
import contextlib
import json
import time
import zlib

import pytest
from django.conf import settings
from django.contrib.sessions.backends.signed_cookies import SessionStore as SignedSessionStore
from django.core import signing
from django.test import Client

from calfsite import sessions
from tests.journeys import POSSIBLE_CLOT, django_client_driver, walk

COOKIE = settings.SESSION_COOKIE_NAME


def every_decoding(value: str) -> list[bytes]:
    """What anyone without the key can get from a cookie: each part base64-decoded, inflated."""
    found = [value.encode()]
    for part in value.replace(":", ".").split("."):
        for candidate in (part, part.lstrip(".")):
            padded = candidate + "=" * (-len(candidate) % 4)
            for decode in (base64.urlsafe_b64decode, base64.b64decode):
                try:
                    raw = decode(padded)
                except (binascii.Error, ValueError):
                    continue
                found.append(raw)
                for offset in range(min(len(raw), 64)):
                    with contextlib.suppress(zlib.error):
                        found.append(zlib.decompress(raw[offset:]))
    return found


@pytest.fixture
def journey_cookie(content):
    client = Client()
    journey = walk(*django_client_driver(client), POSSIBLE_CLOT)
    assert journey.result.status == 200
    return client, journey, client.cookies[COOKIE].value


def test_the_cookie_holding_the_answers_reveals_none_of_them(journey_cookie):
    client, journey, value = journey_cookie
    assert journey.answers["swelling"] is True
    for decoded in every_decoding(value):
        for fact in ("oestrogen_pill_or_hrt", "long_travel_last_4_weeks", "answers", "swelling"):
            assert fact.encode() not in decoded
    # Not a Django signed value either: nothing decodes it without the session key.
    with pytest.raises(signing.BadSignature):
        signing.loads(value, salt="django.contrib.sessions.backends.signed_cookies")


def test_the_key_opens_the_cookie_and_gives_the_answers_back(journey_cookie):
    client, journey, value = journey_cookie
    session = sessions.decrypt(value, settings.SESSION_COOKIE_AGE)
    assert session["answers"]["swelling"] is True
    assert client.get("/result/").status_code == 200


def test_another_key_cannot_open_it(journey_cookie, settings):
    client, _, value = journey_cookie
    settings.SECRET_KEY = "another-key-" + "q7W!x" * 10
    assert sessions.decrypt(value, settings.SESSION_COOKIE_AGE) == {}
    # The site treats it as no session: the person starts again, nothing breaks.
    response = client.get("/check/answers/", follow=True)
    assert response.status_code == 200


def test_after_a_key_rotation_the_old_key_still_opens_cookies(journey_cookie, settings):
    _, _, value = journey_cookie
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-key-" + "q7W!x" * 10
    settings.SECRET_KEY_FALLBACKS = [old]
    assert sessions.decrypt(value, settings.SESSION_COOKIE_AGE)["answers"]


def test_an_altered_cookie_is_an_empty_session(journey_cookie):
    client, _, value = journey_cookie
    flipped = value[:40] + ("A" if value[40] != "A" else "B") + value[41:]
    assert sessions.decrypt(flipped, settings.SESSION_COOKIE_AGE) == {}
    client.cookies[COOKIE] = flipped
    assert client.get("/result/", follow=True).status_code == 200


def test_an_expired_cookie_is_an_empty_session(settings):
    token = sessions.Fernet(sessions.derive_key(settings.SECRET_KEY))
    # A token made two seconds past the session's whole age.
    old = token.encrypt_at_time(
        json.dumps({"answers": {"age": 30}}).encode(),
        current_time=int(time.time()) - settings.SESSION_COOKIE_AGE - 2,
    ).decode()
    assert sessions.decrypt(old, settings.SESSION_COOKIE_AGE) == {}


NOT_OBJECTS = [[], "answers", None, 1, True, [{"answers": {}}]]


@pytest.mark.django_db
@pytest.mark.parametrize("payload", NOT_OBJECTS, ids=repr)
@pytest.mark.parametrize("url", ["/", "/check/emergency/", "/check/answers/", "/result/"])
def test_a_valid_cookie_whose_content_is_not_an_object_is_an_empty_session(payload, url):
    client = Client(raise_request_exception=False)
    client.cookies[COOKIE] = sessions.encrypt(payload)
    response = client.get(url, follow=True)
    assert response.status_code == 200, response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("payload", NOT_OBJECTS, ids=repr)
def test_a_signed_cookie_of_the_old_kind_is_an_empty_session(payload):
    """Django's signed cookies, validly signed with the site's key, are no longer read."""
    client = Client(raise_request_exception=False)
    store = SignedSessionStore()
    store._session_cache = payload
    client.cookies[COOKIE] = store._get_session_key()
    response = client.get("/result/", follow=True)
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_post_with_such_a_cookie_is_not_a_500(content):
    client = Client(raise_request_exception=False)
    client.get("/check/emergency/")
    client.cookies[COOKIE] = sessions.encrypt([])
    response = client.post("/check/emergency/", {"signs": ["none"]}, follow=True)
    assert response.status_code == 200


@pytest.mark.django_db
def test_every_html_page_is_never_stored(content):
    """The start page for someone with answers had no Cache-Control at all."""
    client = Client(raise_request_exception=False)
    walk(*django_client_driver(client), POSSIBLE_CLOT)
    for url in [
        "/",
        "/check/emergency/",
        "/check/the-leg/",
        "/check/answers/",
        "/result/",
        "/no-such-page/",
        "/admin/login/",
    ]:
        for headers in ({}, {"hx-request": "true"}):
            response = client.get(url, headers=headers)
            assert response["Content-Type"].startswith("text/html"), url
            directives = {part.strip() for part in response["Cache-Control"].split(",")}
            assert {"no-store", "private"} <= directives, (url, response["Cache-Control"])
