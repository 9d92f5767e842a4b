"""Deadline reminders (notifications/reminders.py): who is told what and when, idempotency and catch-up, e-mail delivery
and failure, the command's contract, the notification pages, and the sweep's query count.

Time is frozen with time-machine; e-mail goes to Django's locmem outbox (pytest-django's default); Celery runs
eagerly. The SMTP failure uses the real SMTP backend against a closed port.
"""
import datetime
import io
import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplan.models import ActionStep, Assignment, Membership, Plan, Target
from actionplan.services import assignments_set
from evidence.services import revision_review
from notifications.models import EmailStatus, Notification
from notifications.reminders import reminders_sweep
from notifications.selectors import notifications_page
from notifications.tasks import send_notification_email
from zi_portal.celery import app as celery_app

from .factories import submit

JAKARTA = ZoneInfo("Asia/Jakarta")
DUE = datetime.date(2019, 2, 28)  # the assigned target of the seed plan (Tim Kerja ZI)


def day(offset: int) -> datetime.date:
    """H+offset of the assigned target's due date (H-3 is day(-3))."""
    return DUE + datetime.timedelta(days=offset)


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process here, whatever REDIS_URL the shell has."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def people(anggota, anggota_other, ketua, kepala, tpi):
    """Everyone in the unit has an e-mail address (the fixtures' people have none)."""
    for user in (anggota, anggota_other, ketua, kepala, tpi):
        user.email = f"{user.username}@lumajang.example.go.id"
        user.save(update_fields=["email"])
    return {"anggota": anggota, "anggota_other": anggota_other, "ketua": ketua, "kepala": kepala, "tpi": tpi}


@pytest.fixture
def target(plan, assigned_target, people):
    """The assigned target (due 28 Februari 2019, Anggota responsible) is the plan's only dated target, so every
    notice in a test is about it: the other targets are made 'perlu ditinjau' (no date)."""
    (Target.objects.filter(step__indicator__subcomponent__component__plan=plan).exclude(pk=assigned_target.pk)
     .update(due_date=None, year=None, semester=None))
    return assigned_target


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(date) → the output of `manage.py send_reminders` at 07:00 Jakarta time that day, e-mails sent."""
    def _run(on: datetime.date, *args) -> str:
        out = io.StringIO()
        with time_machine.travel(datetime.datetime.combine(on, datetime.time(7, 0), tzinfo=JAKARTA), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                call_command("send_reminders", *args, stdout=out)
        return out.getvalue()
    return _run


def notices(**filters) -> set[tuple[str, str]]:
    return {(n.recipient.username, n.kind) for n in Notification.objects.filter(**filters).select_related("recipient")}


def mailed() -> list[tuple[str, str]]:
    return sorted((m.to[0].split("@")[0], m.subject) for m in mail.outbox)


def last_line(output: str) -> str:
    return output.rstrip("\n").splitlines()[-1]


# -- who is told what, and when -----------------------------------------------------------------------------------

@pytest.mark.parametrize("days", [7, 3, 1])
def test_before_due_reminders_go_to_the_people_responsible_only(run, target, days):
    output = run(day(-days))

    assert notices() == {("anggota", f"before_{days}")}
    assert [m.to for m in mail.outbox] == [["anggota@lumajang.example.go.id"]]
    assert f"H-{days}" in mail.outbox[0].subject and "28 Februari 2019" in mail.outbox[0].subject
    assert last_line(output) == "sent=1"


@pytest.mark.parametrize("offset", [-8, -6, -5, -4, -2])
def test_nothing_is_sent_between_thresholds_once_the_last_one_went_out(run, target, offset):
    if offset < -7:  # before the first threshold there is nothing to send at all
        assert last_line(run(day(offset))) == "sent=0"
        return
    previous = {-6: -7, -5: -7, -4: -7, -2: -3}[offset]
    run(day(previous))
    mail.outbox.clear()

    assert last_line(run(day(offset))) == "sent=0"
    assert mail.outbox == []


def test_overdue_on_h_plus_1_adds_the_ketua_tim(run, target):
    run(day(-1))
    mail.outbox.clear()

    assert last_line(run(day(1))) == "sent=2"
    assert notices(kind="overdue") == {("anggota", "overdue"), ("ketua", "overdue")}
    assert sorted(m.to[0] for m in mail.outbox) == ["anggota@lumajang.example.go.id", "ketua@lumajang.example.go.id"]
    assert all(m.subject.startswith("[Portal ZI] Terlambat") for m in mail.outbox)


def test_escalation_on_h_plus_7_adds_the_kepala_dinas(run, target):
    run(day(1))
    for offset in range(2, 7):
        assert last_line(run(day(offset))) == "sent=0"
    mail.outbox.clear()

    assert last_line(run(day(7))) == "sent=3"
    assert notices(kind="escalation") == {("anggota", "escalation"), ("ketua", "escalation"),
                                          ("kepala", "escalation")}
    assert notices(recipient__username="tpi") == set() and notices(recipient__username="anggota_lain") == set()
    kepala_mail = next(m for m in mail.outbox if m.to[0].startswith("kepala@"))
    assert "Eskalasi" in kepala_mail.subject and "terlambat 7 hari" in kepala_mail.subject
    assert last_line(run(day(8))) == "sent=0"


def test_accepted_and_waiting_for_review_targets_get_nothing(run, target, anggota, ketua):
    revision = submit(target, anggota)
    assert last_line(run(day(-3))) == "sent=0"  # waiting for review

    revision_review(revision=revision, user=ketua, membership=Membership.objects.get(user=ketua),
                    decision="accept", note="")
    for offset in (-1, 1, 7):
        assert last_line(run(day(offset))) == "sent=0"
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_a_target_sent_back_for_revision_still_gets_reminders(run, target, anggota, ketua):
    revision = submit(target, anggota)
    revision_review(revision=revision, user=ketua, membership=Membership.objects.get(user=ketua),
                    decision="revise", note="Lampirkan SK yang sudah ditandatangani.")

    assert last_line(run(day(-3))) == "sent=1"
    assert notices() == {("anggota", "before_3")}


def test_targets_without_a_due_date_and_plans_not_active_get_nothing(run, target, plan, anggota, ketua):
    undated = Target.objects.filter(step__indicator__subcomponent__component__plan=plan, due_date=None).first()
    assignments_set(step=undated.step, users=[anggota], actor=ketua)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    assert last_line(run(day(1))) == "sent=0"

    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ACTIVE)
    run(day(1))
    assert not Notification.objects.filter(target=undated).exists()
    assert notices() == {("anggota", "overdue"), ("ketua", "overdue")}


def test_an_overdue_target_nobody_is_responsible_for_still_reaches_the_ketua_and_kepala(run, target, ketua):
    assignments_set(step=target.step, users=[], actor=ketua)
    run(day(1))
    run(day(7))
    assert notices() == {("ketua", "overdue"), ("ketua", "escalation"), ("kepala", "escalation")}


# -- idempotency and catch-up -------------------------------------------------------------------------------------

def test_running_twice_sends_nothing_the_second_time(run, target):
    assert last_line(run(day(7))) == "sent=3"
    assert len(mail.outbox) == 3

    assert last_line(run(day(7))) == "sent=0"
    assert len(mail.outbox) == 3
    assert Notification.objects.count() == 3


def test_a_missed_h_minus_3_run_is_caught_up_once_on_h_minus_2(run, target):
    run(day(-7))
    assert last_line(run(day(-2))) == "sent=1"  # the H-3 run did not happen
    assert last_line(run(day(-2))) == "sent=0"
    assert notices() == {("anggota", "before_7"), ("anggota", "before_3")}
    assert [s for _, s in mailed() if "H-3" in s] and len(mail.outbox) == 2


def test_h_minus_7_is_never_sent_after_h_minus_3(run, target):
    run(day(-3))  # the portal started on H-3: the nearest threshold only
    assert notices() == {("anggota", "before_3")}
    run(day(-2))
    assert notices() == {("anggota", "before_3")}


def test_the_h_minus_1_reminder_is_caught_up_on_the_due_date(run, target):
    run(day(-3))
    assert last_line(run(day(0))) == "sent=1"
    assert notices() == {("anggota", "before_3"), ("anggota", "before_1")}
    assert "jatuh tempo hari ini" in mail.outbox[-1].body


def test_missed_overdue_days_give_one_overdue_notice(run, target):
    assert last_line(run(day(4))) == "sent=2"  # H+1..H+3 were missed
    assert notices() == {("anggota", "overdue"), ("ketua", "overdue")}
    for offset in (5, 6):
        assert last_line(run(day(offset))) == "sent=0"


def test_a_sweep_that_missed_the_overdue_notice_sends_only_the_escalation(run, target):
    assert last_line(run(day(9))) == "sent=3"
    assert notices() == {("anggota", "escalation"), ("ketua", "escalation"), ("kepala", "escalation")}


def test_catch_up_window_bounds_how_old_a_missed_notice_may_be(run, target, settings):
    settings.REMINDER_CATCH_UP_DAYS = 30
    assert last_line(run(day(38))) == "sent=0"  # escalation day H+7 was 31 days ago
    assert last_line(run(day(37))) == "sent=3"  # 30 days after the escalation day: still caught up, once
    assert notices() == {("anggota", "escalation"), ("ketua", "escalation"), ("kepala", "escalation")}
    assert last_line(run(day(37))) == "sent=0"


def test_a_changed_due_date_gets_its_own_reminders(run, target):
    run(day(-3))
    new_due = DUE + datetime.timedelta(days=31)  # 31 Maret 2019
    Target.objects.filter(pk=target.pk).update(due_date=new_due, semester=1, year=2019)

    assert last_line(run(new_due - datetime.timedelta(days=7))) == "sent=1"
    assert set(Notification.objects.values_list("due_date", "kind")) == {(DUE, "before_3"), (new_due, "before_7")}
    assert "31 Maret 2019" in mail.outbox[-1].subject


def test_a_newly_assigned_person_gets_their_own_reminder(run, target, anggota, anggota_other, ketua):
    run(day(-3))
    assignments_set(step=target.step, users=[anggota, anggota_other], actor=ketua)

    assert last_line(run(day(-3))) == "sent=1"
    assert notices() == {("anggota", "before_3"), ("anggota_lain", "before_3")}
    assert mail.outbox[-1].to == ["anggota_lain@lumajang.example.go.id"]


def test_configured_thresholds_are_used(run, target, settings):
    settings.REMINDER_DAYS_BEFORE = [14, 2]
    assert last_line(run(day(-14))) == "sent=1"
    assert last_line(run(day(-7))) == "sent=0"
    assert last_line(run(day(-2))) == "sent=1"
    assert notices() == {("anggota", "before_14"), ("anggota", "before_2")}


# -- e-mail -------------------------------------------------------------------------------------------------------

def test_reminder_email_is_indonesian_text_and_html_with_the_target_and_a_full_link(run, target, settings):
    settings.PORTAL_BASE_URL = "https://zi.lumajangkab.go.id"
    run(day(-3))

    message = mail.outbox[0]
    step = target.step
    link = f"https://zi.lumajangkab.go.id{reverse('evidence:target', args=[target.pk])}"
    assert message.subject == "[Portal ZI] Pengingat H-3: bukti fisik jatuh tempo 28 Februari 2019"
    assert "jatuh tempo 3 hari lagi, pada 28 Februari 2019" in message.body
    for text in ("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang", step.indicator.text[:40],
                 step.description[:40], step.evidence_required[:30], link, "Penanggung jawab"):
        assert text in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html and "28 Februari 2019" in html
    assert "&amp;amp;" not in html


def test_people_without_an_email_address_get_the_notice_in_the_portal_and_are_listed_for_the_ketua(
        run, target, anggota, ketua, login):
    anggota.email = ""
    anggota.save(update_fields=["email"])

    assert last_line(run(day(-3))) == "sent=1"
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.NO_EMAIL and notification.email_attempts == 0
    assert mail.outbox == []

    page = login(ketua).get(reverse("notifications:list")).content.decode()
    assert 'id="without-email"' in page and "Anggota" in page
    page = login(anggota).get(reverse("notifications:list")).content.decode()
    assert 'id="without-email"' not in page
    assert "Tanpa alamat e-mail" in page  # their own notice says it was not mailed


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smtp_failure_keeps_the_notification_as_failed_and_a_later_retry_sends_it(run, target, settings, login,
                                                                                  anggota):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 5

    assert last_line(run(day(-3))) == "sent=1"  # the notice exists even though its mail could not go out
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.FAILED
    assert notification.email_sent_at is None
    assert notification.email_attempts == 1  # eager: no worker to retry later, the next daily sweep re-queues it
    assert "ConnectionRefusedError" in notification.email_error
    page = login(anggota).get(reverse("notifications:list")).content.decode()
    assert f'data-notification="{notification.pk}"' in page and "Gagal" in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
    assert last_line(run(day(-2))) == "sent=0"  # no new notice, but the failed mail is re-queued and sent
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT and notification.email_error == ""
    assert notification.email_sent_at is not None
    assert [m.to for m in mail.outbox] == [["anggota@lumajang.example.go.id"]]

    send_notification_email.delay(notification.pk)  # a duplicate task finds it claimed and sends nothing
    assert len(mail.outbox) == 1


def test_the_email_task_sends_a_failed_mail_when_retried(run, target, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 5
    run(day(-3))
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.FAILED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_notification_email.delay(notification.pk).get() is True
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT and len(mail.outbox) == 1


# -- the command ----------------------------------------------------------------------------------------------

def test_send_reminders_prints_a_summary_per_kind_and_ends_with_sent_n(run, target, anggota_other, ketua):
    assignments_set(step=target.step, users=[target.step.assignments.get().user, anggota_other], actor=ketua)
    output = run(day(9))  # any day: --today decides

    assert output.endswith("\n") and last_line(output) == "sent=4"
    assert "Eskalasi ke Kepala Dinas: 4" in output
    assert last_line(run(day(9))) == "sent=0"


def test_send_reminders_today_option_decides_the_day(run, target):
    output = run(datetime.date(2024, 1, 1), "--today", day(-7).isoformat())
    assert "Pengingat untuk 2019-02-21" in output and "Pengingat H-7: 1" in output
    assert last_line(output) == "sent=1"
    assert Notification.objects.get().notice_date == day(-7)


def test_send_reminders_refuses_a_bad_date(target):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--today", "31-02-2019", stdout=io.StringIO())


def test_daily_reminders_task_uses_todays_date_in_jakarta(target, django_capture_on_commit_callbacks):
    from notifications.tasks import daily_reminders

    # 00:30 in Jakarta is still the previous day in UTC: the task must use the Jakarta date (H-3).
    with time_machine.travel(datetime.datetime(2019, 2, 25, 0, 30, tzinfo=JAKARTA), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            result = daily_reminders.delay().get()
    assert result["today"] == "2019-02-25" and result["created"] == {"before_3": 1}
    assert len(mail.outbox) == 1


# -- pages --------------------------------------------------------------------------------------------------------

def test_notifications_page_lists_newest_first_with_unread_highlighted_and_a_link_to_the_target(
        run, target, anggota, login):
    run(day(-7))
    run(day(-3))
    older, newer = Notification.objects.order_by("created_at")
    Notification.objects.filter(pk=older.pk).update(read_at=older.created_at)

    response = login(anggota).get(reverse("notifications:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(f'data-notification="{newer.pk}"') < page.index(f'data-notification="{older.pk}"')
    assert f'data-notification="{newer.pk}" data-unread' in page
    assert f'data-notification="{older.pk}" data-unread' not in page
    assert reverse("evidence:target", args=[target.pk]) in page
    assert "H-3" in page and "28 Februari 2019" in page
    assert 'id="nav-notifications"' in page and ">1</span>" in page  # the unread badge in the menu


def test_marking_one_and_all_notifications_read(run, target, anggota, login):
    run(day(-7))
    run(day(-3))
    first, second = Notification.objects.order_by("created_at")
    client = login(anggota)

    response = client.post(reverse("notifications:read", kwargs={"notification_id": first.pk}))
    assert response.status_code == 302 and response.url == reverse("notifications:list")
    assert Notification.objects.filter(read_at__isnull=True).get() == second

    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_answers_404_and_stays_unread(run, target, ketua, outsider, login):
    run(day(-3))
    notification = Notification.objects.get()
    url = reverse("notifications:read", kwargs={"notification_id": notification.pk})

    for user in (ketua, outsider):
        assert login(user).post(url).status_code == 404
    login(ketua).post(reverse("notifications:read_all"))  # marks only the ketua's own (none)
    notification.refresh_from_db()
    assert notification.read_at is None
    page = login(ketua).get(reverse("notifications:list")).content.decode()
    assert f'data-notification="{notification.pk}"' not in page


@pytest.mark.parametrize("name, kwargs, method", [
    ("notifications:list", {}, "get"),
    ("notifications:read", {"notification_id": 1}, "post"),
    ("notifications:read_all", {}, "post"),
])
def test_notification_pages_need_a_login(client, db, name, kwargs, method):
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and reverse("login") in response.url


def test_mark_read_endpoints_refuse_get(login, anggota):
    client = login(anggota)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert client.get(reverse("notifications:read", kwargs={"notification_id": 1})).status_code == 405


def test_notifications_page_uses_the_same_queries_for_3_and_30_notifications(run, target, anggota, login):
    run(day(-3))  # one real notice, then copies of it on other due dates (bulk: the page is measured)
    template = Notification.objects.get()

    def fill(n):
        have = Notification.objects.count()
        Notification.objects.bulk_create([
            Notification(target=template.target, due_date=DUE - datetime.timedelta(days=have + i),
                         recipient=template.recipient, kind=template.kind, recipient_role=template.recipient_role,
                         notice_date=template.notice_date, run_id=template.run_id, created_at=template.created_at)
            for i in range(n - have)])

    client = login(anggota)
    client.get(reverse("notifications:list"))  # the session exists before measuring

    def load():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notifications:list")).status_code == 200
        return len(ctx.captured_queries)

    fill(3)
    small = load()
    fill(30)
    assert Notification.objects.count() == 30
    assert load() == small


# -- set-based sweep ----------------------------------------------------------------------------------------------

def _steps_due(plan, people, n: int, due: datetime.date) -> None:
    """n extra action steps of the plan, each with one target due `due` and two people responsible (bulk)."""
    indicator = plan.components.first().subcomponents.first().indicators.first()
    steps = ActionStep.objects.bulk_create([ActionStep(indicator=indicator, order=100 + i, description=f"Langkah {i}")
                                            for i in range(n)])
    targets = [Target.for_date(step, due) for step in steps]
    for target in targets:  # outside the plan year a date counts (and is reminded of) once a person confirmed it
        if target.year != plan.year:
            target.date_confirmed_at = timezone.now()
    Target.objects.bulk_create(targets)
    Assignment.objects.bulk_create([Assignment(step=step, user=user) for step in steps for user in people])


def test_a_sweep_runs_the_same_number_of_queries_for_a_small_and_a_10x_larger_set(plan, people):
    anggota = people["anggota"]
    today = datetime.date(2021, 6, 15)  # far from the seed plan's 2019 dates: only the steps made here are due
    # 2 targets due in 3 days and 1 overdue by 7 days (Anggota; Ketua and Kepala join the escalation), then 10×.
    # The sizes keep the insert in one statement: SQLite takes at most 999 parameters per INSERT in Django 5.2,
    # so beyond 66 new notifications bulk_create adds one statement per chunk (PostgreSQL: always one).
    _steps_due(plan, [anggota], 2, today + datetime.timedelta(days=3))
    _steps_due(plan, [anggota], 1, today - datetime.timedelta(days=7))
    with CaptureQueriesContext(connection) as small:
        small_result = reminders_sweep(today=today)

    Notification.objects.all().delete()
    _steps_due(plan, [anggota], 18, today + datetime.timedelta(days=3))
    _steps_due(plan, [anggota], 9, today - datetime.timedelta(days=7))
    with CaptureQueriesContext(connection) as large:
        large_result = reminders_sweep(today=today)

    assert (small_result.total, large_result.total) == (5, 50)
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_create_each_notice_once(plan, people):
    """Two OS processes sweep the same day on PostgreSQL at the same moment: each notice is created by exactly
    one of them (ON CONFLICT DO NOTHING on the unique key, rows told apart by run_id)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so nothing would run concurrently "
                    "(CI runs this file again with DATABASE_URL=postgres://…)")
    today = datetime.date(2021, 6, 15)  # far from the seed plan's 2019 dates: only the steps made here are due
    _steps_due(plan, [people["anggota"], people["anggota_other"]], 200, today + datetime.timedelta(days=3))
    _steps_due(plan, [people["anggota"]], 200, today - datetime.timedelta(days=7))

    s = connection.settings_dict
    url = f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@{s['HOST'] or '127.0.0.1'}" \
          f":{s['PORT'] or 5432}/{s['NAME']}"
    go = Path(os.environ.get("TMPDIR", "/tmp")) / f"zi-reminders-go-{os.getpid()}-{time.monotonic_ns()}"
    script = textwrap.dedent(f"""
        import datetime, os, sys, time
        from pathlib import Path
        import django
        django.setup()
        from django.db import connection
        from notifications.reminders import reminders_sweep
        connection.ensure_connection()
        print("ready", flush=True)
        while not Path({str(go)!r}).exists():
            time.sleep(0.001)
        result = reminders_sweep(today=datetime.date.fromisoformat({today.isoformat()!r}))
        print(result.total, flush=True)
    """)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "zi_portal.settings",
           "LOG_LEVEL": "WARNING"}
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, cwd=Path(__file__).parent.parent,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        go.touch()
        outputs = [proc.communicate(timeout=120) for proc in procs]
    finally:
        go.unlink(missing_ok=True)
        for proc in procs:
            proc.kill()
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    created = [int(out.strip()) for out, _ in outputs]

    rows = list(Notification.objects.values_list("target_id", "due_date", "recipient_id", "kind"))
    # 200 × 2 before-due reminders, 200 × (anggota, ketua, kepala) escalations
    assert len(rows) == len(set(rows)) == 200 * 2 + 200 * 3
    assert sum(created) == len(rows)
    assert len(set(Notification.objects.values_list("run_id", flat=True))) <= 2


def test_the_notifications_page_selector_shows_no_email_people_only_to_a_ketua(target, anggota, ketua, kepala):
    anggota.email = ""
    anggota.save(update_fields=["email"])
    assert [u.username for u in notifications_page(user=ketua)["without_email"]] == ["anggota"]
    assert notifications_page(user=kepala)["without_email"] == []
    assert notifications_page(user=anggota)["without_email"] == []


# -- the two ways of working out the sweep ------------------------------------------------------------------------

@pytest.mark.parametrize("config", [
    {},  # the defaults: H-7, H-3, H-1, overdue H+1, escalation H+7, catch-up 30 days
    {"REMINDER_DAYS_BEFORE": [10, 2, 0], "REMINDER_OVERDUE_DAYS": 2, "REMINDER_ESCALATION_DAYS": 5,
     "REMINDER_CATCH_UP_DAYS": 4},
])
def test_the_sql_sweep_creates_exactly_the_notices_of_the_python_sweep(plan, people, settings, config):
    """PostgreSQL works the sweep out in one INSERT … SELECT, SQLite in Python: on the same data, day after day,
    both create the same notices (kind, recipient, role, e-mail status) — with due dates around the turn of the
    plan year (unconfirmed ones outside it are not reminded of), settled and sent-back evidence, people in two
    roles, inactive people, no address, e-mail switched off, and notices already sent for this or an earlier due
    date. Runs on both databases."""
    from actionplan.models import Role
    from evidence.models import RevisionStatus
    from notifications.models import EmailOptOut, Kind

    for name, value in config.items():
        setattr(settings, name, value)
    anggota, other, ketua, kepala = people["anggota"], people["anggota_other"], people["ketua"], people["kepala"]
    no_address = people["tpi"]
    no_address.email = "  "
    no_address.save(update_fields=["email"])
    inactive = Membership.objects.create(
        user=type(anggota).objects.create(username="pensiun", email="p@example.go.id", is_active=False),
        unit=plan.unit, role=Role.ANGGOTA).user
    EmailOptOut.objects.create(user=other, kind="reminder")
    EmailOptOut.objects.create(user=ketua, kind=Kind.ESCALATION)
    Target.objects.filter(step__indicator__subcomponent__component__plan=plan).update(due_date=None, year=None,
                                                                                      semester=None)
    today = datetime.date(2019, 1, 6)
    indicator = plan.components.first().subcomponents.first().indicators.first()
    teams = [[anggota], [anggota, other], [ketua], [other, no_address, inactive], [], [kepala, anggota]]
    steps = ActionStep.objects.bulk_create([ActionStep(indicator=indicator, order=200 + i, description=f"Langkah {i}")
                                            for i in range(60)])
    targets = []
    for i, step in enumerate(steps):
        target = Target.for_date(step, today + datetime.timedelta(days=12 - i))  # H-12 … H+47, across New Year
        target.evidence_status = ["", "", RevisionStatus.ACCEPTED, "", RevisionStatus.SUBMITTED, "revise"][i % 6]
        if target.year != plan.year and i % 3 == 0:
            target.date_confirmed_at = timezone.now()
        targets.append(target)
    Target.objects.bulk_create(targets)
    Assignment.objects.bulk_create([Assignment(step=step, user=user)
                                    for i, step in enumerate(steps) for user in teams[i % len(teams)]])
    targets = list(Target.objects.filter(step__in=steps).order_by("step__order"))
    earlier = []  # notices already there: this due date (an earlier or a later stage) and an earlier due date
    for i, target in enumerate(targets[::4]):
        kind = [Kind.before(3), Kind.OVERDUE, Kind.ESCALATION, Kind.before(7)][i % 4]
        due = target.due_date if i % 5 else target.due_date - datetime.timedelta(days=3)
        earlier.append(Notification(target=target, due_date=due, recipient=anggota, kind=kind,
                                    recipient_role="responsible", notice_date=today, run_id=uuid.uuid4(),
                                    created_at=timezone.now(), email_status=EmailStatus.SENT))
    Notification.objects.bulk_create(earlier)
    kept = set(Notification.objects.values_list("pk", flat=True))

    def days_of_sweeps(sql_path: bool) -> list:
        Notification.objects.exclude(pk__in=kept).delete()
        seen = []
        for offset in (-8, 0, 1, 2, 5, 6, 9, 30):  # missed days are caught up
            result = reminders_sweep(today=today + datetime.timedelta(days=offset), sql_path=sql_path)
            rows = sorted(Notification.objects.filter(run_id=result.run_id).values_list(
                "target_id", "due_date", "recipient_id", "kind", "recipient_role", "email_status", "notice_date",
                "event_key", "message", "email_attempts", "email_error", "read_at", "email_sent_at"))
            assert len(rows) == result.total
            seen.append((rows, result.created, result.no_email, len(result.email_ids)))
        return seen

    python, sql = days_of_sweeps(sql_path=False), days_of_sweeps(sql_path=True)
    assert sum(len(rows) for rows, *_ in python) > 40  # the scenario does create notices, of every kind
    assert {kind for _rows, created, *_ in python for kind in created} >= {Kind.OVERDUE, Kind.ESCALATION}
    assert sql == python
