"""Reminders about unsigned Pakta Integritas, run by the daily reminder job (`notifications.tasks.reminders_run`,
Celery beat at 07:00 or `manage.py send_reminders`).

Rule: once per calendar month (the *period*, ``YYYY-MM``), for every unit with an **active plan for the current
year** and active staff who have not signed that year's Pakta Integritas,

* each such person who has a portal account (linked by NIP on import) gets one reminder (``person``);
* each Ketua Tim of the unit gets one list of how many have not signed (``ketua``), with a link to the register.

Exactly once, as the deadline reminders: the unique key (unit, year, period, recipient, kind) with
``bulk_create(ignore_conflicts=True)`` and a read-back by the run's ``run_id`` means two sweeps the same month —
or on two workers at once — create each notice once; e-mail is claimed with a conditional UPDATE before sending.
A fixed number of queries per sweep whatever the number of units and staff.
"""
import datetime
import logging
from functools import partial

from celery import shared_task
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from actionplan.models import Membership, Plan, Role, Unit
from zi_portal.lib.email import absolute_url, send_email

from .models import PaktaIntegritas, PaktaNotice, StaffMember

logger = logging.getLogger(__name__)


def _unsigned(year: int):
    return (StaffMember.objects.filter(is_active=True)
            .exclude(Exists(PaktaIntegritas.objects.filter(staff=OuterRef("pk"), year=year))))


def pakta_reminders_sweep(*, today: datetime.date, run_id) -> list[int]:
    """Create this period's notices (see the module docstring); returns the ids this run created."""
    year, period, now = today.year, f"{today:%Y-%m}", timezone.now()
    units = Plan.objects.filter(year=year, status=Plan.Status.ACTIVE).values("unit_id")
    counts = dict(_unsigned(year).filter(unit_id__in=units).values("unit_id").annotate(n=Count("pk"))
                  .values_list("unit_id", "n").order_by())
    if not counts:
        return []
    rows = [PaktaNotice(unit_id=unit_id, year=year, period=period, recipient_id=user_id, kind=PaktaNotice.Kind.PERSON,
                        unsigned_count=1, run_id=run_id, created_at=now)
            for unit_id, user_id in _unsigned(year).filter(unit_id__in=counts, user__is_active=True)
            .values_list("unit_id", "user_id").order_by("unit_id", "user_id")]
    rows += [PaktaNotice(unit_id=unit_id, year=year, period=period, recipient_id=user_id, kind=PaktaNotice.Kind.KETUA,
                         unsigned_count=counts[unit_id], run_id=run_id, created_at=now)
             for unit_id, user_id in Membership.objects.filter(unit_id__in=counts, role=Role.KETUA,
                                                                user__is_active=True)
             .values_list("unit_id", "user_id").order_by("unit_id", "user_id")]
    PaktaNotice.objects.bulk_create(rows, ignore_conflicts=True)
    return list(PaktaNotice.objects.filter(run_id=run_id).order_by("pk").values_list("pk", flat=True))


def pakta_emails_queue(ids: list[int]) -> None:
    from kombu.exceptions import OperationalError

    for pk in ids:
        try:
            send_pakta_notice.delay(pk)
        except (OSError, OperationalError) as exc:
            logger.warning("E-mail of Pakta notice %s not queued (%s).", pk, exc)


def pakta_notice_send(*, notice_id: int) -> bool:
    """Send one notice's e-mail once: the row is claimed by setting `email_sent_at` where it is empty; a mail
    error releases the claim (kept with the error) and is raised for Celery to retry."""
    if not PaktaNotice.objects.filter(pk=notice_id, email_sent_at__isnull=True).update(email_sent_at=timezone.now()):
        return False
    notice = PaktaNotice.objects.select_related("recipient", "unit").get(pk=notice_id)
    if not notice.recipient.email.strip():
        PaktaNotice.objects.filter(pk=notice_id).update(email_sent_at=None, email_error="tanpa alamat e-mail")
        return False
    try:
        send_email("pakta-reminder", to=[notice.recipient.email], context=_context(notice),
                   headers={"X-Portal-ZI-Pakta-Notice": str(notice.pk)})
    except OSError as exc:
        PaktaNotice.objects.filter(pk=notice_id).update(email_sent_at=None, email_error=f"{exc}"[:2000])
        raise
    return True


def _context(notice: PaktaNotice) -> dict:
    unit: Unit = notice.unit
    return {"notice": notice, "unit": unit, "year": notice.year, "ketua": notice.kind == PaktaNotice.Kind.KETUA,
            "recipient_name": notice.recipient.get_full_name() or notice.recipient.username,
            "register_url": absolute_url(f"{reverse('programme:register', args=[unit.pk])}?tahun={notice.year}")}


@shared_task(name="programme.tasks.send_pakta_notice", ignore_result=True, autoretry_for=(OSError,),
             retry_backoff=60, max_retries=5)
def send_pakta_notice(notice_id: int) -> bool:
    try:
        return pakta_notice_send(notice_id=notice_id)
    except OSError:
        if send_pakta_notice.request.is_eager:
            return False
        raise


def on_commit_queue(ids: list[int]) -> None:
    transaction.on_commit(partial(pakta_emails_queue, ids))



