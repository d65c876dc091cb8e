"""
The pages' CSRF token (triage.csrf): Django's masked token, with the mask drawn at once. Django's
own middleware accepts it, it is masked afresh for every page, and its mask is uniform; the
cookie is sent with the first page only.
"""

import collections
import re

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    _check_token_format,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import Client, RequestFactory

from triage import csrf

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def test_a_masked_secret_unmasks_to_the_secret_in_django_s_format():
    for _ in range(500):
        secret = _get_new_csrf_string()
        token = csrf.mask(secret)
        _check_token_format(token)  # raises if not 64 of Django's characters
        assert _unmask_cipher_token(token) == secret


def test_each_mask_is_new():
    secret = _get_new_csrf_string()
    assert len({csrf.mask(secret) for _ in range(200)}) == 200


def test_every_mask_character_is_equally_likely():
    # Without throwing away bytes of 248 and more, the first 8 characters of the alphabet would
    # come 25% more often than the others; 400,000 draws put that far outside the noise (2%).
    counts = collections.Counter(csrf._random_indexes(400_000))
    assert set(counts) == set(range(len(CSRF_ALLOWED_CHARS)))
    expected = 400_000 / len(CSRF_ALLOWED_CHARS)
    assert all(abs(count - expected) < 0.08 * expected for count in counts.values()), counts


def test_the_token_masks_the_cookie_s_secret_without_sending_the_cookie_again():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret = _get_new_csrf_string()
    token = csrf.csrf_token(request)
    assert _unmask_cipher_token(token) == secret
    assert not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def test_without_a_cookie_django_makes_the_secret():
    request = RequestFactory().get("/")
    token = csrf.csrf_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == 32 and _unmask_cipher_token(token) == secret


@pytest.mark.django_db
def test_django_s_middleware_accepts_the_token_of_every_page(content):
    client = Client(enforce_csrf_checks=True)
    first = client.get("/check/emergency/")  # no cookie yet: Django makes the secret
    second = client.get("/check/emergency/")  # the kept page, with a token masked here
    (first_token,) = set(CSRF_INPUT.findall(first.content.decode()))
    (second_token,) = set(CSRF_INPUT.findall(second.content.decode()))
    assert first_token != second_token
    assert "csrftoken" in first.cookies  # made and sent with the first page
    assert "csrftoken" not in second.cookies  # not sent again
    cookie = client.cookies["csrftoken"].value
    assert _unmask_cipher_token(second_token) == cookie
    for token in (first_token, second_token):
        answer = client.post("/check/emergency/", {"signs": ["none"], "csrfmiddlewaretoken": token})
        assert answer.status_code == 302, answer.status_code
    refused = client.post("/check/emergency/", {"signs": ["none"], "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
