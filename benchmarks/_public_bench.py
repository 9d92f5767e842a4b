"""Benchmark: the public transparency page (public:unit) and its JSON (public:unit_data) against the framework
floor, then a wrk run with production settings.

Part 1 (in-process, Django test client, whole middleware stack, no network): for the seed unit (demo data) and for
the same unit with a 50× plan (every step copied 49 times with its targets, as benchmarks/dashboard.py does), the
median server time of the page and of the JSON computed from scratch ("cold": the cache cleared before every
request) and served from the page cache ("cached": the usual case, PUBLIC_CACHE_SECONDS), the median of a trivial
anonymous view through the same middleware (the floor), their ratio and the query counts.
Aims: cached ≤ 2× the floor, cold ≤ 10× the floor.

Part 2 (skipped without wrk; `apt-get install -y wrk`): gunicorn (2 workers) with production settings (DEBUG off,
hashed static files, the cache in Redis DB 7) on PostgreSQL (database zi_issue11, dropped and re-created) with the
demo data; wrk with 8 connections for DURATION seconds on the page and on the JSON: requests/s, p50, p99, errors.
The rate limit is switched off for this run (PUBLIC_RATE_LIMIT=0): one address sends every request.
Aim: p99 < 100 ms, no errors.

    .venv/bin/python benchmarks/public.py [--runs 30] [--duration 10] [--no-wrk]

(The code is here, in _public_bench.py: a script named public.py would be imported in place of the app.)
"""
import argparse
import importlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _django import BASE_DIR, median_ms, setup
from dashboard import add_evidence, grow

# This folder holds public.py: off the front of the path, so that `import public` (INSTALLED_APPS) is the app.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
sys.path.insert(0, str(BASE_DIR))
importlib.import_module("public")  # the app, cached before anything can find public.py here instead

SLUG = "dispendukcapil-lumajang"
PAGES = {"page": f"/publik/{SLUG}/", "json": f"/publik/{SLUG}/data.json"}


def measure(client, url, runs, *, cold=False):
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def once():
        if cold:
            cache.clear()
        assert client.get(url).status_code == 200, url

    once()
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        once()
    return median_ms(once, runs), len(ctx.captured_queries)


def in_process(runs: int) -> None:
    setup()
    from django.test import Client, override_settings

    from actionplan.models import Plan, Target

    plan = Plan.objects.get()
    add_evidence(plan)
    client = Client()
    rows = []
    with override_settings(ROOT_URLCONF="_public_floor_urls", PUBLIC_RATE_LIMIT=0):
        for label in ("seed plan", "50x plan"):
            if label == "50x plan":
                grow(plan, 49)
            targets = Target.objects.filter(step__indicator__subcomponent__component__plan=plan).count()
            floor_ms, floor_q = measure(client, "/_public_floor/", runs)
            for name, url in PAGES.items():
                for mode in ("cold", "cached"):
                    ms, q = measure(client, url, max(5, runs // 3) if mode == "cold" and "50x" in label else runs,
                                    cold=mode == "cold")
                    rows.append((label, name, mode, targets, ms, floor_ms, ms / floor_ms, q, floor_q))
    print(f"{'plan':<10} {'what':<5} {'cache':<7} {'targets':>8} {'ms':>8} {'floor ms':>9} {'ratio':>6} "
          f"{'queries':>8} {'floor q':>8}")
    for label, name, mode, targets, ms, floor_ms, ratio, q, floor_q in rows:
        print(f"{label:<10} {name:<5} {mode:<7} {targets:>8} {ms:>8.1f} {floor_ms:>9.2f} {ratio:>6.1f} {q:>8} "
              f"{floor_q:>8}")
    print("aim: cached <= 2x the floor, cold <= 10x; queries the same for both plans")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk_run(duration: int) -> None:
    if not shutil.which("wrk"):
        print("wrk: not installed (apt-get install -y wrk); skipped")
        return
    python = sys.executable
    work = Path(tempfile.mkdtemp(prefix="zi-public-wrk-"))
    db = "zi_issue11"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zi_portal.settings", "DEBUG": "false",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}", "REDIS_URL": "redis://127.0.0.1:6379/7",
           "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
           "SECURE_HSTS_SECONDS": "0", "MEDIA_ROOT": str(work / "media"), "STATIC_ROOT": str(work / "static"),
           "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
           "LOG_LEVEL": "WARNING", "PUBLIC_RATE_LIMIT": "0", "DEMO_PASSWORD": secrets.token_urlsafe(12)}
    env.pop("BENCH_DATABASE_URL", None)
    run = lambda *a, **kw: subprocess.run(a, cwd=BASE_DIR, env=kw.pop("env", env), check=True,  # noqa: E731
                                          stdout=subprocess.DEVNULL, **kw)
    run("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", db)
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", db)
    server = None
    try:
        run(python, "manage.py", "migrate", "--noinput", "-v0")
        run(python, "manage.py", "seed_demo", env={**env, "DEBUG": "true"})  # refuses with DEBUG off
        run(python, "manage.py", "collectstatic", "--noinput", "-v0")
        run(python, "-c", "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()", env["REDIS_URL"])
        port = _free_port()
        gunicorn = str(Path(python).with_name("gunicorn"))
        server = subprocess.Popen([gunicorn, "zi_portal.wsgi:application", "--no-control-socket", "--bind",
                                   f"127.0.0.1:{port}", "--workers", "2", "--error-logfile",
                                   str(work / "gunicorn.log")], cwd=BASE_DIR, env=env)
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        print(f"\nwrk: gunicorn 2 workers, production settings, PostgreSQL + Redis, 8 connections x {duration} s")
        print(f"{'what':<5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, path in PAGES.items():
            urllib.request.urlopen(base + path, timeout=10).read()  # fill the cache
            out = subprocess.run(["wrk", "-t1", "-c8", f"-d{duration}s", "--latency", "--timeout", "5s",
                                  base + path], capture_output=True, text=True, check=True).stdout
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            p50 = _ms(re.search(r"50%\s+(\S+)", out).group(1))
            p99 = _ms(re.search(r"99%\s+(\S+)", out).group(1))
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
            errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
            print(f"{name:<5} {rps:>8.0f} {p50:>8.1f} {p99:>8.1f} {errors:>7}")
        print("aim: p99 < 100 ms at 8 connections, 0 errors")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", db],
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--no-wrk", action="store_true")
    args = parser.parse_args()
    if not args.no_wrk:  # first: part 1 configures Django in this process
        wrk_run(args.duration)
    in_process(args.runs)


if __name__ == "__main__":
    main()
