"""
Settings for the benchmarks only: the site's own settings, plus one URL with a minimal view
(``bench.urls``). Never used by the site itself, so the minimal view is not reachable there.
"""

from calfsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
