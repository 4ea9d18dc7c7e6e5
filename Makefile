# Ground Up: `make run` serves the site with demo data; `make test` runs every check.
.DEFAULT_GOAL := help
SHELL := /bin/sh

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in the emails the worker sends point at this server, wherever it
# listens; a SITE_URL in the environment (a proxy's address) wins.
SITE_URL ?= http://$(HOST):$(PORT)

# Python keeps compiled modules (__pycache__) even where the environment asks it
# not to (PYTHONDONTWRITEBYTECODE, set on some CI machines): otherwise every
# process the suite starts compiles Django, the app and the rewritten test
# modules from source again; collecting the suite took 8 s instead of 3.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help run test lint typecheck format lock check-deploy clean bench audit soak drills drill-mail

help:
	@echo "make run    serve http://$(HOST):$(PORT) with demo data (SQLite unless DATABASE_URL is set)"
	@echo "make test   ruff, mypy, then the whole pytest suite, browser tests included (PYTEST_ARGS=... for pytest)"
	@echo "make typecheck  mypy (with django-stubs) on clubsite/, members/, routines/ and bench/"
	@echo "make format rewrite the code in the house format"
	@echo "make lock   re-pin requirements*.lock after editing pyproject.toml"
	@echo "make bench  every key endpoint as a multiple of the signed-in layout (gunicorn, PostgreSQL, wrk)"
	@echo "make audit  Lighthouse, mobile, on the pages members and trainers use (Chromium, npm)"
	@echo "make soak   50 members log sets for 60 s with phones' retries: every acknowledged set stored once"
	@echo "make drills database restart, task worker stopped, gunicorn worker killed, mail server down"
	@echo "make drill-mail    the mail-server drill alone (questions, pain alerts, reminders)"

# The virtualenv is made once, with the first Python >= 3.12 that bin/find-python finds.
$(PY):
	@interpreter=$$(bin/find-python) || exit 1; \
	echo "Creating $(VENV) with $$interpreter"; \
	"$$interpreter" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Stamps record which lock the virtualenv was last installed from.
$(VENV)/.run-installed: requirements.lock | $(PY)
	$(UV) pip install --quiet --compile-bytecode --python $(PY) --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.dev-installed: requirements-dev.lock | $(PY)
	$(UV) pip install --quiet --compile-bytecode --python $(PY) --require-hashes -r requirements-dev.lock
	@touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py createcachetable
	DEBUG=true $(PY) manage.py demo
	@echo "Serving Ground Up at http://$(HOST):$(PORT)/ with its task worker (Ctrl-C stops both)"
	@# The worker sends the emails that tasks queue (questions, pain alerts); it stops with the server.
	DEBUG=true SITE_URL='$(SITE_URL)' $(PY) manage.py db_worker --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true SITE_URL='$(SITE_URL)' $(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs on both cores (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
# worksteal: a worker that runs out takes tests queued for the other, so the
# long browser tests at the end do not leave one core idle.
# PYTEST_ARGS goes to pytest as it is: `make test PYTEST_ARGS='-m "not browser"'`
# (what CI runs on SQLite), or a path to run part of the suite.
PYTEST_WORKERS ?= 2

test: $(VENV)/.dev-installed lint typecheck
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# wrk drives the load; it is installed from Debian's packages when missing.
bench: $(VENV)/.dev-installed
	@command -v wrk >/dev/null 2>&1 || bin/apt-install wrk
	$(PY) -m bench.run $(BENCH_ARGS)

audit: $(VENV)/.dev-installed
	@command -v chromium >/dev/null 2>&1 || bin/apt-install chromium
	$(PY) -m bench.audit $(AUDIT_ARGS)

# Against gunicorn and PostgreSQL on loopback (DATABASE_URL's server, 127.0.0.1:5432 by default).
soak: $(VENV)/.dev-installed
	$(PY) -m bench.soak $(SOAK_ARGS)

# The database-restart drill makes its own PostgreSQL cluster with the installed server binaries.
drills: $(VENV)/.dev-installed
	$(PY) -m bench.drills $(DRILL_ARGS)

drill-mail: $(VENV)/.dev-installed
	$(PY) -m bench.drills mail $(DRILL_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# django-stubs' plugin imports the settings, which want a secret when debug is
# off: a throwaway one, for this step only (an environment's own is kept).
typecheck: $(VENV)/.dev-installed
	SECRET_KEY="$${SECRET_KEY:-typecheck-only-not-a-secret}" $(VENV)/bin/mypy

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: | $(PY)
	$(UV) pip compile pyproject.toml --python-version 3.12 --universal --generate-hashes --quiet -o requirements.lock
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.12 --universal --generate-hashes --quiet -o requirements-dev.lock

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
