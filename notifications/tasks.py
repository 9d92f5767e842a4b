"""Celery tasks of the notifications app. They take ids (or nothing), call one service, and can run twice safely.
Task names are kept stable in `zi_portal/celery.py` (the beat schedule)."""
import datetime
import logging
import smtplib
from functools import partial

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import delivery, reminders

logger = logging.getLogger(__name__)
EMAIL_MAX_RETRIES = 5


def reminders_run(*, today: datetime.date) -> reminders.SweepResult:
    """The daily job: the sweep, then — once its transaction has committed — one e-mail task per new notification
    with an address, and again for older e-mails that failed or got stuck."""
    from programme.reminders import pakta_emails_queue, pakta_reminders_sweep  # issue 11: unsigned Pakta

    with transaction.atomic():
        result = reminders.reminders_sweep(today=today)
        result.pakta_ids = pakta_reminders_sweep(today=today, run_id=result.run_id)
        transaction.on_commit(partial(notification_emails_queue, result.email_ids + result.requeue_ids))
        transaction.on_commit(partial(pakta_emails_queue, result.pakta_ids))
    return result


def notification_emails_queue(ids: list[int]) -> None:
    """Queue one e-mail task per notification. A broker that is down (or, when tasks run eagerly, a mail server
    that failed every retry) leaves the row pending/failed for the next daily sweep to re-queue."""
    from kombu.exceptions import OperationalError

    for pk in ids:
        try:
            send_notification_email.delay(pk)
        except (OSError, OperationalError) as exc:
            logger.warning("E-mail of notification %s not sent now (%s); the next sweep re-queues it.", pk, exc)


@shared_task(name="notifications.tasks.daily_reminders")
def daily_reminders(today: str | None = None) -> dict:
    """The beat job (07:00 Asia/Jakarta, zi_portal/celery.py): notifications due today, e-mails queued on commit.
    `today` (YYYY-MM-DD) is only for catching up by hand."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    result = reminders_run(today=day)
    return {"today": day.isoformat(), "run_id": str(result.run_id), "created": result.created,
            "no_email": result.no_email, "queued": len(result.email_ids), "requeued": len(result.requeue_ids)}


# Fire-and-forget tasks keep no result: nobody reads it, and asking for one makes the sender subscribe to the
# result store, which fails the send when Redis is down instead of leaving the row for the next sweep.
@shared_task(bind=True, name="notifications.tasks.send_notification_email", ignore_result=True,
             autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=60, retry_backoff_max=30 * 60,
             retry_jitter=True, max_retries=EMAIL_MAX_RETRIES)
def send_notification_email(self, notification_id: int) -> bool:
    """E-mail one notification. The service claims the row first, so a duplicate delivery sends nothing.
    On a worker, a mail-server error is retried with back-off (status "retrying", then "failed"). Run eagerly
    (no Redis) there is nobody to retry later: the row is marked "failed" at once and the next daily sweep
    re-queues it."""
    eager = bool(self.request.is_eager)
    try:
        return delivery.notification_email_send(
            notification_id=notification_id, final_attempt=eager or self.request.retries >= EMAIL_MAX_RETRIES)
    except OSError:
        if eager:
            return False
        raise
