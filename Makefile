# The two commands: `make run` (set up and serve on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/sh
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := DEBUG=true
TEST_ENV := CALFCHECK_TESTING=true DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run install test lint format check-deploy bench serve loadtest clean

$(BIN)/python:
	@PY=$$(scripts/find-python) && echo "Using $$PY" && "$$PY" -m venv $(VENV)

$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

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

test: lint
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# Production: gunicorn with whitenoise serving compressed, hashed static files. Needs at least
# SECRET_KEY and ALLOWED_HOSTS (and DATABASE_URL for PostgreSQL): see "Running in production".
serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_content
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn --config calfsite/gunicorn.conf.py calfsite.wsgi

# 100 simulated people doing whole journeys for 60 s against gunicorn on PostgreSQL.
loadtest: install
	$(BIN)/python scripts/loadtest.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

bench: install
	$(DEV_ENV) DATABASE_URL=sqlite:///$(CURDIR)/bench/bench.sqlite3 $(BIN)/python manage.py migrate --noinput -v0
	$(DEV_ENV) DATABASE_URL=sqlite:///$(CURDIR)/bench/bench.sqlite3 $(BIN)/python manage.py seed_content -v0
	$(DEV_ENV) DATABASE_URL=sqlite:///$(CURDIR)/bench/bench.sqlite3 $(BIN)/python bench/rules.py
