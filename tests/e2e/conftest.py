"""
Browser tests share the Playwright fixtures of tests/conftest.py (one browser per run), and
those that need the site as `make serve` runs it share one such stack.
"""

import pytest

from tests.servers import shared_site


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """nginx and gunicorn (deploy/serve.py) on the run's PostgreSQL site, up for the whole run."""
    site = shared_site(tmp_path_factory.mktemp("served"))
    stack = site.start_stack(workers=2)
    yield stack
    stack.stop()
