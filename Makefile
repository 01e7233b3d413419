# The two commands: `make run` (demo on SQLite) and `make test` (the whole suite, in parallel).
# While developing: `make test-fast` (the fast tests only, in parallel, no lint).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The demo's port; also the default SITE_URL and PUBLIC_SITE_URL (jps/settings.py), so every link made
# (emails, the public site's alert links) points at the server `make run` starts: `make run PORT=8080`.
PORT ?= 8000
export PORT
# pytest-xdist workers for `make test` and `make test-fast`: `auto` is one per CPU; `TEST_WORKERS=0` runs in
# one process. Each worker has its own test database (test_<name>_gw0, _gw1...) and, when REDIS_URL is
# set, its own Redis database: the one REDIS_URL names plus the worker's number (tests/parallel.py).
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist worksteal

.PHONY: run test test-fast install install-dev lint typecheck demo frontend browser screenshots audit fuzz bench load lighthouse

# What running needs (requirements.txt), for `make run`; the test tools (requirements-dev.txt: pytest,
# mypy, bandit, playwright, schemathesis...) come on top, for `make test` and the other developer targets.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Front-end assets (govuk-frontend, htmx, Leaflet, axe-core from npm) built into frontend/static/dist/.
# package.json's dependencies are what the build needs (all `make run` installs); its devDependencies are
# measuring tools (Lighthouse), installed on top for `make lighthouse`.
node_modules/.installed: package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund
	touch $@

node_modules/.dev-installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/.installed $@

frontend/static/dist/.built: node_modules/.installed frontend/build.mjs publicsite/assets/public_site.css $(shell find frontend/static_src -type f)
	node frontend/build.mjs
	touch $@

frontend: frontend/static/dist/.built

browser:
	./scripts/ensure_browser.sh

install: $(VENV)/.installed frontend

install-dev: install $(VENV)/.dev-installed

# load_demo publishes nothing while it loads; the public site is then published once, in full. The static
# files are collected as production collects them (fingerprinted, compressed), and `run` serves those with a
# year's caching (STATIC_MANIFEST=1, jps/settings.py), DEBUG on or not.
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --password "$${DEMO_PASSWORD:-demo-password-2026}"
	$(PY) manage.py publish_site --full
	STATIC_MANIFEST=1 $(PY) manage.py collectstatic --noinput --clear -v 0

run: demo
	STATIC_MANIFEST=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Lighthouse scores (performance, accessibility, best practices) of "My work", a problem page and a public
# page as the demo serves them, in Debian's Chromium; on demand, not in `make test` (docs/performance.md).
lighthouse: install node_modules/.dev-installed browser
	PY=$(PY) bench/lighthouse.sh

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Static security scan: fails on any medium or high finding.
audit: install-dev
	$(VENV)/bin/bandit -q -r jps api tasks frontend publicsite -x '*/migrations/*' -ll

typecheck: install-dev
	$(VENV)/bin/mypy jps api frontend tasks publicsite

# The whole suite (lint, types, security scan, then every test with coverage), split over TEST_WORKERS.
test: install-dev lint typecheck audit browser
	$(VENV)/bin/pytest $(XDIST) --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

# The tests not marked `slow` (tests/conftest.py marks browser, real-worker, fault-injection, backup and
# fuzz tests), in parallel, without lint or coverage: the quick loop while developing. `make test` runs all.
test-fast: install-dev
	$(VENV)/bin/pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# Deep fuzzing, on demand (not in CI, which runs the same tests with few examples in `make test`):
# schemathesis with JPS_FUZZ_EXAMPLES examples per API operation and role, and the workflow fuzz with 5x as many.
fuzz: install-dev
	JPS_FUZZ_EXAMPLES=$${JPS_FUZZ_EXAMPLES:-200} $(VENV)/bin/pytest -p no:cacheprovider \
		tests/api/test_schemathesis.py tests/jps/test_workflow_fuzz.py $(PYTEST_ARGS)

# Refresh docs/screenshots/ from the browser tests (they take them on every run, into a temporary folder).
screenshots: install-dev browser
	JPS_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

# Benchmarks against a bench database (DATABASE_URL=postgres://.../jps_bench; bench/generate.py fills it).
bench: install-dev
	$(PY) bench/run.py $(BENCH_ARGS)

# Load test: locust (bench/requirements.txt, installed here only) against gunicorn on loopback.
$(VENV)/.load-installed: bench/requirements.txt $(VENV)/.dev-installed
	$(PY) -m pip install -q -r bench/requirements.txt
	touch $@

load: install-dev frontend $(VENV)/.load-installed
	PY=$(PY) bench/load.sh
