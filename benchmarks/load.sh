#!/usr/bin/env bash
# Load test: gunicorn (2 sync workers) on PostgreSQL with a generated 20-unit data set, loaded with wrk on loopback.
#
# Builds a fresh database (LOAD_DB, dropped and re-created) and media folder, migrates, makes the data set through
# the real services (benchmarks/_load_data.py), collects static files, starts gunicorn with production settings
# (DEBUG off, hashed static names, django-axes on, the cache in Redis) on 127.0.0.1:<free port>, logs in through
# the login page as a Ketua Tim and an Anggota, then loads each page for DURATION seconds:
#   dashboard  monev:dashboard of unit 1's plan as of 2019-07-01 (Ketua Tim; served from the shared figure cache)
#   tasks      evidence:my_tasks, "Tugas saya" (Anggota)
#   download   evidence:download of one of the Anggota's evidence PDFs (FILE_KB KiB)
# and prints per page: requests/s, p50 and p99 latency, errors (any non-2xx response — a redirect to the login
# page included — plus socket errors and timeouts), the server's CPU time per request (gunicorn, PostgreSQL) and how
# busy the machine was, by us and by everything else ("rest": other users of the machine, wrk, Redis).
# Aim: zero errors everywhere, dashboard p99 < 250 ms. wrk keeps CONNECTIONS requests in flight all the time, so the
# two workers are saturated and latency ≈ CONNECTIONS / throughput.
# Exit status 1 when a page had errors or the dashboard missed the aim. Everything started is stopped and removed
# on exit (KEEP=1 keeps the database and the work folder for a look afterwards).
#
#   bash benchmarks/load.sh                       # 3 × 30 s
#   DURATION=10 CONNECTIONS=4 bash benchmarks/load.sh
#
# Knobs: DURATION (s, 30), CONNECTIONS (8), THREADS (wrk threads, 1: the server needs the two cores), WARMUP (s, 3),
# WRK_TIMEOUT (5s), UNITS (20), FILE_KB (64), WORKERS (2), LOAD_DB (zi_load), PGHOST/PGPORT/PGUSER
# (127.0.0.1/5432/postgres), DB_OPTIONS (query string added to DATABASE_URL, e.g. conn_max_age=600; empty: as
# deploy/serve.sh), REDIS_DB (14: a database number used by nothing else, flushed before and after), PAGES
# ("dashboard tasks download"), VENV (.venv), KEEP (0).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-3}
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}
UNITS=${UNITS:-20}
FILE_KB=${FILE_KB:-64}
WORKERS=${WORKERS:-2}
LOAD_DB=${LOAD_DB:-zi_load}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB_OPTIONS=${DB_OPTIONS:-}
REDIS_DB=${REDIS_DB:-14}
PAGES=${PAGES:-dashboard tasks download}
VENV=${VENV:-.venv}
KEEP=${KEEP:-0}
AIM_P99_MS=250
PY="$VENV/bin/python"
export PGHOST PGPORT PGUSER

log() { echo "load: $*" >&2; }

if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y wrk >/dev/null 2>&1 ||
    { $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; }
fi

# -- production-like settings, shared by the data builder and the server -------------------------------------------
export DJANGO_SETTINGS_MODULE=zi_portal.settings
export DEBUG=false
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$LOAD_DB${DB_OPTIONS:+?$DB_OPTIONS}"
export REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB"
# Plain HTTP on loopback: no redirect to https, cookies sent without TLS.
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
# Hashed static names from a manifest as in production; Django's own manifest storage, because whitenoise's
# compressed variant spends half a minute compressing files that this test never requests (pages are the same).
export STATICFILES_BACKEND=django.contrib.staticfiles.storage.ManifestStaticFilesStorage
export LOG_LEVEL=WARNING
LOAD_PASSWORD=${LOAD_PASSWORD:-load-$("$PY" -c "import secrets; print(secrets.token_urlsafe(12))")}
export LOAD_PASSWORD

WORK=$(mktemp -d -t zi-load-XXXXXX)
export MEDIA_ROOT="$WORK/media" STATIC_ROOT="$WORK/static"
GUNICORN_PID=""
FINISHED=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [ "$FINISHED" = 0 ] && [ -s "$WORK/gunicorn.log" ]; then
    log "gunicorn log (last lines):"; tail -n 30 "$WORK/gunicorn.log" >&2
  fi
  "$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL" 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then
    log "kept database $LOAD_DB and $WORK"
  else
    dropdb --if-exists --force "$LOAD_DB" 2>/dev/null || true
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL"
log "database $LOAD_DB (fresh), $UNITS units, media and static in $WORK"
PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists --force "$LOAD_DB"
createdb "$LOAD_DB"
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" benchmarks/_load_data.py --out "$WORK/urls.env" --units "$UNITS" --file-kb "$FILE_KB"
# shellcheck disable=SC1091
. "$WORK/urls.env"
"$PY" manage.py collectstatic --noinput --verbosity 0

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$VENV/bin/gunicorn" zi_portal.wsgi:application --no-control-socket --bind "127.0.0.1:$PORT" \
  --workers "$WORKERS" --timeout 120 --error-logfile "$WORK/gunicorn.log" &
GUNICORN_PID=$!
for i in $(seq 150); do
  curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { log "gunicorn exited"; exit 2; }
  [ "$i" -lt 150 ] || { log "no answer from $BASE/healthz in 30 s"; exit 2; }
  sleep 0.2
done
log "gunicorn on $BASE, $WORKERS workers (pid $GUNICORN_PID)"

# -- log in through the login page (CSRF token, django-axes, the real password hasher) -----------------------------
login() {  # login USERNAME → prints the session cookie header value
  local jar="$WORK/cookies-$1" form token status
  form=$(curl -fsS --max-time 10 -c "$jar" -b "$jar" "$BASE/masuk/")
  token=$(sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' <<<"$form" | head -n 1)
  status=$(curl -sS --max-time 10 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=$1" \
    --data-urlencode "password=$LOAD_PASSWORD" "$BASE/masuk/")
  [ "$status" = 302 ] || { log "login of $1 answered $status, not the redirect after a login"; exit 2; }
  awk '$6 == "sessionid" { print "sessionid=" $7 }' "$jar"
}
KETUA_COOKIE=$(login "$KETUA_USER")
ANGGOTA_COOKIE=$(login "$ANGGOTA_USER")
[ -n "$KETUA_COOKIE" ] && [ -n "$ANGGOTA_COOKIE" ] || { log "no session cookie after login"; exit 2; }

# wrk counts only 4xx/5xx as "Non-2xx or 3xx responses"; here every non-2xx is an error (302 to the login page too).
cat >"$WORK/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0; redirects = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if status >= 300 and status < 400 then redirects = redirects + 1 end
  end
end
function done(summary, latency, requests)
  local non2xx, redirects = 0, 0
  for _, t in ipairs(threads) do non2xx = non2xx + t:get("non2xx"); redirects = redirects + t:get("redirects") end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f non2xx=%d redirects=%d socket=%d timeouts=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, non2xx, redirects,
    e.connect + e.read + e.write, e.timeout))
end
LUA

# CPU ticks: machine busy and total (/proc/stat), gunicorn (master and workers), PostgreSQL (every process of the
# server, all databases, plus the exited backends the postmaster has reaped). Read-only.
proc_ticks() {  # proc_ticks [--children] PID... → utime+stime (and cutime+cstime) summed
  local with_children=0; [ "$1" = --children ] && { with_children=1; shift; }
  for p in "$@"; do sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null || true; done |
    awk -v c="$with_children" '{ t += $12 + $13; if (c) t += $14 + $15 } END { print t + 0 }'
}
cpu_sample() {
  local machine gunicorn postgres
  # user nice system [idle iowait] irq softirq steal (guest time is already inside user)
  machine=$(awk '/^cpu / { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat)
  # shellcheck disable=SC2046
  gunicorn=$(proc_ticks "$GUNICORN_PID" $(pgrep -P "$GUNICORN_PID"))
  # shellcheck disable=SC2046
  postgres=$(( $(proc_ticks $(pgrep -x postgres)) + $(proc_ticks --children "$(pgrep -o -x postgres)") \
               - $(proc_ticks "$(pgrep -o -x postgres)") ))
  echo "$machine $gunicorn $postgres"
}
HZ=$(getconf CLK_TCK)

page_path() {
  case $1 in dashboard) echo "$DASHBOARD_PATH" ;; tasks) echo "$TASKS_PATH" ;; download) echo "$FILE_PATH" ;;
    *) log "unknown page $1 (PAGES: dashboard tasks download)"; exit 2 ;; esac
}
page_cookie() { case $1 in dashboard) echo "$KETUA_COOKIE" ;; *) echo "$ANGGOTA_COOKIE" ;; esac; }

# One authenticated request first: a wrong set-up fails here instead of as 30 s of errors.
for page in $PAGES; do
  out=$(curl -sS --max-time 30 -o "$WORK/check-$page" -w '%{http_code} %{size_download}' \
    -H "Cookie: $(page_cookie "$page")" "$BASE$(page_path "$page")")
  [ "${out%% *}" = 200 ] || { log "$page: $BASE$(page_path "$page") answered ${out%% *}, not 200"; exit 2; }
  if [ "$page" = download ] && [ "${out##* }" != "$FILE_BYTES" ]; then
    log "download: ${out##* } bytes, expected $FILE_BYTES"; exit 2
  fi
done

log "machine: $(nproc) cores; load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
summary=()
status=0
for page in $PAGES; do
  url="$BASE$(page_path "$page")"
  header="Cookie: $(page_cookie "$page")"
  [ "$WARMUP" = 0 ] || wrk -t1 -c2 -d"${WARMUP}s" -H "$header" "$url" >/dev/null
  echo "== $page: $url, $DURATION s, $CONNECTIONS connections, $THREADS wrk thread(s)"
  read -r m0 t0 g0 p0 <<<"$(cpu_sample)"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout "$WRK_TIMEOUT" --latency -H "$header" \
    -s "$WORK/count.lua" "$url" | tee "$WORK/wrk-$page.txt"
  read -r m1 t1 g1 p1 <<<"$(cpu_sample)"
  load=$(cut -d' ' -f1 /proc/loadavg)
  line=$(grep '^RESULT ' "$WORK/wrk-$page.txt") || { log "$page: wrk printed no result"; exit 2; }
  declare -A r=()
  for kv in ${line#RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  errors=$((r[non2xx] + r[socket] + r[timeouts]))
  # Server CPU per request (ms) and how busy the machine was, ours and everything else (wrk, Redis, other users).
  cpu=$(awk -v hz="$HZ" -v n="${r[requests]}" -v g=$((g1 - g0)) -v p=$((p1 - p0)) -v m=$((m1 - m0)) \
    -v t=$((t1 - t0)) \
    'BEGIN { n = n > 0 ? n : 1; t = t > 0 ? t : 1
             printf "cpu/request: gunicorn %.1f ms, postgres %.1f ms; machine busy %.0f%% (rest %.0f%%)",
                    g * 1000 / hz / n, p * 1000 / hz / n, 100 * m / t, 100 * (m - g - p) / t }')
  verdict=""
  if [ "$page" = dashboard ]; then
    if [ "$errors" -eq 0 ] && awk -v p="${r[p99]}" -v aim="$AIM_P99_MS" 'BEGIN { exit !(p < aim) }'; then
      verdict="  aim (0 errors, p99 < $AIM_P99_MS ms): met"
    else
      verdict="  aim (0 errors, p99 < $AIM_P99_MS ms): NOT MET"; status=1
    fi
  fi
  [ "$errors" -eq 0 ] || status=1
  fmt='%-9s %6s req/s  p50 %6s ms  p99 %6s ms  errors %s (non-2xx %s, of them 3xx %s; socket %s; timeouts %s)%s'
  # shellcheck disable=SC2059
  summary+=("$(printf "$fmt" "$page" "${r[rps]}" "${r[p50]}" "${r[p99]}" "$errors" "${r[non2xx]}" "${r[redirects]}" \
    "${r[socket]}" "${r[timeouts]}" "$verdict")")
  summary+=("$(printf '          %s requests; %s; load average %s' "${r[requests]}" "$cpu" "$load")")
  unset r
done

echo
echo "== summary: $UNITS units, gunicorn $WORKERS workers, wrk $THREADS thread(s) × $CONNECTIONS connections" \
  "× $DURATION s, $(nproc) cores${DB_OPTIONS:+, DATABASE_URL ?$DB_OPTIONS}"
printf '%s\n' "${summary[@]}"
FINISHED=1
exit "$status"
