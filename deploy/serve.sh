#!/usr/bin/env bash
# Portal ZI on the local services: gunicorn + one Celery worker + the one Celery beat, stopped together on Ctrl-C.
# Called by `make serve`. Settings come from the environment (or .env); the defaults below make a production-like
# run on this machine: DEBUG off, the local PostgreSQL and Redis, and — unless BEHIND_PROXY says nginx terminates
# TLS in front — plain HTTP on loopback (no HTTPS redirect, cookies not marked Secure). Without SECRET_KEY a
# random one is made once and kept in SERVE_RUN_DIR, so sessions survive a restart. Production sets SECRET_KEY,
# ALLOWED_HOSTS and BEHIND_PROXY=true itself (README, "Production").
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
export DEBUG=${DEBUG:-false}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/zi_portal}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
BIND=${GUNICORN_BIND:-127.0.0.1:8000}
WORKERS=${GUNICORN_WORKERS:-2}
TIMEOUT=${GUNICORN_TIMEOUT:-120}  # big evidence uploads and downloads stream through the workers
CELERY_CONCURRENCY=${CELERY_CONCURRENCY:-2}
RUN_DIR=${SERVE_RUN_DIR:-var/run}
mkdir -p "$RUN_DIR"

if [ -z "${SECRET_KEY:-}" ] && ! grep -qs '^SECRET_KEY=' .env; then
  if [ ! -s "$RUN_DIR/secret_key" ]; then
    (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$RUN_DIR/secret_key")
  fi
  SECRET_KEY=$(cat "$RUN_DIR/secret_key")
  export SECRET_KEY
fi
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
if [ "${BEHIND_PROXY:-false}" != "true" ]; then
  echo "serve: plain HTTP on $BIND (no TLS in front: set BEHIND_PROXY=true behind nginx, deploy/nginx.conf)"
  export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
  export SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-false}
  export CSRF_COOKIE_SECURE=${CSRF_COOKIE_SECURE:-false}
  export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
fi

case "$DATABASE_URL" in
  postgres://*@127.0.0.1:5432/zi_portal|postgres://*@localhost:5432/zi_portal)
    createdb -h 127.0.0.1 -U postgres zi_portal 2>/dev/null || true ;;
esac
"$VENV/bin/python" manage.py migrate --noinput
"$VENV/bin/python" manage.py collectstatic --noinput --verbosity 0

pids=()
stop() {
  trap - INT TERM EXIT
  echo "serve: stopping ${pids[*]:-}"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop INT TERM EXIT

"$VENV/bin/gunicorn" zi_portal.wsgi:application --no-control-socket --bind "$BIND" --workers "$WORKERS" \
  --timeout "$TIMEOUT" --access-logfile - --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" &
pids+=($!)
"$VENV/bin/celery" -A zi_portal worker --loglevel=info --concurrency "$CELERY_CONCURRENCY" &
pids+=($!)
# Exactly one beat per installation: it only queues the periodic jobs; workers on any machine run them.
"$VENV/bin/celery" -A zi_portal beat --loglevel=info --schedule "$RUN_DIR/celerybeat-schedule" \
  --pidfile "$RUN_DIR/celerybeat.pid" &
pids+=($!)

echo "serve: gunicorn on http://$BIND (workers=$WORKERS), celery worker and beat; Ctrl-C stops all three"
# Stop everything as soon as one of the three exits, so a crashed part is not hidden behind the others.
wait -n
