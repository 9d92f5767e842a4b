"""The statuses a target can have as of a date, decided in SQL by `targets_with_status` from the target's
revisions and review decisions. Here, in the evidence app, because the status is a reading of the evidence; the
dashboard and reports (monev), the programme pages and the home page all read it from here."""
import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Count, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone

from actionplan.models import PLAN_OF_TARGET, Target, suspect_date_q
from evidence.models import Revision, RevisionStatus

DONE, REVIEW_NEEDED, WAITING, LATE, REVISE, NOT_DUE = (
    "selesai", "perlu_ditinjau", "menunggu_review", "terlambat", "perlu_perbaikan", "belum_jatuh_tempo")
STATUSES = [DONE, WAITING, LATE, REVISE, NOT_DUE, REVIEW_NEEDED]
STATUS_LABELS = {DONE: "Selesai", WAITING: "Menunggu review", LATE: "Terlambat", REVISE: "Perlu perbaikan",
                 NOT_DUE: "Belum jatuh tempo", REVIEW_NEEDED: "Perlu ditinjau"}
PLAN_PATH = PLAN_OF_TARGET
MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def day_end(as_of: datetime.date) -> datetime.datetime:
    """The first instant after `as_of` in the portal's time zone: what happened before it happened by that day."""
    return datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min,
                                     tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def is_historical(as_of: datetime.date) -> bool:
    """A date before today: the denormalised statuses may hold later uploads and decisions."""
    return as_of < timezone.localdate()


def revision_status_at(cutoff: datetime.datetime, prefix: str = "") -> Case:
    """A revision's status at `cutoff`: its decision (or withdrawal) counts only if made before; until then it was
    waiting. The time of the change is the review decision's own `decided_at`, or `status_changed_at` for a
    withdrawal (and for rows without a decision row)."""
    changed_at = Coalesce(F(f"{prefix}decision__decided_at"), F(f"{prefix}status_changed_at"))
    return Case(
        When(**{f"{prefix}status": RevisionStatus.SUBMITTED}, then=Value(RevisionStatus.SUBMITTED)),
        When(LessThan(changed_at, Value(cutoff)), then=F(f"{prefix}status")),
        default=Value(RevisionStatus.SUBMITTED), output_field=CharField(),
    )


def evidence_status_at(cutoff: datetime.datetime) -> Coalesce:
    """What `Target.evidence_status` was at `cutoff`: the status then of the latest revision uploaded before it
    ("" when none). An accepted revision is final, so the latest one is the one that decides."""
    latest = (Revision.objects.filter(target=OuterRef("pk"), submitted_at__lt=cutoff).order_by("-number")
              .annotate(then_status=revision_status_at(cutoff)).values("then_status")[:1])
    return Coalesce(Subquery(latest, output_field=CharField()), Value(""), output_field=CharField())


def targets_with_status(*, as_of: datetime.date, plans=None, semester: int | None = None) -> QuerySet:
    """Targets annotated with `status` (see module docstring). Today or later from the target row alone: the
    latest revision's status is kept on `Target.evidence_status` by the evidence services. For an earlier date
    from a subquery on the revisions and decisions made by the end of that day (one statement either way)."""
    qs = Target.objects.all()
    if plans is not None:
        qs = qs.filter(**{f"{PLAN_PATH}__in": plans})
    if semester in (1, 2):
        qs = qs.filter(semester=semester)
    evidence = "evidence_status"
    if is_historical(as_of):
        qs, evidence = qs.annotate(evidence_then=evidence_status_at(day_end(as_of))), "evidence_then"
    return qs.annotate(status=Case(
        When(**{evidence: RevisionStatus.ACCEPTED}, then=Value(DONE)),
        When(due_date__isnull=True, then=Value(REVIEW_NEEDED)),
        When(**{evidence: RevisionStatus.SUBMITTED}, then=Value(WAITING)),
        # A date outside the plan year that nobody confirmed is a probable typo, not a lateness (issue 14).
        When(suspect_date_q(), then=Value(REVIEW_NEEDED)),
        When(due_date__lt=as_of, then=Value(LATE)),
        When(**{evidence: RevisionStatus.REVISE}, then=Value(REVISE)),
        default=Value(NOT_DUE),
        output_field=CharField(),
    ))


def grouped_counts(qs: QuerySet, **keys) -> dict[tuple, dict]:
    """Count targets per (keys…, status) in one GROUP BY — the status CASE is evaluated once per row — and pivot
    to {key tuple: {status: n, …, "total": n}}. `keys` maps output names to lookups (F expressions)."""
    names = list(keys)
    rows = qs.values(**{k: F(v) for k, v in keys.items()}, st=F("status")).annotate(n=Count("pk")).order_by()
    out: dict[tuple, dict] = {}
    for r in rows:
        bucket = out.setdefault(tuple(r[k] for k in names), {**{s: 0 for s in STATUSES}, "total": 0})
        bucket[r["st"]] += r["n"]
        bucket["total"] += r["n"]
    return out


@dataclass
class Progress:
    key: object
    total: int
    counts: dict

    @property
    def done(self) -> int:
        return self.counts[DONE]

    @property
    def percent(self) -> float:
        return round(100.0 * self.done / self.total, 1) if self.total else 0.0

    def share(self, status) -> float:
        return 100.0 * self.counts[status] / self.total if self.total else 0.0
