"""Faults of the real parts: Redis stopped and started again, a worker process killed in the middle of a task.

Redis here is a private `redis-server` that these tests start on a free port and stop (not the machine's shared
one, which other tests and programs use). The worker that is killed is a real `celery worker` process (prefork
pool) on PostgreSQL: it must see the test's committed data from another process, which SQLite's in-memory test
database cannot give. With CI=true a missing redis-server or PostgreSQL fails these tests.
"""
import datetime
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import time_machine
from celery.result import AsyncResult
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actionplan.models import Membership
from evidence.models import Revision, RevisionStatus
from monev import services as monev_services
from monev.models import Report
from notifications.models import EmailStatus, Notification
from notifications.tasks import reminders_run
from zi_portal.celery import app as celery_app

from .conftest import need
from .factories import free_port, pdf_bytes
from .test_reminders_celery import (
    _forget_connections,
    running_worker,
    world,  # noqa: F401 — a fixture, used by name
)

REDIS_SERVER = shutil.which("redis-server")


class PrivateRedis:
    """A redis-server of this test's own, which the test may stop and start again on the same port."""

    def __init__(self, workdir: Path):
        self.port, self.workdir, self.proc = free_port(), workdir, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return
            except redis.exceptions.RedisError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.proc = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.exceptions.RedisError:
            return False


@pytest.fixture
def private_redis(tmp_path, settings):
    """The portal configured as production is (Redis broker, result backend and cache; tasks not eager), on a
    private Redis that the test can stop."""
    need("redis-server", REDIS_SERVER is not None, "apt-get install redis-server")
    server = PrivateRedis(tmp_path)
    server.start()
    settings.CACHES = {"default": {"BACKEND": "zi_portal.lib.cache.TolerantRedisCache", "LOCATION": server.url,
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url=server.url, result_backend=server.url, task_always_eager=False)
    _forget_connections(celery_app)
    try:
        yield server
    finally:
        celery_app.conf.update(saved)
        _forget_connections(celery_app)
        server.stop()


def _upload(client, target, text="SK Tim ZI"):
    return client.post(reverse("evidence:upload", kwargs={"target_id": target.pk}), {
        "files": [SimpleUploadedFile("sk-tim.pdf", pdf_bytes(text), content_type="application/pdf")],
        "description": text, "document_date": "2019-02-20"})


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_uploads_reviews_and_the_dashboard_work_while_redis_is_down(private_redis, client, plan, assigned_target,
                                                                    anggota, ketua):
    private_redis.stop()
    assert not private_redis.answers()

    client.force_login(anggota)
    assert _upload(client, assigned_target).status_code == 302
    revision = Revision.objects.get(target=assigned_target)
    assert revision.status == RevisionStatus.SUBMITTED and revision.files.count() == 1

    client.force_login(ketua)
    response = client.post(reverse("evidence:review", kwargs={"revision_id": revision.pk}),
                           {"decision": "accept", "note": "Lengkap"})
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.ACCEPTED

    dashboard = client.get(reverse("monev:dashboard", kwargs={"plan_id": plan.pk}))
    assert dashboard.status_code == 200  # a cache miss, not an error page
    assert "Dasbor kemajuan" in dashboard.content.decode()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_report_render_asked_for_while_redis_is_down_is_queued_again_and_done_once_it_is_back(
        private_redis, client, plan, ketua):
    private_redis.stop()
    membership = Membership.objects.get(user=ketua, unit=plan.unit)
    report = monev_services.report_start(plan=plan, semester=1, user=ketua, membership=membership)
    client.force_login(ketua)
    response = client.post(reverse("monev:report_draft", kwargs={"report_id": report.pk}))
    assert response.status_code == 302  # the request is taken; the render waits for the broker
    report.refresh_from_db()
    assert report.render_state == Report.RenderState.QUEUED and not report.draft_pdf

    private_redis.start()
    with running_worker() as log:
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6), tick=True):
            assert AsyncResult(celery_app.send_task("monev.tasks.requeue_renders").id,
                               app=celery_app).get(timeout=60) == 1
        log.wait(lambda: any(name == "monev.tasks.render_report" for name, _ in log.finished),
                 what="the re-queued render")
    report.refresh_from_db()
    assert report.render_state == Report.RenderState.READY and report.draft_pdf and report.pages > 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_reminders_made_while_redis_is_down_are_mailed_once_when_it_is_back(private_redis, world):  # noqa: F811
    today = timezone.localdate()
    private_redis.stop()
    result = reminders_run(today=today)  # what cron's `send_reminders` does; the broker refuses the e-mails
    assert result.created == {"before_3": 1, "overdue": 2, "escalation": 3}
    assert mail.outbox == []
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.PENDING}

    waiting = set(Notification.objects.values_list("pk", flat=True))

    private_redis.start()
    with running_worker() as log:
        # Next morning's run re-queues the e-mails that never left (pending for longer than the stale limit),
        # besides mailing what is new that day.
        with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=True):
            again = reminders_run(today=today + datetime.timedelta(days=1))
        assert set(again.requeue_ids) == waiting
        expected = len(waiting) + len(again.email_ids)
        log.wait(lambda: log.sent() == expected, what="the waiting e-mails and the new ones")
        with time_machine.travel(timezone.now() + datetime.timedelta(days=1, hours=1), tick=True):
            third = reminders_run(today=today + datetime.timedelta(days=1))  # the same day again
        assert third.requeue_ids == [] and third.email_ids == []

    sent = Notification.objects.filter(email_status=EmailStatus.SENT)
    assert set(sent.values_list("pk", flat=True)) >= waiting
    assert len(mail.outbox) == sent.count() == expected  # each once
    assert set(sent.values_list("email_attempts", flat=True)) == {1}


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_render_whose_worker_process_is_killed_is_delivered_again_and_done_once(private_redis, tmp_path, plan,
                                                                                   ketua, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a worker in another process must see the test's data, which SQLite's "
                    "in-memory test database cannot give (CI runs this file again with DATABASE_URL=postgres://…)")
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": private_redis.url, "MEDIA_ROOT": str(settings.MEDIA_ROOT), "DEBUG": "true",
           "CELERY_TASK_ALWAYS_EAGER": "false"}
    env.pop("PYTEST_VERSION", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser fixture for the test process only
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "zi_portal", "worker", "--pool", "prefork", "--concurrency", "1",
         "--without-mingle", "--without-gossip", "--loglevel", "INFO", "--hostname", f"kill-test-{os.getpid()}@%h"],
        cwd=django_settings.BASE_DIR, env=env, stdout=open(tmp_path / "worker.log", "wb"), stderr=subprocess.STDOUT)
    try:
        membership = Membership.objects.get(user=ketua, unit=plan.unit)
        report = monev_services.report_start(plan=plan, semester=1, user=ketua, membership=membership)
        monev_services.report_request_draft(report=report, user=ketua, membership=membership)  # queued on commit

        def state():
            return Report.objects.values_list("render_state", "render_claim").get(pk=report.pk)

        deadline = time.monotonic() + 90
        while state()[0] != Report.RenderState.RENDERING:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker never started the render"
            time.sleep(0.02)
        claim = state()[1]
        children = _children(worker.pid)
        assert len(children) == 1
        os.kill(children[0], signal.SIGKILL)  # the pool process dies in the middle of WeasyPrint

        while state()[0] != Report.RenderState.READY:
            assert state()[0] != Report.RenderState.FAILED, Report.objects.get(pk=report.pk).render_error
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.1)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    log = (tmp_path / "worker.log").read_text()
    assert "WorkerLostError" in log or "exited with 'signal 9" in log, log[-3000:]
    report.refresh_from_db()
    assert report.render_claim == claim  # the same message, delivered again, finished the render
    stored = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "laporan").iterdir())
    assert stored == [Path(report.draft_pdf.name).name]  # one PDF: nothing done twice
    assert report.pages > 0 and report.draft_pdf.read()[:5] == b"%PDF-"


def test_a_killed_worker_loses_no_task_by_configuration():
    """acks_late + reject_on_worker_lost: what the kill test relies on, for every task, not just the render."""
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
    assert celery_app.conf.beat_schedule["requeue-renders"]["task"] == "monev.tasks.requeue_renders"
