"""
Proof that the site scales out: two gunicorn servers, one PostgreSQL, one browser session.

A small load balancer alternates the requests of a real Chromium session (no JavaScript, so
every answer is a plain form post) between the two servers. The person gets the same
result as on one server and as ``manage.py assess`` gives for the same answers; an admin edit
made through one server shows on the other at its next request.
"""

import json
from urllib.parse import urlsplit

import pytest

from tests.journeys import POSSIBLE_CLOT, Page, result_summary, walk
from tests.servers import RoundRobin, http_driver, shared_site

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    site = shared_site(tmp_path_factory.mktemp("site"))
    first, second = site.start_server(), site.start_server()
    balancer = RoundRobin([first.url, second.url])
    yield site, first, second, balancer
    balancer.close()
    first.stop()
    second.stop()


@pytest.fixture
def person(no_js_page):
    """One person's browser, without JavaScript: every answer is a plain form post."""
    return no_js_page


def browser_driver(page, base_url: str):
    """get/post for ``walk`` through a real browser page: fill the form, press Continue."""

    def current(response) -> Page:
        return Page(response.status, urlsplit(page.url).path, page.content())

    def get(path: str) -> Page:
        return current(page.goto(base_url + path))

    def post(path: str, data: dict[str, list[str]]) -> Page:
        form = page.locator("form[method=post]").filter(
            has=page.locator("input[type=radio], input[type=checkbox], input[inputmode=numeric]")
        )
        for name, values in data.items():
            inputs = form.locator(f'input[name="{name}"]')
            kind = inputs.first.get_attribute("type")
            if kind == "hidden":
                continue
            if kind in ("checkbox", "radio"):
                for index in range(inputs.count()):
                    option = inputs.nth(index)
                    wanted = option.get_attribute("value") in values
                    if kind == "checkbox" or wanted:
                        option.set_checked(wanted, force=True)
            else:
                inputs.first.fill(values[0])
        with page.expect_navigation() as navigation:
            form.locator("button[type=submit]").click()
        return current(navigation.value)

    return get, post


def assess(site, answers: dict) -> dict:
    output = json.loads(site.manage("assess", input=json.dumps(answers)).stdout)
    return {
        "urgency": output["urgency"],
        "causes": [(cause["band"], cause["slug"]) for cause in output["causes"]],
    }


def test_one_session_alternating_between_two_servers_gets_the_same_result(two_servers, person):
    site, first, second, balancer = two_servers
    journey = walk(*browser_driver(person, balancer.url), POSSIBLE_CLOT)

    # Both servers really served this one session, questions and answers alike, and answers
    # posted to one server were read back by the other.
    pages = [(b, m) for b, m, path in balancer.served if balancer.is_page(path)]
    for backend in balancer.backends:
        assert pages.count((backend, "POST")) >= 2, pages
        assert pages.count((backend, "GET")) >= 3, pages
    crossings = sum(
        1
        for (server, method), (next_server, _) in zip(pages, pages[1:], strict=False)
        if method == "POST" and next_server != server
    )
    assert crossings >= 3, pages

    shown = result_summary(journey.result.html)
    assert shown["urgency"] == "urgent"
    assert ("more_likely", "dvt") in shown["causes"]
    # The same as one server gives, and as the rules service gives for these answers.
    get, post, _ = http_driver(first.url)
    alone = walk(get, post, POSSIBLE_CLOT)
    assert alone.answers == journey.answers
    assert result_summary(alone.result.html) == shown
    assert assess(site, journey.answers) == shown


def test_an_edit_approved_through_one_server_shows_on_the_other_at_the_next_request(
    two_servers, person
):
    site, first, second, _ = two_servers
    # Someone's results, on the second server, before the edit.
    get, post, jar = http_driver(second.url)
    before = walk(get, post, POSSIBLE_CLOT).result.html
    assert 'id="cause-dvt"' in before

    site.env["DJANGO_SUPERUSER_PASSWORD"] = "a long passphrase 42"
    for name in ("editor", "approver"):
        site.manage("createsuperuser", "--noinput", "--username", name, "--email", "e@example.org")
    pk = site.manage(
        "shell", "-c", "from triage.models import Cause; print(Cause.objects.get(slug='dvt').pk)"
    ).stdout.split()[-1]

    page = person
    page.goto(f"{first.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a long passphrase 42")
    page.click("input[type=submit]")
    page.goto(f"{first.url}/admin/triage/cause/{pk}/change/")
    edited = "A clot in a deep vein of the leg (edited through the first server)."
    assert edited not in before
    page.fill("#id_summary", edited)
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert page.url.startswith(f"{first.url}/admin/triage/cause/"), page.content()
    assert "/change/" not in page.url, "the admin refused the edit"
    # In the draft only, until someone else approves it.
    assert edited not in get("/result/").html

    page.context.clear_cookies()
    page.goto(f"{first.url}/admin/login/")
    page.fill("#id_username", "approver")
    page.fill("#id_password", "a long passphrase 42")
    page.click("input[type=submit]")
    page.goto(f"{first.url}/admin/triage/release/review/")
    with page.expect_navigation():
        page.click("#approve")
    assert "is live" in page.content(), page.content()

    after = get("/result/")
    assert after.status == 200 and after.path == "/result/"
    assert edited in after.html


def test_the_servers_log_no_answers(two_servers):
    """What both servers write while serving journeys: paths and statuses only."""
    _, first, second, balancer = two_servers
    get, post, _ = http_driver(balancer.url)
    walk(get, post, POSSIBLE_CLOT)
    logs = first.read_log() + second.read_log()
    assert '"POST /check/emergency/" 302' in logs  # the access log was captured
    for word in ("swelling", "warmth", "oestrogen", "long_travel", "female", "one_leg", "dvt"):
        assert word not in logs
