"""An app server restarted in the middle of a journey: the person continues where they were."""

import json

import pytest

from tests.journeys import STATIN_ACHES, result_summary, walk
from tests.servers import http_driver, shared_site

pytestmark = [pytest.mark.postgres]


def test_a_journey_continues_across_a_server_restart(tmp_path_factory):
    site = shared_site(tmp_path_factory.mktemp("site"))
    server = site.start_server()
    pids = [server.process.pid]

    def restart_halfway(answered: int) -> None:
        if answered == 4:
            server.stop()
            server.start()  # a new process on the same port, as after a deploy or a crash
            pids.append(server.process.pid)

    try:
        uninterrupted = walk(*http_driver(server.url)[:2], STATIN_ACHES)
        get, post, _ = http_driver(server.url)
        journey = walk(get, post, STATIN_ACHES, before_answer=restart_halfway)
    finally:
        server.stop()

    assert len(set(pids)) == 2, "the server was not restarted"
    # The same pages in the same order as without the restart: nobody was sent back.
    assert journey.visited == uninterrupted.visited
    assert journey.answers == uninterrupted.answers
    expected = json.loads(site.manage("assess", input=json.dumps(journey.answers)).stdout)
    shown = result_summary(journey.result.html)
    assert shown["urgency"] == expected["urgency"]
    assert shown["causes"] == [(cause["band"], cause["slug"]) for cause in expected["causes"]]
    assert "statin_started_recently" in journey.answers  # answers from both sides of the restart
