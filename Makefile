# Sourcemark: `make run` to use it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-js serve setup migrate seed lint format bench load mutation browser nodejs clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

migrate: setup
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py import_articles seeds/ --manifest seeds/manifest.csv
	$(PY) manage.py ensure_demo_user

# The dev server and one background worker beside it (URL fetches from the
# New article page and the API). The worker stops with the server: Ctrl+C
# reaches both, and the trap ends the worker if the server stops on its
# own. The worker does not reload on code changes (a reloaded worker can
# outlive the trap); restart `make run` after changing a task.
run: seed
	@echo "Sourcemark on http://$(HOST):$(PORT)/ with one background worker  (Ctrl+C stops both)"
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production: gunicorn (config/gunicorn.py) with DEBUG off, static files
# through whitenoise, migrations applied first. docs/deploy.md has the rest.
# URL fetches need at least one worker besides: on this machine or any
# other with the same code, settings and DATABASE_URL, run
#   DEBUG=0 .venv/bin/python manage.py db_worker --no-reload
# as a service (docs/deploy.md has a systemd unit); run more of them, on
# more machines, for more fetches at once: they share the queue, and each
# fetch runs once.
serve: setup
	@test -n "$$SECRET_KEY" || { echo "make serve: set SECRET_KEY to a long random string (docs/deploy.md)" >&2; exit 2; }
	@test -n "$$DATABASE_URL" || { echo "make serve: set DATABASE_URL, e.g. postgres://user:password@127.0.0.1:5432/sourcemark (docs/deploy.md)" >&2; exit 2; }
	@test -n "$$ALLOWED_HOSTS" || { echo "make serve: set ALLOWED_HOSTS to the host names the site answers to, e.g. sourcemark.example.org (docs/deploy.md)" >&2; exit 2; }
	DEBUG=0 $(PY) manage.py migrate --noinput
	DEBUG=0 $(PY) manage.py collectstatic --noinput
	@echo "make serve: URL fetches also need a worker: DEBUG=0 $(PY) manage.py db_worker --no-reload (docs/deploy.md, \"Workers\")"
	@echo "make serve: followed feeds are polled by DEBUG=0 $(PY) manage.py poll_feeds, from cron or a systemd timer (docs/deploy.md, \"Feeds\")"
	DEBUG=0 HOST=$(HOST) PORT=$(PORT) exec $(VENV)/bin/gunicorn --config config/gunicorn.py config.wsgi

# Debian's chromium for the real-browser tests; never a browser download.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# Debian's nodejs for the browser modules' unit tests: Node's own test
# runner, no npm packages.
nodejs:
	@command -v node >/dev/null 2>&1 || { \
	  echo "Installing Debian's nodejs for the JavaScript tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs >/dev/null; }

# The shell's glob names the files: given a folder, Node 18 (Debian's) and
# 20 search it for tests but Node 21 and later try to run the folder itself,
# and Node before 21 does not expand globs. A glob that matches nothing
# reaches node as it is, and node fails.
NODE_TEST := node --test --test-reporter=spec tests/js/*.test.mjs

test: $(VENV)/.installed-dev browser nodejs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(NODE_TEST)
	$(PY) -m pytest $(PYTEST_ARGS)

test-js: nodejs
	$(NODE_TEST)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.installed-dev
	$(PY) bench/export.py
	$(PY) bench/workspace.py
	$(PY) bench/agreement.py
	$(PY) bench/reanchor.py
	$(PY) bench/reports.py --quick
	$(PY) bench/ingest.py
	$(PY) bench/bulk_import.py

# Many reviewers at once under gunicorn; PostgreSQL too when LOAD_POSTGRES_URL
# names a database made for it (its name must contain "bench").
load: $(VENV)/.installed-dev
	$(PY) bench/load.py

# Mutation testing of annotate/rules/ and annotate/permissions.py (mutmut,
# configured in pyproject.toml, one pass each: tools/mutation.py), then each
# module's score against the bar in tools/mutation_score.py. Slow (tens of
# minutes on two cores), so not part of `make test`. Afterwards
# `$(VENV)/bin/mutmut show NAME` shows a mutant.
mutation: $(VENV)/.installed-dev
	rm -rf mutants
	HYPOTHESIS_PROFILE=mutation $(PY) tools/mutation.py rules
	HYPOTHESIS_PROFILE=mutation $(PY) tools/mutation.py permissions
	$(PY) tools/mutation_score.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache mutants
