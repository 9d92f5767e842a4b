"""Reads of the programme pages, each a fixed number of queries whatever the number of staff or steps.

Priority-target progress uses the dashboard's own status expression (`monev.selectors.targets_with_status`,
decided in SQL per target) grouped by priority target in one GROUP BY: a target served by two priority
targets counts for each.
"""
import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, FilteredRelation, Prefetch, Q
from django.http import Http404

from actionplan.models import Membership, Plan, Role, Unit
from evidence.statuses import DONE, STATUSES, Progress, grouped_counts, targets_with_status

from .models import AssetReport, PaktaIntegritas, PriorityLink, PriorityTarget, StaffMember, Team, TeamMember

READ_ROLES = frozenset({Role.ANGGOTA, Role.KETUA, Role.KEPALA, Role.TPI})
# The register holds colleagues' NIPs and signatures: not for every Anggota.
REGISTER_ROLES = frozenset({Role.KETUA, Role.KEPALA, Role.TPI})


def get_unit_for_user(user, unit_id, *, roles=READ_ROLES) -> tuple[Unit, Membership]:
    """404 outside the user's units; 403 for a role not in `roles`."""
    # An id out of the database's range (from the URL) is simply unknown: the foreign-key lookup would overflow.
    membership = (Membership.objects.select_related("unit").filter(user=user, unit_id=unit_id).first()
                  if user.is_authenticated and 0 < int(unit_id) < 2**63 else None)
    if membership is None:
        raise Http404("Unit kerja tidak ditemukan.")
    if membership.role not in roles:
        raise PermissionDenied("Peran Anda tidak dapat membuka halaman ini.")
    return membership.unit, membership


def get_plan_for_user(user, plan_id, *, roles=READ_ROLES) -> tuple[Plan, Membership]:
    plan = Plan.objects.select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise Http404("Rencana kerja tidak ditemukan.")
    _unit, membership = get_unit_for_user(user, plan.unit_id, roles=roles)
    return plan, membership


def get_priority_for_user(user, priority_id, *, roles=READ_ROLES) -> tuple[PriorityTarget, Membership]:
    priority = PriorityTarget.objects.select_related("plan__unit").filter(pk=priority_id).first()
    if priority is None:
        raise Http404("Target prioritas tidak ditemukan.")
    _unit, membership = get_unit_for_user(user, priority.plan.unit_id, roles=roles)
    return priority, membership


def get_staff_for_user(user, staff_id, *, roles=REGISTER_ROLES) -> tuple[StaffMember, Membership]:
    staff = StaffMember.objects.filter(pk=staff_id).first()
    if staff is None:
        raise Http404("Pegawai tidak ditemukan.")
    _unit, membership = get_unit_for_user(user, staff.unit_id, roles=roles)
    return staff, membership


def get_team_for_user(user, team_id, *, roles=READ_ROLES) -> tuple[Team, Membership]:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404("SK tidak ditemukan.")
    _unit, membership = get_unit_for_user(user, team.unit_id, roles=roles)
    return team, membership


def get_pakta_for_user(user, pakta_id, *, roles=REGISTER_ROLES) -> tuple[PaktaIntegritas, Membership]:
    pakta = PaktaIntegritas.objects.select_related("staff", "batch").filter(pk=pakta_id).first()
    if pakta is None:
        raise Http404("Pakta integritas tidak ditemukan.")
    _unit, membership = get_unit_for_user(user, pakta.staff.unit_id, roles=roles)
    return pakta, membership


# -- teams --------------------------------------------------------------------------------------------------------

def teams_current(*, unit_id: int) -> list[Team]:
    """The unit's teams under their current SK, members in SK order. Two queries."""
    return list(Team.objects.filter(unit_id=unit_id, replaced_by__isnull=True)
                .prefetch_related(Prefetch("members", queryset=TeamMember.objects.order_by("order", "id")))
                .order_by("kind", "name"))


def team_page_data(*, unit_id: int) -> dict:
    """Current teams with members, and the history of replaced SKs (newest first). Three queries."""
    history = list(Team.objects.filter(unit_id=unit_id, replaced_by__isnull=False)
                   .select_related("replaced_by").annotate(member_count=Count("members"))
                   .order_by("-sk_date", "-id"))
    return {"teams": teams_current(unit_id=unit_id), "history": history}


# -- priority targets ---------------------------------------------------------------------------------------------

def priority_progress(*, plan: Plan, as_of: datetime.date, semester: int | None = None,
                      statuses_by_step: dict[int, list[str]] | None = None) -> list[dict]:
    """The plan's priority targets in order, each with the number of linked steps and the Progress of their
    targets (same statuses as the dashboard). Two queries: the list with its link counts, one GROUP BY.

    The dashboard and the report have already read every target's status for the same date and semester
    (`monev.selectors.dashboard_data`'s `statuses_by_step`): given it, the progress is counted from the links in
    Python (the second query reads only the links), instead of deciding every status in SQL a second time."""
    priorities = list(PriorityTarget.objects.filter(plan=plan).annotate(step_count=Count("links"))
                      .order_by("number"))
    if statuses_by_step is None:
        counts = grouped_counts(
            targets_with_status(as_of=as_of, plans=[plan.pk], semester=semester)
            .filter(step__priority_links__priority__plan=plan),
            priority="step__priority_links__priority_id")
    else:
        counts = {}
        links = PriorityLink.objects.filter(priority__plan=plan).values_list("priority_id", "step_id")
        for priority_id, step_id in links:
            c = counts.get((priority_id,))
            for status in statuses_by_step.get(step_id, ()):
                if c is None:
                    c = counts[(priority_id,)] = {**{s: 0 for s in STATUSES}, "total": 0}
                c[status] += 1
                c["total"] += 1
    out = []
    for p in priorities:
        c = counts.get((p.pk,), {**{s: 0 for s in STATUSES}, "total": 0})
        out.append({"priority": p, "number": p.number, "title": p.title, "step_count": p.step_count,
                    "progress": Progress(p.pk, c["total"], c)})
    return out


def priority_steps(*, plan: Plan) -> dict[int, list[int]]:
    """{priority id: [linked step ids]} for the editing page. One query."""
    out: dict[int, list[int]] = {}
    for pk, step_id in PriorityLink.objects.filter(priority__plan=plan).values_list("priority_id", "step_id"):
        out.setdefault(pk, []).append(step_id)
    return out


def step_priority_numbers(*, plan: Plan) -> dict[int, list[int]]:
    """{step id: [priority numbers]} (plan export, plan page). One query."""
    out: dict[int, list[int]] = {}
    for step_id, number in (PriorityLink.objects.filter(priority__plan=plan)
                            .values_list("step_id", "priority__number").order_by("priority__number")):
        out.setdefault(step_id, []).append(number)
    return out


# -- register -----------------------------------------------------------------------------------------------------

def register_figures(*, unit_id: int, year: int) -> dict:
    """Share of active staff who signed the Pakta Integritas for `year` (all, leaders, others) and the LHKPN /
    LHKASN filing share among those who must file. One aggregate query."""
    f = (StaffMember.objects.filter(unit_id=unit_id, is_active=True)
         .annotate(p=FilteredRelation("pakta", condition=Q(pakta__year=year)),
                   a=FilteredRelation("asset_reports", condition=Q(asset_reports__year=year)))
         .aggregate(total=Count("pk"), signed=Count("pk", filter=Q(p__id__isnull=False)),
                    leaders=Count("pk", filter=~Q(eselon="")),
                    leaders_signed=Count("pk", filter=~Q(eselon="") & Q(p__id__isnull=False)),
                    must_file=Count("pk", filter=Q(a__must_file=True)),
                    filed=Count("pk", filter=Q(a__must_file=True, a__filed_on__isnull=False))))

    def pct(n, d):
        return round(100.0 * n / d, 1) if d else 0.0

    return {**f, "year": year, "percent": pct(f["signed"], f["total"]),
            "leaders_percent": pct(f["leaders_signed"], f["leaders"]),
            "others": f["total"] - f["leaders"], "others_signed": f["signed"] - f["leaders_signed"],
            "others_percent": pct(f["signed"] - f["leaders_signed"], f["total"] - f["leaders"]),
            "unsigned": f["total"] - f["signed"], "filed_percent": pct(f["filed"], f["must_file"])}


def register_rows(*, unit_id: int, year: int):
    """Staff of the unit, leaders (with an eselon) first, active before inactive, with their Pakta and LHKPN
    record of `year` as annotations (no query per person). A lazy queryset: the page paginates it."""
    return (StaffMember.objects.filter(unit_id=unit_id)
            .annotate(p=FilteredRelation("pakta", condition=Q(pakta__year=year)),
                      a=FilteredRelation("asset_reports", condition=Q(asset_reports__year=year)))
            .annotate(pakta_id=F("p__id"), pakta_signed_on=F("p__signed_on"), pakta_file=F("p__file_name"),
                      pakta_batch=F("p__batch__event"), batch_file=F("p__batch__file_name"),
                      asset_kind=F("a__kind"), asset_must=F("a__must_file"), asset_filed=F("a__filed_on"),
                      leader_rank=_leader_rank())
            .order_by("-is_active", "leader_rank", "order", "id"))


def _leader_rank():
    from django.db.models import Case, IntegerField, Value, When

    return Case(When(eselon="", then=Value(1)), default=Value(0), output_field=IntegerField())


def unsigned_staff(*, unit_id: int, year: int):
    """Active staff without a Pakta Integritas for `year`, leaders first. Lazy queryset."""
    return (StaffMember.objects.filter(unit_id=unit_id, is_active=True)
            .exclude(pk__in=PaktaIntegritas.objects.filter(year=year, staff__unit_id=unit_id).values("staff_id"))
            .annotate(leader_rank=_leader_rank()).order_by("leader_rank", "order", "id"))


def asset_report_of(*, staff_id: int, year: int) -> AssetReport | None:
    return AssetReport.objects.filter(staff_id=staff_id, year=year).first()


def programme_summary(*, plan: Plan, as_of: datetime.date, semester: int | None = None,
                      statuses_by_step: dict[int, list[str]] | None = None) -> dict:
    """What the dashboard and the Monev report show of the programme: the priority targets with progress and
    the Pakta Integritas / LHKPN figures of the plan's year. Three queries (see `priority_progress` for
    `statuses_by_step`)."""
    return {"priorities": priority_progress(plan=plan, as_of=as_of, semester=semester,
                                            statuses_by_step=statuses_by_step),
            "register": register_figures(unit_id=plan.unit_id, year=plan.year), "done_key": DONE}


def programme_snapshot(*, plan: Plan, as_of: datetime.date, semester: int | None = None,
                       statuses_by_step: dict[int, list[str]] | None = None) -> dict:
    """`programme_summary` as plain JSON values, frozen into a semester Monev report's snapshot."""
    data = programme_summary(plan=plan, as_of=as_of, semester=semester, statuses_by_step=statuses_by_step)
    return {"priorities": [{"number": r["number"], "title": r["title"], "steps": r["step_count"],
                            "total": r["progress"].total, "done": r["progress"].done,
                            "late": r["progress"].counts["terlambat"], "percent": r["progress"].percent}
                           for r in data["priorities"]],
            "register": data["register"]}


def pakta_notices_for(user, *, limit: int = 12) -> list:
    """The user's latest unsigned-Pakta reminders (for the Notifikasi page). One query."""
    from .models import PaktaNotice

    if not user.is_authenticated:
        return []
    return list(PaktaNotice.objects.filter(recipient=user).select_related("unit").order_by("-created_at", "-id")
                [:limit])
