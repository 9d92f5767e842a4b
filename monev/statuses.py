"""The statuses a target can have as of a date (decided in SQL by `selectors.targets_with_status`)."""
import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When

from actionplan.models import Target
from evidence.models import RevisionStatus

DONE, REVIEW_NEEDED, WAITING, LATE, REVISE, NOT_DUE = (
    "selesai", "perlu_ditinjau", "menunggu_review", "terlambat", "perlu_perbaikan", "belum_jatuh_tempo")
STATUSES = [DONE, WAITING, LATE, REVISE, NOT_DUE, REVIEW_NEEDED]
STATUS_LABELS = {DONE: "Selesai", WAITING: "Menunggu review", LATE: "Terlambat", REVISE: "Perlu perbaikan",
                 NOT_DUE: "Belum jatuh tempo", REVIEW_NEEDED: "Perlu ditinjau"}
PLAN_PATH = "step__indicator__subcomponent__component__plan"


def targets_with_status(*, as_of: datetime.date, plans=None, semester: int | None = None) -> QuerySet:
    """Targets annotated with `status` (see module docstring), from the target row alone: the latest revision's
    status is kept on `Target.evidence_status` by the evidence services, and an accepted revision is final."""
    qs = Target.objects.all()
    if plans is not None:
        qs = qs.filter(**{f"{PLAN_PATH}__in": plans})
    if semester in (1, 2):
        qs = qs.filter(semester=semester)
    return qs.annotate(status=Case(
        When(evidence_status=RevisionStatus.ACCEPTED, then=Value(DONE)),
        When(due_date__isnull=True, then=Value(REVIEW_NEEDED)),
        When(evidence_status=RevisionStatus.SUBMITTED, then=Value(WAITING)),
        # A date outside the plan year that nobody confirmed is a probable typo, not a lateness (issue 14).
        When(Q(date_confirmed_at__isnull=True) & ~Q(year=F(f"{PLAN_PATH}__year")), then=Value(REVIEW_NEEDED)),
        When(due_date__lt=as_of, then=Value(LATE)),
        When(evidence_status=RevisionStatus.REVISE, then=Value(REVISE)),
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
