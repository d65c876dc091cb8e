"""
Requests refused for their shape (a bad host, too many fields, a body too big) get their 400
page and one WARNING line in the log, without a traceback: they are the client's doing, not
the site's fault, and must not bury real errors.
"""

import http.client
import logging
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from tests.servers import shared_site

REFUSED = {
    "bad-host": ("GET", "/", {"Host": "evil.example.com"}, None, "DisallowedHost"),
    "too-many-fields": (
        "POST",
        "/admin/login/",
        {"Content-Type": "application/x-www-form-urlencoded"},
        urlencode({f"field{i}": "x" for i in range(1000)}),
        "TooManyFieldsSent",
    ),
    "too-big": (
        "POST",
        "/admin/login/",
        {"Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"username": "x" * (100 * 1024)}),
        "RequestDataTooBig",
    ),
}


@pytest.mark.postgres
def test_refused_requests_log_one_warning_and_no_traceback(tmp_path_factory):
    site = shared_site(tmp_path_factory.mktemp("site"))
    stack = site.start_stack()
    parts = urlsplit(stack.url)
    statuses = {}
    try:
        # A CSRF cookie, so that the posts get as far as Django reading their bodies.
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        connection.request("GET", "/admin/login/")
        cookie = connection.getresponse().headers["Set-Cookie"].split(";")[0]
        connection.close()
        for name, (method, path, headers, body, _) in REFUSED.items():
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
            connection.request(method, path, body=body, headers={**headers, "Cookie": cookie})
            statuses[name] = connection.getresponse().status
            connection.close()
    finally:
        stack.stop()
    assert statuses == {name: 400 for name in REFUSED}
    log = stack.log
    for name, (*_, kind) in REFUSED.items():
        lines = [line for line in log.splitlines() if f"django.security.{kind}" in line]
        assert len(lines) == 1, (name, log)
        assert " WARNING " in lines[0]
    assert "Traceback" not in log
    assert "ERROR django.security" not in log


@pytest.mark.django_db
def test_the_refused_request_record_is_a_warning_without_exception(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO, logger="django.security"):
        response = client.get("/", headers={"host": "evil.example.com"})
    assert response.status_code == 400
    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(records) == 1
