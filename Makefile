# The README's source of truth. `make run` and `make test` are the whole quick start.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Test-tier environment: the suite runs from a bare shell, these are test-only values.
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PYTEST := $(VENV)/bin/pytest
PORT ?= 8000
# The unit and service tiers run on every core (pytest-xdist), each worker taking the next
# test as it frees up (worksteal: the long bad-input walks no longer leave a core idle at
# the end); the real-worker and browser tests one at a time.
XDIST ?= -n auto --dist worksteal
# The compiled catalogues, built from locale/*/LC_MESSAGES/django.po by GNU msgfmt.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: help install messages system-deps run worker beat serve migrate seed lint typecheck fmt check-migrations \
	test test-unit test-services test-browser check-deploy bench bench-web bench-pdf clean

help:
	@echo "make run    - install, migrate, load the demo business and serve http://127.0.0.1:8000"
	@echo "make test   - install, lint, check migrations, run every test tier"
	@echo "make worker - start a Celery worker (needs CELERY_BROKER_URL or REDIS_URL)"
	@echo "make bench  - run the web and PDF benchmarks (see bench/README.md)"

$(STAMP): requirements-dev.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP) messages

messages: $(MO)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else echo "Please install gettext (sudo apt-get install gettext)"; exit 1; fi; }
	msgfmt --check -o $@ $<

# Debian packages the browser and PDF tiers need (Chromium, poppler) and WeasyPrint's Pango
# and HarfBuzz's subsetter (without it WeasyPrint falls back to the slower fontTools).
# Installed only when missing, and only where we may (root); otherwise say what to install.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Please install these Debian packages:$$missing (sudo apt-get install$$missing)"; \
	  fi; \
	fi

migrate: install
	mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

run: seed
	@echo ""
	@echo "ClientReview is starting on http://127.0.0.1:$(PORT)"
	@echo "  owner login: owner@example.com / clientreview-demo"
	@echo "  staff login: staff@example.com / clientreview-demo"
	@echo ""
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: install
	$(VENV)/bin/celery -A clientreview worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A clientreview beat --loglevel=INFO

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy, strict on the pure domain modules listed in pyproject.toml.
typecheck: install
	SECRET_KEY=check $(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: install
	mkdir -p var
	SECRET_KEY=check $(PY) manage.py makemigrations --check --dry-run

# Tier 1: the whole suite on SQLite, Celery in-process. Needs no service (the PDF tests
# read what they render with poppler's pdftotext, hence system-deps).
test-unit: install system-deps
	$(PYTEST) $(XDIST) -m "not integration and not browser"

# Tier 2: the suite again on PostgreSQL and Redis, plus the integration tests that run a
# real Celery worker. Skipped when the services are unreachable, unless
# CLIENTREVIEW_REQUIRE_SERVICES=1 (as in CI), which makes that a failure.
test-services: install system-deps
	@if $(PY) -m tests.services_up "$(PG_URL)" "$(REDIS_TEST_URL)"; then \
	  export DATABASE_URL="$(PG_URL)" CELERY_BROKER_URL="$(REDIS_TEST_URL)" REDIS_URL="$(REDIS_TEST_URL)"; \
	  $(PYTEST) $(XDIST) -m "not browser and not integration" && $(PYTEST) -m integration; \
	elif [ "$$CLIENTREVIEW_REQUIRE_SERVICES" = 1 ]; then \
	  echo "PostgreSQL or Redis is unreachable and CLIENTREVIEW_REQUIRE_SERVICES=1"; exit 1; \
	else \
	  echo "Skipping the PostgreSQL/Redis tier: services unreachable"; \
	fi

# Tier 3: the main journeys in headless Chromium.
test-browser: install system-deps
	$(PYTEST) -m browser

test: install lint typecheck check-migrations test-unit test-services test-browser

check-deploy: install
	DEBUG=0 SECRET_KEY="$$(openssl rand -hex 40)" ALLOWED_HOSTS=clientreview.example.com \
	  CSRF_TRUSTED_ORIGINS=https://clientreview.example.com \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: bench-pdf bench-web

bench-pdf: install system-deps
	$(PY) bench/pdf.py

bench-web: install system-deps
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "Please install wrk (sudo apt-get install wrk)"; exit 1; fi; }
	$(PY) bench/web.py

clean:
	rm -rf var/test .pytest_cache
