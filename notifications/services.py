"""Writes of the notifications app: the workflow events, reading notifications, e-mail preferences.

Workflow events. The apps where things happen (evidence, monev, actionplan) call these functions with
``transaction.on_commit`` after their own write committed, passing the objects they hold, so this module imports
none of them. Each event names itself with an ``event_key`` ("revision:42"); the unique key (kind, event_key,
recipient) with ``bulk_create(ignore_conflicts=True)`` and a read-back by ``run_id`` means an event delivered
twice — the same callback run again, a task retried — creates, and e-mails, each notice once.

Who is told (only active users, never the person who acted):

=====================  ==========================================================
event (``kind``)       recipients
=====================  ==========================================================
``revision_uploaded``  the Ketua Tim of the unit
``review_decision``    the uploader, with the reviewer's note
``report_submitted``   the Kepala Dinas of the unit
``report_returned``    the Ketua Tim, with the Kepala Dinas's note
``report_signed``      the Ketua Tim and the team (the unit's Anggota)
``due_date_changed``   the people responsible for the target's action step
=====================  ==========================================================
"""
import datetime
import uuid
from collections.abc import Iterable
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from actionplan.audit import audit_record
from actionplan.models import Assignment, Membership, Role

from .models import EmailOptOut, EmailStatus, Kind, Notification, RecipientRole
from .tasks import notification_emails_queue


def _name(user) -> str:
    return user.get_full_name() or user.username


def _step_text(target) -> str:
    return Truncator(target.step.description).words(14)


def notifications_create(*, kind: str, event_key: str, recipients: Iterable[tuple[int, str]], message: str,
                         note: str = "", link_url: str = "", target=None, actor_id: int | None = None) -> list[int]:
    """Create one notification of the event for each (user id, RecipientRole) — a person listed twice is told
    once, in the first role — and queue their e-mails after commit. Returns the ids this call created: empty when
    the event was already notified. Fixed number of queries."""
    people: dict[int, str] = {}
    for user_id, role in recipients:
        if user_id != actor_id:
            people.setdefault(user_id, role)
    if not people:
        return []
    run_id, now = uuid.uuid4(), timezone.now()
    with transaction.atomic():
        users = dict(get_user_model().objects.filter(pk__in=people, is_active=True).values_list("pk", "email"))
        off = set(EmailOptOut.objects.filter(user_id__in=users, kind=Kind.preference(kind))
                  .values_list("user_id", flat=True))
        rows = []
        for user_id in sorted(users):
            status = (EmailStatus.NO_EMAIL if not users[user_id].strip()
                      else EmailStatus.OPTED_OUT if user_id in off else EmailStatus.PENDING)
            row = Notification(target=target, recipient_id=user_id, kind=kind, event_key=event_key,
                               message=message[:500], note=note, link_url=link_url[:300],
                               recipient_role=people[user_id], notice_date=timezone.localdate(now),
                               run_id=run_id, created_at=now, email_status=status)
            row.full_clean(exclude=["target", "recipient"], validate_unique=False, validate_constraints=False)
            rows.append(row)
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        created = list(Notification.objects.filter(run_id=run_id).order_by("pk").values_list("pk", "email_status"))
        transaction.on_commit(partial(notification_emails_queue,
                                      [pk for pk, status in created if status == EmailStatus.PENDING]))
    return [pk for pk, _status in created]


def _unit_people(unit_id: int, roles: dict[str, str]) -> list[tuple[int, str]]:
    """(user id, RecipientRole) of the unit's members holding one of `roles` (Membership role → RecipientRole)."""
    return [(user_id, roles[role]) for user_id, role in
            Membership.objects.filter(unit_id=unit_id, role__in=list(roles)).order_by("id")
            .values_list("user_id", "role")]


def _unit_id(target) -> int:
    return target.step.indicator.subcomponent.component.plan.unit_id


def revision_uploaded_notify(*, revision_id: int, number: int, target, uploader) -> list[int]:
    """A revision was uploaded: the Ketua Tim of the unit can review it."""
    return notifications_create(
        kind=Kind.REVISION_UPLOADED, event_key=f"revision:{revision_id}", target=target, actor_id=uploader.pk,
        recipients=_unit_people(_unit_id(target), {Role.KETUA: RecipientRole.KETUA}),
        message=_("%(who)s mengunggah revisi %(n)s untuk “%(step)s”; menunggu review.")
        % {"who": _name(uploader), "n": number, "step": _step_text(target)},
        link_url=reverse("evidence:target", args=[target.pk]))


def review_decision_notify(*, decision_id: int, number: int, target, uploader_id: int, reviewer, accepted: bool,
                           note: str) -> list[int]:
    """A revision was reviewed: the uploader learns the result, with the reviewer's note."""
    result = _("diterima") if accepted else _("perlu perbaikan")
    return notifications_create(
        kind=Kind.REVIEW_DECISION, event_key=f"review:{decision_id}", target=target, actor_id=reviewer.pk,
        recipients=[(uploader_id, RecipientRole.UPLOADER)], note=note,
        message=_("Revisi %(n)s untuk “%(step)s”: %(result)s (oleh %(who)s).")
        % {"n": number, "step": _step_text(target), "result": result, "who": _name(reviewer)},
        link_url=reverse("evidence:target", args=[target.pk]))


def _report_text(report) -> str:
    return _("Laporan Monev Semester %(s)s %(year)s (v%(v)s)") % {
        "s": "I" if report.semester == 1 else "II", "year": report.plan.year, "v": report.version}


def _report_url(report) -> str:
    return reverse("monev:report_page", args=[report.plan_id, report.semester])


def report_submitted_notify(*, report, user, submitted_at: datetime.datetime) -> list[int]:
    """A report was submitted (at `submitted_at`: a resubmission after a return is another event): the Kepala
    Dinas signs or returns it."""
    return notifications_create(
        kind=Kind.REPORT_SUBMITTED, event_key=f"report:{report.pk}:submitted:{submitted_at:%Y%m%d%H%M%S%f}",
        actor_id=user.pk,
        recipients=_unit_people(report.plan.unit_id, {Role.KEPALA: RecipientRole.KEPALA}),
        message=_("%(report)s diajukan oleh %(who)s dan menunggu persetujuan Anda.")
        % {"report": _report_text(report), "who": _name(user)},
        link_url=_report_url(report))


def report_returned_notify(*, report, user, return_id: int, note: str) -> list[int]:
    """A report was returned: the Ketua Tim gets the Kepala Dinas's note."""
    return notifications_create(
        kind=Kind.REPORT_RETURNED, event_key=f"report-return:{return_id}", actor_id=user.pk, note=note,
        recipients=_unit_people(report.plan.unit_id, {Role.KETUA: RecipientRole.KETUA}),
        message=_("%(report)s dikembalikan oleh %(who)s untuk diperbaiki.")
        % {"report": _report_text(report), "who": _name(user)},
        link_url=_report_url(report))


def report_signed_notify(*, report, signer) -> list[int]:
    """A report was approved and signed: the Ketua Tim and the team."""
    return notifications_create(
        kind=Kind.REPORT_SIGNED, event_key=f"report:{report.pk}:signed",
        actor_id=signer.pk if signer is not None else None,
        recipients=_unit_people(report.plan.unit_id, {Role.KETUA: RecipientRole.KETUA,
                                                      Role.ANGGOTA: RecipientRole.TEAM}),
        message=_("%(report)s telah disetujui dan ditandatangani%(by)s.")
        % {"report": _report_text(report), "by": f" {_('oleh')} {_name(signer)}" if signer is not None else ""},
        link_url=_report_url(report))


def due_date_changed_notify(*, target, old_date: datetime.date | None, new_date: datetime.date | None, user,
                            reason: str = "") -> list[int]:
    """A target's due date was set or changed: the people responsible for its step (the reason as the note)."""
    def show(day):
        return day.strftime("%d-%m-%Y") if day else _("belum ada")

    responsible = [(user_id, RecipientRole.RESPONSIBLE) for user_id in
                   Assignment.objects.filter(step_id=target.step_id).order_by("id").values_list("user_id", flat=True)]
    return notifications_create(
        kind=Kind.DUE_DATE_CHANGED, event_key=f"due:{target.pk}:{old_date or '-'}:{new_date or '-'}",
        target=target, actor_id=user.pk if user is not None else None, recipients=responsible, note=reason or "",
        message=_("Jatuh tempo “%(step)s” diubah dari %(old)s menjadi %(new)s%(by)s.")
        % {"step": _step_text(target), "old": show(old_date), "new": show(new_date),
           "by": f" {_('oleh')} {_name(user)}" if user is not None else ""},
        link_url=reverse("evidence:target", args=[target.pk]))


# -- the user's own notifications -----------------------------------------------------------------------------------

def notification_mark_read(*, notification: Notification, user) -> bool:
    """Mark one of the user's own notifications read; True when it was unread."""
    from django.http import Http404

    if notification.recipient_id != user.pk:
        raise Http404("Notifikasi tidak ditemukan.")
    return Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()) == 1


def notifications_mark_all_read(*, user) -> int:
    """Mark all of the user's unread notifications read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def email_preferences_set(*, user, email_on: Iterable[str], ip: str | None = None) -> list[str]:
    """Keep e-mail on for the kinds in `email_on` and switch it off for every other kind (the portal
    notification stays); audited. Returns the kinds now off."""
    kinds = [kind for kind, _label in Kind.preference_choices()]
    wanted_off = sorted(set(kinds) - set(email_on))
    with transaction.atomic():
        before = sorted(EmailOptOut.objects.select_for_update().filter(user=user).values_list("kind", flat=True))
        EmailOptOut.objects.filter(user=user).exclude(kind__in=wanted_off).delete()
        EmailOptOut.objects.bulk_create([EmailOptOut(user=user, kind=k) for k in wanted_off], ignore_conflicts=True)
        if before != wanted_off:
            audit_record(actor=user, action="notifications.preferences", obj=user, ip=ip,
                         summary=_("Preferensi e-mail notifikasi diubah"),
                         data={"email_off": wanted_off, "before": before})
    return wanted_off


# A changed address gets the recent mails that never reached the person: what is older is stale news.
EMAIL_RESUME_DAYS = 7


def email_delivery_resume(user) -> list[int]:
    """After `user` set or changed their e-mail address: their unread notifications of the last
    EMAIL_RESUME_DAYS days whose mail never went out — there was no address, or the old one failed — are
    pending again and queued after commit. Kinds they switched off stay off (the delivery checks the opt-outs).
    Returns the ids queued."""
    if not user.email.strip():
        return []
    since = timezone.now() - datetime.timedelta(days=EMAIL_RESUME_DAYS)
    with transaction.atomic():
        rows = Notification.objects.filter(
            recipient=user, read_at__isnull=True, email_sent_at__isnull=True, created_at__gte=since,
            email_status__in=[EmailStatus.NO_EMAIL, EmailStatus.FAILED])
        ids = list(rows.values_list("pk", flat=True))
        if ids:  # the same conditions again: a row a worker claimed meanwhile is left to it
            rows.filter(pk__in=ids).update(email_status=EmailStatus.PENDING, email_attempts=0,
                                                           email_error="", email_updated_at=timezone.now())
            transaction.on_commit(partial(notification_emails_queue, ids))
    return ids
