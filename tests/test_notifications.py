"""Workflow notifications (notifications/services.py): who is told about which event, in the portal and by
e-mail, exactly once even when the event is delivered twice; e-mail preferences per kind."""
import datetime

import pytest
from django.core import mail
from django.urls import reverse

from actionplan.models import Assignment, AuditEvent
from actionplan.signals import target_due_date_changed
from evidence.services import revision_review
from monev import services as report_services
from monev import signals as report_signals
from notifications import services
from notifications.models import EmailOptOut, EmailStatus, Kind, Notification
from notifications.tasks import reminders_run

from .factories import submit


@pytest.fixture
def with_email(anggota, ketua, kepala, tpi):
    for user in (anggota, ketua, kepala, tpi):
        user.email = f"{user.username}@example.go.id"
        user.save(update_fields=["email"])


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run `action` and then every callback it queued on commit, including the e-mails (eager Celery)."""
    def _run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            result = action(*args, **kwargs)
        return result, callbacks
    return _run


def notices(kind, **filters):
    return list(Notification.objects.filter(kind=kind, **filters).order_by("pk"))


def test_an_upload_tells_the_ketua_once_even_when_the_event_is_delivered_twice(run, assigned_target, anggota, ketua,
                                                                                with_email):
    revision, callbacks = run(submit, assigned_target, anggota)
    [notice] = notices(Kind.REVISION_UPLOADED)
    assert notice.recipient == ketua and notice.target == assigned_target
    assert notice.email_status == EmailStatus.SENT
    assert notice.link_url == reverse("evidence:target", args=[assigned_target.pk])
    assert [m.to for m in mail.outbox] == [[ketua.email]]
    # the same event again (a callback run twice): nothing new, no second mail
    run(services.revision_uploaded_notify, revision_id=revision.pk, number=revision.number, target=assigned_target,
        uploader=anggota)
    assert len(notices(Kind.REVISION_UPLOADED)) == 1 and len(mail.outbox) == 1


def test_a_review_decision_tells_the_uploader_with_the_note_once(run, assigned_target, anggota, ketua, with_email):
    revision, _ = run(submit, assigned_target, anggota)
    mail.outbox.clear()
    decision, _ = run(revision_review, revision=revision, user=ketua, membership=ketua.memberships.get(),
                      decision="revise", note="Lampirkan SK yang sudah ditandatangani")
    [notice] = notices(Kind.REVIEW_DECISION)
    assert notice.recipient == anggota and notice.note == "Lampirkan SK yang sudah ditandatangani"
    assert "perlu perbaikan" in notice.message
    assert len(mail.outbox) == 1 and "Lampirkan SK yang sudah ditandatangani" in mail.outbox[0].body
    run(services.review_decision_notify, decision_id=decision.pk, number=revision.number, target=assigned_target,
        uploader_id=anggota.pk, reviewer=ketua, accepted=False, note=decision.note)
    assert len(notices(Kind.REVIEW_DECISION)) == 1 and len(mail.outbox) == 1


def _submitted_report(run, plan, ketua):
    membership = ketua.memberships.get()
    report = report_services.report_start(plan=plan, semester=1, user=ketua, membership=membership)
    report_services.report_save(report=report, user=ketua, membership=membership, number="800/1/2019",
                                conclusions="Capaian rendah.", recommendations=[], followups={})
    report, _ = run(report_services.report_submit, report=report, user=ketua, membership=membership,
                    today=datetime.date(2019, 7, 1))
    return report


def test_report_submitted_returned_and_resubmitted_tell_kepala_and_ketua(run, plan, ketua, kepala, with_email):
    report = _submitted_report(run, plan, ketua)
    assert [n.recipient for n in notices(Kind.REPORT_SUBMITTED)] == [kepala]
    run(report_services.report_return, report=report, user=kepala, membership=kepala.memberships.get(),
        note="Tambahkan analisis komponen V")
    [returned] = notices(Kind.REPORT_RETURNED)
    assert returned.recipient == ketua and returned.note == "Tambahkan analisis komponen V"
    # a second submission after the return is a new event for the Kepala Dinas
    run(report_services.report_submit, report=report, user=ketua, membership=ketua.memberships.get(),
        today=datetime.date(2019, 7, 1), answer="Sudah ditambahkan")
    assert len(notices(Kind.REPORT_SUBMITTED, recipient=kepala)) == 2
    # the signals delivered twice: nothing new
    entry = report.returns.get()
    report_signals.report_returned.send(sender=type(report), report=report, user=kepala, return_id=entry.pk,
                                        note=entry.note)
    report.refresh_from_db()
    report_signals.report_submitted.send(sender=type(report), report=report, user=ketua,
                                         submitted_at=report.submitted_at)
    assert len(notices(Kind.REPORT_RETURNED)) == 1 and len(notices(Kind.REPORT_SUBMITTED)) == 2


def test_a_signed_report_tells_the_ketua_and_the_team_once(run, plan, ketua, kepala, anggota, tpi, with_email):
    report = _submitted_report(run, plan, ketua)
    for _ in range(2):
        run(report_signals.report_signed.send, sender=type(report), report=report, signer=kepala)
    assert sorted(n.recipient.username for n in notices(Kind.REPORT_SIGNED)) == sorted([ketua.username,
                                                                                        anggota.username])
    assert sum(1 for m in mail.outbox if "ditandatangani" in m.subject) == 2


def test_a_due_date_change_tells_the_people_responsible_once(run, assigned_target, anggota, ketua, with_email):
    old = assigned_target.due_date
    new = datetime.date(2019, 9, 30)
    for _ in range(2):  # the signal delivered twice
        run(target_due_date_changed.send, sender=type(assigned_target), target=assigned_target, old_date=old,
            new_date=new, user=ketua, reason="Jadwal rapat diundur")
    responsible = set(Assignment.objects.filter(step=assigned_target.step).values_list("user_id", flat=True))
    got = notices(Kind.DUE_DATE_CHANGED)
    assert {n.recipient_id for n in got} == responsible - {ketua.pk} and len(got) == len(responsible - {ketua.pk})
    assert got[0].note == "Jadwal rapat diundur" and "30-09-2019" in got[0].message


def test_email_off_for_a_kind_keeps_the_portal_notification_and_is_audited(run, client, assigned_target, anggota,
                                                                            ketua, with_email):
    client.force_login(anggota)
    kept = [k for k, _label in Kind.preference_choices() if k != Kind.REVIEW_DECISION]
    response = client.post(reverse("notifications:preferences"), {"email": kept})
    assert response.status_code == 302 and response.url == reverse("profile") + "#notifikasi"
    assert list(EmailOptOut.objects.filter(user=anggota).values_list("kind", flat=True)) == [Kind.REVIEW_DECISION]
    assert AuditEvent.objects.filter(action="notifications.preferences", actor=anggota).count() == 1
    page = client.get(reverse("notifications:preferences"), follow=True)   # a section of the profile page
    assert page.redirect_chain == [(reverse("profile") + "#notifikasi", 302)]
    assert 'value="review_decision" id="email-review_decision">' in page.content.decode()

    revision, _ = run(submit, assigned_target, anggota)
    mail.outbox.clear()
    run(revision_review, revision=revision, user=ketua, membership=ketua.memberships.get(), decision="accept",
        note="")
    [notice] = notices(Kind.REVIEW_DECISION)
    assert notice.email_status == EmailStatus.OPTED_OUT and mail.outbox == []
    assert client.get(reverse("notifications:list")).content.decode().count(notice.message[:20]) == 1


def test_reminders_respect_the_email_preference(run, assigned_target, anggota, with_email):
    EmailOptOut.objects.create(user=anggota, kind="reminder")
    run(reminders_run, today=assigned_target.due_date - datetime.timedelta(days=3))
    [notice] = Notification.objects.filter(recipient=anggota, kind=Kind.before(3), target=assigned_target)
    assert notice.email_status == EmailStatus.OPTED_OUT
    assert not [m for m in mail.outbox if m.extra_headers.get("X-Portal-ZI-Notification") == str(notice.pk)]
