"""Production settings and the production-like run: `check --deploy` clean, SECRET_KEY required, a CSP without
inline script, login lockout, session expiry, password rules, and `make serve` (gunicorn + worker + beat on
PostgreSQL and Redis) answering and stopping as one."""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from .conftest import need
from .factories import PASSWORD, free_port, redis_answers

BASE_DIR = Path(django_settings.BASE_DIR)
PRODUCTION_ENV = {"DEBUG": "false", "SECRET_KEY": "uji-" + "x" * 60, "ALLOWED_HOSTS": "portal-zi.example.go.id"}


# Set by the test run, not by a deployment: the browser fixture's DJANGO_ALLOW_ASYNC_UNSAFE would fail --deploy.
TEST_ONLY_ENV = {"PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args, env_extra: dict, drop: tuple = ()) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in drop and k not in TEST_ONLY_ENV}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    done = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_production_refuses_to_start_without_a_secret_key():
    done = _manage("check", env_extra={"DEBUG": "false", "ALLOWED_HOSTS": "portal-zi.example.go.id"},
                   drop=("SECRET_KEY",))
    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr


def test_production_switches_follow_debug_off():
    code = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.STORAGES['staticfiles']['BACKEND'])")
    done = _manage("shell", "-c", code, env_extra=PRODUCTION_ENV)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "31536000",
                                                             "whitenoise.storage.CompressedManifestStaticFilesStorage"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


@pytest.mark.django_db
def test_every_page_sends_a_csp_without_inline_script_and_has_none(client, login, plan, assigned_target, anggota,
                                                                   ketua):
    from .factories import submit

    revision = submit(assigned_target, anggota)
    _assert_csp_clean(client, reverse("login"))  # anonymous
    login(ketua)
    pages = [reverse("home"), reverse("actionplan:plan_detail", args=[plan.pk]),
             reverse("evidence:my_tasks"), reverse("evidence:review_queue"),
             reverse("evidence:target", args=[assigned_target.pk]),
             reverse("monev:dashboard", args=[plan.pk]), reverse("monev:report_page", args=[plan.pk, 1]),
             reverse("notifications:list"), reverse("evidence:review", args=[revision.pk])]
    for url in pages:
        _assert_csp_clean(client, url)


def _assert_csp_clean(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), f"{url}: inline <script>"
    assert not INLINE_HANDLER.search(html), f"{url}: inline event handler"
    assert not INLINE_STYLE.search(html), f"{url}: inline style"


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_with_a_clear_message(client, settings, ketua):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(2):
        response = client.post(url, {"username": "ketua", "password": "salah-sekali"})
        assert response.status_code == 200 and "lockout-message" not in response.content.decode()
    locked = client.post(url, {"username": "ketua", "password": "salah-sekali"})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Akun dikunci sementara" in page and "Terlalu banyak percobaan masuk yang gagal (3 kali)" in page
    assert "30 menit" in page
    # Locked means locked: even the right password is refused until the cool-off ends.
    again = client.post(url, {"username": "ketua", "password": PASSWORD})
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    # Another user from the same address is not locked (username + IP together).
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("anggota_x", password=PASSWORD)
    other = client.post(url, {"username": "anggota_x", "password": PASSWORD})
    assert other.status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, settings, ketua):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(2):
        client.post(url, {"username": "ketua", "password": "salah"})
    assert client.post(url, {"username": "ketua", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(2):
        assert client.post(url, {"username": "ketua", "password": "salah"}).status_code == 200


def test_sessions_expire_and_weak_passwords_are_refused():
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    for weak in ("pendek", "1234567890", "password123"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("zona-integritas-lumajang")


# -- make serve: the production-like run --------------------------------------------------------------------------

def _get(url: str, timeout: float = 2, headers: dict | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            if headers is not None:
                headers.update(response.headers)
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def _postgres_answers() -> bool:
    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2):
            return True
    except psycopg.Error:
        return False


@pytest.mark.postgres
@pytest.mark.redis
def test_make_serve_runs_gunicorn_worker_and_beat_and_stops_them_together(tmp_path):
    need("PostgreSQL", _postgres_answers(), "PostgreSQL must answer at 127.0.0.1:5432 (user postgres, trust)")
    need("Redis", redis_answers("redis://127.0.0.1:6379/12"), "Redis must answer at 127.0.0.1:6379")
    venv = Path(sys.executable).parent.parent
    need("gunicorn", (venv / "bin" / "gunicorn").exists(), "installed from requirements.txt")
    database = f"zi_serve_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    port = free_port()
    # What a person types: no DEBUG, SECRET_KEY or HTTPS switches — serve.sh makes the loopback defaults.
    env = {k: v for k, v in os.environ.items()
           if k not in TEST_ONLY_ENV | {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"}}
    env.update(VENV=str(venv), DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
               REDIS_URL="redis://127.0.0.1:6379/12", GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2",
               CELERY_CONCURRENCY="1", SERVE_RUN_DIR=str(tmp_path / "run"), STATIC_ROOT=str(tmp_path / "static"),
               MEDIA_ROOT=str(tmp_path / "media"))
    log_path = tmp_path / "serve.log"
    serve = subprocess.Popen(["bash", "deploy/serve.sh"], cwd=BASE_DIR, env=env, stdout=open(log_path, "wb"),
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline:
            assert serve.poll() is None, log_path.read_text()[-4000:]
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert status == 200 and body.strip() == "ok", log_path.read_text()[-4000:]

        headers: dict = {}
        status, login_page = _get(f"http://127.0.0.1:{port}{reverse('login')}", headers=headers)
        assert status == 200 and "Masuk" in login_page
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        status, missing = _get(f"http://127.0.0.1:{port}/tidak-ada/")
        assert status == 404 and "URLconf" not in missing  # DEBUG is off: no technical page
        assert (tmp_path / "run" / "secret_key").stat().st_mode & 0o077 == 0  # made once, readable by us only
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', login_page)
        assert css, "collectstatic made hashed file names for whitenoise"
        assert _get(f"http://127.0.0.1:{port}{css.group(1)}")[0] == 200

        # The worker answers a task sent through Redis; beat is up with its pid file.
        from celery import Celery

        probe = Celery("probe", broker="redis://127.0.0.1:6379/12", backend="redis://127.0.0.1:6379/12")
        assert probe.send_task("monev.tasks.requeue_renders").get(timeout=60) == 0
        pidfile = tmp_path / "run" / "celerybeat.pid"
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        beat_pid = int(pidfile.read_text())
        os.kill(beat_pid, 0)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        redis.Redis.from_url("redis://127.0.0.1:6379/12").flushdb()
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    log = log_path.read_text()
    assert "serve: stopping" in log
    with pytest.raises(OSError):  # nothing listens any more
        _get(f"http://127.0.0.1:{port}/healthz", timeout=1)
    with pytest.raises(ProcessLookupError):
        os.kill(beat_pid, 0)


def test_the_client_address_comes_from_the_proxy_header_only_behind_the_proxy(rf, settings):
    from actionplan.audit import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"  # a client cannot choose the address it is recorded under
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"


@pytest.mark.django_db
def test_authenticate_without_a_request_passes_by_the_lockout_but_the_login_page_does_not(client, settings, ketua):
    from django.contrib.auth import authenticate

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    assert authenticate(username="ketua", password=PASSWORD) == ketua  # a command or the shell: no address
    for _ in range(2):
        client.post(reverse("login"), {"username": "ketua", "password": "salah"})
    assert client.post(reverse("login"), {"username": "ketua", "password": PASSWORD}).status_code == 429
    assert client.login(username="ketua", password=PASSWORD)  # the test client's login has no request either


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["x" * 1_000_000, "ketua\x00", "ke\x00tua" + "y" * 300])
def test_a_junk_username_is_a_failed_login_not_an_error(client, settings, ketua, username):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    response = client.post(reverse("login"), {"username": username, "password": "salah"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert all(len(a.username) <= 150 and "\x00" not in a.username for a in AccessAttempt.objects.all())
