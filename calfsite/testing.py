"""A pytest plugin (loaded with -p in pyproject.toml) that sets test switches before Django
reads its settings."""

import os

os.environ.setdefault("CALFCHECK_TESTING", "true")
# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
