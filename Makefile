# Portal ZI — the front door. A newcomer needs two targets: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1:8000

.PHONY: setup run migrate demo reminders worker serve prod-check test test-postgres lint bench load clean

setup: $(VENV)/.installed node_modules/.installed  ## create .venv, install Python and npm packages

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: setup
	$(PY) manage.py migrate --noinput

# The embedded demo (`make demo`, `make run`): DEBUG off unless DEBUG=true is set, so people see the pages (and the
# error pages) a real installation shows; DEMO_MODE=true is the explicit flag that lets seed_demo and
# make_demo_certificate run with DEBUG off (never set in production). Plain HTTP on loopback: no HTTPS redirect, no
# Secure cookies, no HSTS. A secret key is made once in var/run/ (sessions survive a restart). Static files are
# served by whitenoise straight from their folders (no collectstatic: compressing every file takes a minute on a
# busy machine). Everything else is the embedded default: SQLite, local media/, Celery tasks in-process, e-mail to
# the console.
DEMO_SECRET := var/run/demo_secret_key
DEMO_ENV = DEMO_MODE=true DEBUG="$${DEBUG:-false}" \
	SECRET_KEY="$${SECRET_KEY:-$$(cat $(DEMO_SECRET))}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" SESSION_COOKIE_SECURE="$${SESSION_COOKIE_SECURE:-false}" \
	CSRF_COOKIE_SECURE="$${CSRF_COOKIE_SECURE:-false}" SECURE_HSTS_SECONDS="$${SECURE_HSTS_SECONDS:-0}" \
	PORTAL_BASE_URL="$${PORTAL_BASE_URL:-http://$(HOST)}" \
	STATICFILES_BACKEND="$${STATICFILES_BACKEND:-django.contrib.staticfiles.storage.StaticFilesStorage}" \
	WHITENOISE_USE_FINDERS="$${WHITENOISE_USE_FINDERS:-true}"

$(DEMO_SECRET):
	mkdir -p $(dir $@)
	umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

demo: setup $(DEMO_SECRET)  ## import the seed plan and the demo people once, make the demo signing certificate (idempotent)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	test -f var/signing/demo-signing.p12 || $(DEMO_ENV) $(PY) manage.py make_demo_certificate

run: demo  ## the portal on the embedded default (SQLite, local media, eager tasks), DEBUG off unless DEBUG=true
	@echo "Portal ZI: http://$(HOST)/  (masuk sebagai ketua / zi-demo-2019; DEBUG=$${DEBUG:-false})"
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST)

reminders: migrate  ## the daily reminder sweep without Redis (what cron would run)
	$(PY) manage.py send_reminders

worker: setup  ## a Celery worker with beat (needs REDIS_URL)
	$(VENV)/bin/celery -A zi_portal worker --beat --loglevel=info

serve: setup  ## gunicorn + Celery worker + beat on the local PostgreSQL and Redis (deploy/serve.sh); Ctrl-C stops all
	VENV=$(VENV) deploy/serve.sh

# `check --deploy` under production settings; fails on any warning. Uses SECRET_KEY and ALLOWED_HOSTS from the
# environment when set, else a throw-away key and an example host.
prod-check: setup  ## Django's deployment checklist with DEBUG off, no warnings allowed
	DEBUG=false \
	SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-portal-zi.example.go.id}" \
	$(PY) manage.py check --deploy --fail-level WARNING

test: setup  ## the whole test suite (DATABASE_URL=postgres://… to run it on PostgreSQL)
	$(PY) -m pytest

test-postgres: setup
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/zi_test $(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

bench: setup  ## every benchmark script (benchmarks/_*.py are their helpers); `make load` is the HTTP load test
	@for f in benchmarks/[!_]*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

load: setup  ## gunicorn (2 workers) on PostgreSQL with 20 units under wrk: req/s, p50/p99, errors (benchmarks/load.sh)
	VENV=$(VENV) bash benchmarks/load.sh

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
