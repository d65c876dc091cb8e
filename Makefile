# The two commands: `make run` (set up and serve on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/sh
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
# Lighthouse for the browser tests (package-lock.json); the site itself needs no Node.
NODE_STAMP := node_modules/.installed-$(shell cksum < package-lock.json | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := DEBUG=true
TEST_ENV := CALFCHECK_TESTING=true DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run install test lint format check-deploy bench serve loadtest clean cases

$(BIN)/python:
	@PY=$$(scripts/find-python) && echo "Using $$PY" && "$$PY" -m venv $(VENV)

$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for the browser tests: on Debian, apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_content
	@echo "Serving the self-check on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite runs in PYTEST_WORKERS processes (pytest-xdist; 0: in pytest's own process).
PYTEST_WORKERS ?= 2
test: lint $(NODE_STAMP)
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The clinical figures of the safety-case library against the shipped content, on a SQLite
# database made afresh from fixtures/ (so edits in a local db.sqlite3 do not count). Exit status
# 1 if any emergency or urgent case is under-triaged.
CASES_DB := $(CURDIR)/.cases.sqlite3
cases: install
	@rm -f $(CASES_DB)
	$(DEV_ENV) DATABASE_URL=sqlite:///$(CASES_DB) $(BIN)/python manage.py migrate --noinput -v0
	$(DEV_ENV) DATABASE_URL=sqlite:///$(CASES_DB) $(BIN)/python manage.py seed_content -v0
	$(DEV_ENV) DATABASE_URL=sqlite:///$(CASES_DB) $(BIN)/python manage.py cases

# Production: nginx on HOST:PORT reading each request whole, gunicorn behind it on a Unix
# socket, whitenoise serving compressed, hashed static files (deploy/serve.py). Needs nginx and
# at least SECRET_KEY and ALLOWED_HOSTS (and DATABASE_URL for PostgreSQL): see "Running in
# production".
serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_content
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python deploy/serve.py

# locust, headless: 100 simulated people doing whole journeys for 60 s against gunicorn on
# PostgreSQL (a database of its own). PEOPLE, DURATION, THINK, BROWSERS change the run.
loadtest: install
	$(BIN)/python bench/loadtest.py

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache

# Performance figures (docs/performance.md): rules service, queries per page, what a journey
# costs the server, journeys an hour (locust as a library), weight and memory, on a SQLite
# database of its own. Prints figures with PASS/MISS; not part of `make test`. The BENCH_*
# variables of docs/performance.md change the runs.
BENCH_DB := sqlite:///$(CURDIR)/bench/bench.sqlite3
bench: install
	$(DEV_ENV) DATABASE_URL=$(BENCH_DB) $(BIN)/python manage.py migrate --noinput -v0
	$(DEV_ENV) DATABASE_URL=$(BENCH_DB) $(BIN)/python manage.py seed_content -v0
	@echo "calfcheck benchmarks, $$(date -u '+%Y-%m-%d %H:%M UTC'), $$(uname -srm)," \
		"$$(nproc) CPUs, $$($(BIN)/python -c 'import platform; print(platform.python_version())')"
	@grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: /CPU: /' || true
	$(DEV_ENV) DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/rules.py
	$(DEV_ENV) DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/queries.py
	BENCH_DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/pages.py
