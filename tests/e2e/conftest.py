"""Browser tests share the Playwright fixtures of tests/conftest.py (one browser per run)."""
