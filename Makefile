# The two commands a newcomer needs: `make run` and `make test` (see README.md).
# Everything else here is what those two are made of.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast install install-dev assets lint format migrate seed messages clean bench loadtest

# Set up everything (virtualenv, packages, front-end assets, database, demo data)
# and serve the portal in its embedded mode: SQLite, eager Celery, console e-mail.
run: install assets
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  ECHRI Exchange is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite. Uses PostgreSQL, Redis and Chromium when DATABASE_URL, REDIS_URL
# and a chromium binary are there; REQUIRE_SERVICES=1 makes their absence a failure.
# It runs on TEST_WORKERS processes (pytest-xdist), each with a test database and Redis
# databases of its own (README.md, "Tests"); TEST_WORKERS=0 runs it in this one.
TEST_WORKERS ?= 2
test: install-dev assets
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The everyday loop: everything but the tests marked slow (a browser, a live server, a
# Celery worker, fuzzing, deployment, bench data: tests/conftest.py says which).
test-fast: install-dev assets
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files make the installs run again only when the declarations change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
assets: node_modules/.installed

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache

# Refresh the French and Spanish catalogues from the code and templates, then compile
# them (needs GNU gettext). Both the .po and the compiled .mo are committed, so that
# `make run` works without gettext; tests/portal/test_translations.py fails on any
# string left untranslated.
messages: install
	$(BIN)/python manage.py makemessages -l fr -l es --no-obsolete --ignore ".venv/*" --ignore "node_modules/*" --ignore "tests/*" --ignore "bench/*"
	$(BIN)/python manage.py compilemessages -l fr -l es --ignore ".venv/*" --ignore "node_modules/*"

# Benchmarks and the load test (README.md, "Performance"): PostgreSQL only, named by
# DATABASE_URL (its server; they make databases of their own, bench_*, and drop them).
# `make bench` prints one table and writes bench/results/<date>.json; `make loadtest`
# runs gunicorn, a Celery worker, beat and locust on 127.0.0.1 (Redis database 6).
bench: install-dev assets
	@case "$$DATABASE_URL" in postgres*|pgsql*) ;; *) echo "make bench needs PostgreSQL: set DATABASE_URL=postgres://USER@HOST:5432/postgres (SQLite, the embedded mode, is not what production runs)"; exit 2;; esac
	$(BIN)/python bench/run.py $(BENCH_ARGS)

loadtest: install-dev assets
	@case "$$DATABASE_URL" in postgres*|pgsql*) ;; *) echo "make loadtest needs PostgreSQL: set DATABASE_URL=postgres://USER@HOST:5432/postgres"; exit 2;; esac
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)
