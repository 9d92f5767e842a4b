"""Celery tasks of the monev app. They take ids (or nothing), call one service, and can run twice safely."""
import datetime
import smtplib

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import reminders

EMAIL_MAX_RETRIES = 5


@shared_task(name="monev.tasks.daily_reminders")
def daily_reminders(today: str | None = None) -> dict:
    """The beat job (07:00 Asia/Jakarta, zi_portal/celery.py): notifications due today, e-mails queued on commit.
    `today` (YYYY-MM-DD) is only for catching up by hand."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    result = reminders.reminders_run(today=day)
    return {"today": day.isoformat(), "run_id": str(result.run_id), "created": result.created,
            "no_email": result.no_email, "queued": len(result.email_ids), "requeued": len(result.requeue_ids)}


# Fire-and-forget tasks keep no result: nobody reads it, and asking for one makes the sender subscribe to the
# result store, which fails the send when Redis is down instead of leaving the row for the next sweep.
@shared_task(bind=True, name="monev.tasks.send_notification_email", ignore_result=True,
             autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=60, retry_backoff_max=30 * 60,
             retry_jitter=True, max_retries=EMAIL_MAX_RETRIES)
def send_notification_email(self, notification_id: int) -> bool:
    """E-mail one notification. The service claims the row first, so a duplicate delivery sends nothing.
    On a worker, a mail-server error is retried with back-off (status "retrying", then "failed"). Run eagerly
    (no Redis) there is nobody to retry later: the row is marked "failed" at once and the next daily sweep
    re-queues it."""
    eager = bool(self.request.is_eager)
    try:
        return reminders.notification_email_send(
            notification_id=notification_id, final_attempt=eager or self.request.retries >= EMAIL_MAX_RETRIES)
    except OSError:
        if eager:
            return False
        raise


@shared_task(bind=True, name="monev.tasks.render_report", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def render_report(self, report_id: int) -> None:
    """Render (and for an approved report, sign) one semester report. The service claims the queued request
    with this task's id: a second delivery does nothing, except the same message redelivered after its worker
    died mid-render (acks_late + reject_on_worker_lost), which takes the render over."""
    from .services import report_render

    report_render(report_id=report_id, claim=self.request.id or "")


@shared_task(name="monev.tasks.requeue_renders")
def requeue_renders() -> int:
    """Beat job (every 5 minutes): renders that never reached a worker (the broker was down) are queued again."""
    from .services import renders_requeue

    return renders_requeue(older_than=datetime.timedelta(minutes=settings.RENDER_REQUEUE_MINUTES))
