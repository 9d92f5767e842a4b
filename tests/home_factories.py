"""A unit where each role has something waiting on its home page, built through the real services."""
import datetime
import uuid

from django.utils import timezone

from actionplan.models import Membership, Target
from actionplan.services import assignments_set
from evidence.models import ReviewDecision
from evidence.services import revision_review
from monev import services as monev_services
from monev.models import Report
from notifications.models import Kind, Notification, RecipientRole

from .factories import submit

SENT_BACK_NOTE = "Lampirkan SK yang sudah ditandatangani Kepala Dinas."


def dated_targets(plan, count: int) -> list[Target]:
    return list(Target.objects.filter(step__indicator__subcomponent__component__plan=plan, due_date__isnull=False)
                .order_by("step__indicator__subcomponent__component__order", "step__indicator__subcomponent__number",
                          "step__indicator__order", "step__order", "due_date")[:count])


def home_scenario(plan, *, anggota, ketua, kepala, today: datetime.date | None = None) -> dict:
    """Anggota: two overdue targets (one of them sent back with a note), one falling due in five days, one waiting
    for review; Ketua Tim: that one in the queue; Kepala Dinas: the Semester I report submitted and one unread
    escalation. Returns the objects the tests name."""
    today = today or timezone.localdate()
    late, sent_back, waiting = dated_targets(plan, 3)
    soon = Target.for_date(late.step, today + datetime.timedelta(days=5))
    if soon.year != plan.year:  # a date outside the plan year counts only once a person confirmed it
        soon.date_confirmed_at, soon.date_confirmed_by = timezone.now(), ketua
    soon.save()
    for target in (late, sent_back, waiting):
        assignments_set(step=target.step, users=[anggota], actor=ketua)
    ketua_membership = Membership.objects.get(user=ketua, unit=plan.unit)
    revision = submit(sent_back, anggota)
    revision_review(revision=revision, user=ketua, membership=ketua_membership,
                    decision=ReviewDecision.Decision.REVISE, note=SENT_BACK_NOTE)
    queued = submit(waiting, anggota)
    report = monev_services.report_start(plan=plan, semester=1, user=ketua, membership=ketua_membership)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED, submitted_by=ketua,
                                               submitted_at=timezone.now())
    escalation = Notification.objects.create(
        target=late, due_date=late.due_date, recipient=kepala, kind=Kind.ESCALATION,
        recipient_role=RecipientRole.KEPALA, notice_date=today, run_id=uuid.uuid4(), created_at=timezone.now())
    return {"late": late, "sent_back": sent_back, "waiting": waiting, "soon": soon, "queued": queued,
            "report": report, "escalation": escalation}
