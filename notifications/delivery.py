"""E-mail of one notification: claimed with a conditional UPDATE, so two workers (or a task delivered twice)
never send the same mail; a mail-server failure keeps the row with its error for a retry.

Reminders use the ``reminder`` mail, workflow events the ``workflow`` mail (`templates/emails/`). A person who
switched this kind of e-mail off on their profile after the notice was made gets nothing (``opted_out``)."""
import datetime

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from zi_portal.lib.email import absolute_url, send_email

from .models import EmailOptOut, EmailStatus, Kind, Notification

# A claimed ("sending") or queued e-mail untouched for this long is taken as lost (worker died, broker lost the
# message) and may be claimed or re-queued again. Longer than Celery's whole retry back-off (about 30 minutes).
EMAIL_STALE_AFTER = datetime.timedelta(hours=2)
EMAIL_RETRY_STATUSES = (EmailStatus.PENDING, EmailStatus.FAILED, EmailStatus.RETRYING)


def _claim(notification_id: int) -> bool:
    """Mark the e-mail as being sent, only if nobody sent or claimed it (a stale claim counts as none)."""
    now = timezone.now()
    return Notification.objects.filter(
        Q(email_status__in=EMAIL_RETRY_STATUSES)
        | Q(email_status=EmailStatus.SENDING, email_updated_at__lt=now - EMAIL_STALE_AFTER),
        pk=notification_id, email_sent_at__isnull=True,
    ).update(email_status=EmailStatus.SENDING, email_updated_at=now, email_attempts=F("email_attempts") + 1) == 1


def _release(notification_id: int, status: str) -> None:
    Notification.objects.filter(pk=notification_id).update(email_status=status, email_updated_at=timezone.now())


def notification_email_send(*, notification_id: int, final_attempt: bool = True) -> bool:
    """Send the e-mail of one notification once. Returns False when there was nothing to send (already sent, being
    sent by another worker, no address, e-mail switched off). On a mail-server error the row keeps the error and
    the status ``retrying`` (or ``failed`` on the `final_attempt`), and the error is raised again for Celery to
    retry."""
    if not _claim(notification_id):
        return False
    notification = Notification.objects.select_related(
        "recipient", "target__step__indicator__subcomponent__component__plan__unit").get(pk=notification_id)
    if not notification.recipient.email.strip():  # the address was removed after the notice was created
        _release(notification_id, EmailStatus.NO_EMAIL)
        return False
    if EmailOptOut.objects.filter(user_id=notification.recipient_id, kind=Kind.preference(notification.kind)).exists():
        _release(notification_id, EmailStatus.OPTED_OUT)
        return False
    if notification.is_workflow:
        name, context = "workflow", workflow_email_context(notification)
    else:
        name, context = "reminder", reminder_email_context(notification)
    try:
        send_email(name, to=[notification.recipient.email], context=context,
                   headers={"X-Portal-ZI-Notification": str(notification.pk)})
    except OSError as exc:  # smtplib.SMTPException and socket errors
        Notification.objects.filter(pk=notification_id, email_status=EmailStatus.SENDING).update(
            email_status=EmailStatus.FAILED if final_attempt else EmailStatus.RETRYING,
            email_updated_at=timezone.now(), email_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    Notification.objects.filter(pk=notification_id).update(
        email_status=EmailStatus.SENT, email_sent_at=timezone.now(), email_updated_at=timezone.now(),
        email_error="")
    return True


def reminder_email_context(notification: Notification) -> dict:
    from actionplan.models import Assignment

    target = notification.target
    step = target.step
    people = [a.user.get_full_name() or a.user.username
              for a in Assignment.objects.filter(step=step).select_related("user").order_by("user__username")]
    return {
        "notification": notification,
        "kind": "before" if notification.days_before is not None else notification.kind,
        "recipient_name": notification.recipient.get_full_name() or notification.recipient.username,
        "role": notification.recipient_role,
        "role_label": notification.get_recipient_role_display(),
        "unit": step.indicator.subcomponent.component.plan.unit,
        "plan": step.indicator.subcomponent.component.plan,
        "component": step.indicator.subcomponent.component,
        "indicator": step.indicator,
        "step": step,
        "due_date": notification.due_date,
        "days_left": (notification.due_date - notification.notice_date).days,
        "days_late": (notification.notice_date - notification.due_date).days,
        "responsible_names": people,
        "target_url": absolute_url(reverse("evidence:target", args=[target.pk])),
        "notifications_url": absolute_url(reverse("notifications:list")),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
    }


def workflow_email_context(notification: Notification) -> dict:
    return {
        "notification": notification,
        "kind_label": notification.kind_label,
        "recipient_name": notification.recipient.get_full_name() or notification.recipient.username,
        "message": notification.message,
        "note": notification.note,
        "link": absolute_url(notification.link_url) if notification.link_url else "",
        "notifications_url": absolute_url(reverse("notifications:list")),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
    }
