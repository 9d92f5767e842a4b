"""The reminder job end to end on a real Celery worker and a real Redis (database 15, kept for tests).

The worker runs in a thread of the test process (`celery.contrib.testing.worker.start_worker`), so it uses the
test database: the tests are transactional (`django_db(transaction=True)`) so the worker's connection sees the
committed data — on SQLite the test database is Django's shared-cache in-memory database, which every
connection of the process opens. E-mail goes to the locmem outbox, which the worker thread shares.
With CI=true a Redis that does not answer fails these tests instead of skipping them.
"""
import datetime
import socket
import threading
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult
from celery.schedules import crontab
from celery.signals import task_postrun, task_retry
from django.core import mail
from django.utils import timezone

from actionplan.models import Target
from actionplan.services import assignments_set
from notifications.models import EmailStatus, Notification
from notifications.tasks import daily_reminders, send_notification_email
from zi_portal.celery import app as celery_app

from .conftest import need
from .factories import redis_answers

JAKARTA = ZoneInfo("Asia/Jakarta")
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database number of its own: flushed by these tests


def test_beat_runs_daily_reminders_at_07_00_jakarta_time():
    entry = celery_app.conf.beat_schedule["daily-reminders"]
    assert entry["task"] == daily_reminders.name == "notifications.tasks.daily_reminders"
    assert entry["schedule"] == crontab(hour=7, minute=0)
    assert celery_app.conf.timezone == "Asia/Jakarta"
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({7}, {0})
    schedule.app = celery_app
    yesterday_run = datetime.datetime(2019, 2, 24, 7, 0, tzinfo=JAKARTA)
    with time_machine.travel(datetime.datetime(2019, 2, 25, 6, 59, tzinfo=JAKARTA), tick=False):
        assert schedule.remaining_estimate(yesterday_run) == datetime.timedelta(minutes=1)


def _forget_connections(app) -> None:
    """Drop the broker pool and result backend the app cached under the previous configuration (the eager
    default of the other tests), so the next use connects with the current one."""
    app._pool = None  # kombu keeps the pool itself (per broker URL) for the next user
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@pytest.fixture
def on_redis():
    """The app configured as production is — Redis broker and result backend, not eager — for one test."""
    need("Redis", redis_answers(REDIS_URL), f"a Redis server must answer at {REDIS_URL} (apt-get install redis-server)")
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    _forget_connections(celery_app)
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _forget_connections(celery_app)
        broker.flushdb()


class TaskLog:
    """What the worker did, told by Celery's own signals (sent in the worker thread). The test thread waits on
    this instead of polling the database while the worker writes: SQLite's shared in-memory database answers
    "table is locked" to a reader that overlaps a writer."""

    def __init__(self):
        self.finished: list[tuple[str, object]] = []  # (task name, return value)
        # (notification id, email status, email error, retry countdown) as the worker saw them at each retry
        self.retries: list[tuple[int, str, str, float]] = []
        self._changed = threading.Condition()

    def on_postrun(self, sender=None, retval=None, **kwargs):
        with self._changed:
            self.finished.append((sender.name, retval))
            self._changed.notify_all()

    def on_retry(self, sender=None, request=None, reason=None, **kwargs):
        status, error = Notification.objects.values_list("email_status", "email_error").get(pk=request.args[0])
        with self._changed:
            self.retries.append((request.args[0], status, error, reason.when))
            self._changed.notify_all()

    def sent(self) -> int:
        return sum(1 for name, value in self.finished if name == send_notification_email.name and value is True)

    def wait(self, condition, *, timeout: float = 60, what: str = "") -> None:
        with self._changed:
            if not self._changed.wait_for(condition, timeout=timeout):
                raise AssertionError(f"timed out waiting for {what}; tasks so far: {self.finished}")


@contextmanager
def running_worker():
    """A worker thread consuming from Redis (solo pool, like one worker process), with its TaskLog."""
    log = TaskLog()
    task_postrun.connect(log.on_postrun, weak=False)
    task_retry.connect(log.on_retry, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield log
    finally:
        task_postrun.disconnect(log.on_postrun)
        task_retry.disconnect(log.on_retry)


def _dated(target: Target, due: datetime.date) -> Target:
    """The target moved to `due` by a person: confirmed, since the seed plan's year (2019) is not today's and an
    unconfirmed date outside the plan year is neither late nor reminded of (actionplan.models.overdue_q)."""
    Target.objects.filter(pk=target.pk).update(due_date=due, year=due.year, semester=1 if due.month <= 6 else 2,
                                               date_confirmed_at=timezone.now())
    target.refresh_from_db()
    return target


@pytest.fixture
def world(plan, first_target, anggota, anggota_other, ketua, kepala):
    """Three targets of the seed plan moved around today's date (the job runs for the real today, as beat
    would): due in 3 days (Anggota), due yesterday (Anggota lain), 7 days late (Anggota)."""
    for user in (anggota, anggota_other, ketua, kepala):
        user.email = f"{user.username}@lumajang.example.go.id"
        user.save(update_fields=["email"])
    others = list(Target.objects.filter(step__indicator__subcomponent__component__plan=plan)
                  .exclude(step=first_target.step).order_by("step_id").distinct()[:40])
    second = others[0]
    third = next(t for t in others if t.step_id != second.step_id)
    today = timezone.localdate()
    soon = _dated(first_target, today + datetime.timedelta(days=3))
    late = _dated(second, today - datetime.timedelta(days=1))
    escalated = _dated(third, today - datetime.timedelta(days=7))
    assignments_set(step=soon.step, users=[anggota], actor=ketua)
    assignments_set(step=late.step, users=[anggota_other], actor=ketua)
    assignments_set(step=escalated.step, users=[anggota], actor=ketua)
    return {"soon": soon, "late": late, "escalated": escalated}


def _mails() -> list[tuple[str, str]]:
    return sorted((m.to[0].split("@")[0], m.subject.split(":")[0]) for m in mail.outbox)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_beat_job_through_redis_sends_exactly_the_reminders_the_rules_call_for(on_redis, world):
    with running_worker() as log:
        result = daily_reminders.apply_async()  # what beat sends at 07:00: no arguments, today in Asia/Jakarta
        summary = AsyncResult(result.id, app=celery_app).get(timeout=60)
        assert summary["today"] == timezone.localdate().isoformat()
        assert summary["created"] == {"before_3": 1, "overdue": 2, "escalation": 3}
        assert summary["queued"] == 6
        log.wait(lambda: log.sent() == 6, what="six e-mails sent by the worker")

        again = AsyncResult(daily_reminders.apply_async().id, app=celery_app).get(timeout=60)  # beat fires twice
        assert again["created"] == {} and again["queued"] == again["requeued"] == 0

    assert _mails() == sorted([
        ("anggota", "[Portal ZI] Pengingat H-3"),
        ("anggota_lain", "[Portal ZI] Terlambat"), ("ketua", "[Portal ZI] Terlambat"),
        ("anggota", "[Portal ZI] Eskalasi"), ("ketua", "[Portal ZI] Eskalasi"), ("kepala", "[Portal ZI] Eskalasi"),
    ])
    assert Notification.objects.count() == 6
    assert Notification.objects.filter(email_status=EmailStatus.SENT, email_attempts=1).count() == 6
    assert sorted(Notification.objects.filter(target=world["escalated"]).values_list("recipient__username",
                                                                                      flat=True)) == \
        ["anggota", "kepala", "ketua"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_keeps_a_failed_mail_for_a_retry_with_backoff_and_the_retry_sends_it(on_redis, world, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 5
    Target.objects.filter(pk__in=[world["late"].pk, world["escalated"].pk]).update(due_date=None, year=None,
                                                                                   semester=None)
    with running_worker() as log:
        AsyncResult(daily_reminders.apply_async().id, app=celery_app).get(timeout=60)
        log.wait(lambda: log.retries, what="the first attempt failing and a retry being scheduled")
        notification_id = log.retries[0][0]
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
        # The scheduled retry waits up to a minute (exponential back-off with jitter); the same task delivered
        # again — as after a worker restart — is the later attempt that sends. Whichever comes first sends; the
        # other finds the row claimed and sends nothing.
        send_notification_email.delay(notification_id)
        log.wait(lambda: log.sent() == 1, what="a later attempt that sends the mail")

    _id, status, error, countdown = log.retries[0]
    assert status == EmailStatus.RETRYING and "ConnectionRefusedError" in error
    assert 0 <= countdown <= 60  # retry_backoff=60: the first retry within a minute
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.SENT and notification.email_error == ""
    assert notification.email_attempts == len(log.retries) + 1
    assert [m.to for m in mail.outbox] == [["anggota@lumajang.example.go.id"]]
