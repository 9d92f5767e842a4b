"""Progress of a plan, computed in the database.

Each target has one status as of a date, decided in SQL (a CASE over an EXISTS and a subquery), in this order:

1. ``selesai`` — it has an accepted revision;
2. ``perlu_ditinjau`` — it has no due date (the target text could not be turned into a date);
3. ``menunggu_review`` — its latest revision waits for the Ketua Tim;
   ``perlu_ditinjau`` too — its date lies outside the plan year and no person has confirmed it (a suspected typo
   is never counted overdue in another year);
4. ``terlambat`` — its due date has passed and nothing is accepted;
5. ``perlu_perbaikan`` — its latest revision was sent back, and it is not yet due;
6. ``belum_jatuh_tempo`` — otherwise.

The status *as of* a date uses only what had happened by the end of that day (Asia/Jakarta): revisions uploaded by
then, and each one's review decision or withdrawal only if made by then (`evidence_status_at`). Today or later the
denormalised `Target.evidence_status` is that answer already and is used as it is (no subquery).

Completion is ``selesai / all targets`` at each level (action step, indicator, sub-component, component, plan);
the weighted figure is the mean of component completions weighted by the plan's component weights.
Every function here runs a fixed number of queries whatever the size of the plan.
"""
import datetime
from decimal import Decimal

from django.db.models import Case, CharField, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from actionplan.models import Assignment, AuditEvent, Component, Membership, Plan, Role, SubComponent, Target, Unit
from evidence.models import EvidenceFile, Revision, RevisionStatus
from evidence.statuses import (  # noqa: F401 — the status names and the SQL live in statuses.py; pages import them from here
    DONE,
    LATE,
    MONTHS,
    NOT_DUE,
    PLAN_PATH,
    REVIEW_NEEDED,
    REVISE,
    STATUS_LABELS,
    STATUSES,
    WAITING,
    Progress,
    day_end,
    evidence_status_at,
    grouped_counts,
    is_historical,
    revision_status_at,
    targets_with_status,
)

from .models import Report

DASHBOARD_ROLES = {Role.KETUA, Role.KEPALA, Role.TPI}
LEVELS = {
    "plan": PLAN_PATH + "_id",
    "component": "step__indicator__subcomponent__component_id",
    "subcomponent": "step__indicator__subcomponent_id",
    "indicator": "step__indicator_id",
    "step": "step_id",
}


def _plan_access_sql() -> str:
    plan, unit, member, audit = (m._meta.db_table for m in (Plan, Unit, Membership, AuditEvent))
    return (f'SELECT p.id, p.unit_id, p.year, p.title, p.status, u.name, u.pemda, u.address, u.city, u.logo, '
            f'm.id, m.role, (SELECT MAX(a.id) FROM "{audit}" a WHERE a.unit_id = p.unit_id) '
            f'FROM "{plan}" p INNER JOIN "{unit}" u ON u.id = p.unit_id '
            f'LEFT OUTER JOIN "{member}" m ON m.unit_id = p.unit_id AND m.user_id = %s WHERE p.id = %s')


def get_dashboard_plan(user, plan_id) -> tuple[Plan, Membership]:
    """404 outside the user's units; 403 (PermissionDenied) for roles that do not watch progress (Anggota).
    One statement gives the plan with its unit, the user's membership there and the unit's version
    (`plan.unit_version`, what `unit_version` gives), so the cached dashboard costs little more than the framework.
    Written as SQL: compiling the three ORM queries it replaces cost five times what running them does."""
    from django.core.exceptions import PermissionDenied
    from django.db import connection

    row = None
    # The URL's number may be anything; a number outside the id column's range is no plan (the ORM answers so too).
    if user.is_authenticated and -(2 ** 63) <= int(plan_id) < 2 ** 63:
        with connection.cursor() as cursor:
            cursor.execute(_plan_access_sql(), [user.pk, int(plan_id)])
            row = cursor.fetchone()
    if row is None or row[10] is None:
        raise Http404("Rencana kerja tidak ditemukan.")
    db = connection.alias
    plan = Plan.from_db(db, ["id", "unit_id", "year", "title", "status"], row[0:5])
    plan.unit = Unit.from_db(db, ["id", "name", "pemda", "address", "city", "logo"], (row[1], *row[5:10]))
    plan.unit_version = row[12] or 0
    membership = Membership.from_db(db, ["id", "user_id", "unit_id", "role"], (row[10], user.pk, row[1], row[11]))
    membership.user, membership.unit = user, plan.unit
    if membership.role not in DASHBOARD_ROLES:
        raise PermissionDenied("Dasbor kemajuan untuk Ketua Tim, Kepala Dinas dan TPI.")
    return plan, membership


def progress_by(*, plan: Plan, level: str, as_of: datetime.date, semester: int | None = None) -> dict:
    """{id of the level's object: Progress} in one grouped query."""
    counts = grouped_counts(targets_with_status(as_of=as_of, plans=[plan.pk], semester=semester), key=LEVELS[level])
    return {key: Progress(key, c["total"], c) for (key,), c in counts.items()}


def weighted_percent(components, by_component: dict) -> float | None:
    """Σ(weight × completion) / Σ weight over components that have targets in the period."""
    num, den = Decimal(0), Decimal(0)
    for c in components:
        p = by_component.get(c.pk)
        if p and p.total:
            num += c.weight * Decimal(p.done) / Decimal(p.total)
            den += c.weight
    return round(float(100 * num / den), 1) if den else None


LIST_LIMIT = 20  # rows of the overdue and upcoming lists on the page; the status export has them all


def dashboard_data(*, plan: Plan, as_of: datetime.date, semester: int | None = None) -> dict:
    """Everything the dashboard (and the semester report) shows, in six queries whatever the size of the plan:
    components, sub-components, one light row per target (its status decided in SQL), the assignments with the
    people's names, the texts of the listed targets, the review queue. The counts per sub-component, component and
    person and the lists are made from the rows in one pass: cheaper than the five grouped and counting queries
    they replace (each of which joined the whole plan again)."""
    components = list(Component.objects.filter(plan=plan).order_by("order"))
    subcomponents = list(SubComponent.objects.filter(component__plan=plan).select_related("component")
                         .order_by("component__order", "number"))
    rows = list(targets_with_status(as_of=as_of, plans=[plan.pk], semester=semester).order_by("due_date", "pk")
                .values_list("pk", "status", "step_id", "due_date", "step__indicator__subcomponent_id",
                             "step__indicator__subcomponent__component_id"))
    statuses_by_step: dict[int, list[str]] = {}
    people: dict[int, list] = {}  # step id → [(user id, name)]
    names: dict[int, str] = {}
    for step_id, user_id, username, first, last in (
            Assignment.objects.filter(**{PLAN_PATH: plan}).order_by("user__username")
            .values_list("step_id", "user_id", "user__username", "user__first_name", "user__last_name")):
        names[user_id] = f"{first} {last}".strip() or username
        people.setdefault(step_id, []).append(user_id)
    empty = {s: 0 for s in STATUSES}
    by_sub: dict[int, dict] = {}
    sub_component: dict[int, int] = {}
    per_person: dict[int, dict] = {}
    overdue_ids, upcoming_ids, upcoming_count, unassigned = [], [], 0, 0
    soon_end = as_of + datetime.timedelta(days=30)
    for pk, status, step_id, due, sub_id, component_id in rows:
        statuses_by_step.setdefault(step_id, []).append(status)
        counts = by_sub.get(sub_id)
        if counts is None:
            counts = by_sub[sub_id] = {**empty, "total": 0}
            sub_component[sub_id] = component_id
        counts[status] += 1
        counts["total"] += 1
        assignees = people.get(step_id)
        if assignees:
            for user_id in assignees:
                mine = per_person.get(user_id)
                if mine is None:
                    mine = per_person[user_id] = {**empty, "total": 0}
                mine[status] += 1
                mine["total"] += 1
        elif status != DONE:
            unassigned += 1
        if status == LATE:
            if len(overdue_ids) < LIST_LIMIT:
                overdue_ids.append(pk)
        elif status in (NOT_DUE, REVISE) and due is not None and as_of <= due <= soon_end:
            upcoming_count += 1
            if len(upcoming_ids) < LIST_LIMIT:
                upcoming_ids.append(pk)
    by_component: dict[int, Progress] = {}
    for sub_id, c in by_sub.items():
        p = by_component.setdefault(sub_component[sub_id], Progress(sub_component[sub_id], 0, dict(empty)))
        p.total += c["total"]
        for status in STATUSES:
            p.counts[status] += c[status]
    sub_progress = {sub: Progress(sub, c["total"], c) for sub, c in by_sub.items()}
    total = Progress("plan", sum(p.total for p in by_component.values()),
                     {s: sum(p.counts[s] for p in by_component.values()) for s in STATUSES})
    listed = {r["pk"]: r for r in Target.objects.filter(pk__in=overdue_ids + upcoming_ids).values(
        "pk", "due_date", "step_id", description=F("step__description"),
        code=F("step__indicator__subcomponent__component__code"),
        number=F("step__indicator__subcomponent__number"))}
    for r in listed.values():
        r["people"] = ", ".join(names[u] for u in people.get(r["step_id"], []))
    workload = sorted(({"user_id": user_id, "name": names[user_id], **c} for user_id, c in per_person.items()),
                      key=lambda w: (-w[LATE], w["name"]))
    queue = _pending_revisions(plan, as_of).count()
    return {
        "components": [(c, by_component.get(c.pk) or Progress(c.pk, 0, dict(empty))) for c in components],
        "subcomponents": [(sub, sub_progress[sub.pk]) for sub in subcomponents if sub.pk in sub_progress],
        "total": total,
        "weighted": weighted_percent(components, by_component),
        "overdue": [listed[pk] for pk in overdue_ids],
        "upcoming": [listed[pk] for pk in upcoming_ids],
        "upcoming_count": upcoming_count,
        "list_limit": LIST_LIMIT,
        "workload": workload,
        "unassigned": unassigned,
        "review_queue": queue,
        "statuses_by_step": statuses_by_step,  # for the priority targets' progress (programme.selectors)
    }


def _pending_revisions(plan: Plan, as_of: datetime.date) -> QuerySet:
    """Revisions of the plan waiting for review (as of the end of `as_of` for an earlier date)."""
    revisions = Revision.objects.filter(**{f"target__{PLAN_PATH}": plan})
    if not is_historical(as_of):
        return revisions.filter(status=RevisionStatus.SUBMITTED)
    cutoff = day_end(as_of)
    return (revisions.filter(submitted_at__lt=cutoff).annotate(then_status=revision_status_at(cutoff))
            .filter(then_status=RevisionStatus.SUBMITTED))


def units_summary(user, *, as_of: datetime.date) -> list[dict]:
    """One row per plan of every unit the user belongs to: role, targets, done, late, completion, weighted."""
    memberships = {m.unit_id: m for m in Membership.objects.filter(user=user).select_related("unit")}
    plans = list(Plan.objects.filter(unit_id__in=memberships).select_related("unit").order_by("unit__name", "-year"))
    counts = grouped_counts(targets_with_status(as_of=as_of, plans=[p.pk for p in plans]),
                            plan_id=PLAN_PATH + "_id", weight="step__indicator__subcomponent__component__weight",
                            component_id="step__indicator__subcomponent__component_id")
    per_plan: dict[int, list] = {}
    for (plan_id, weight, _component), c in counts.items():
        per_plan.setdefault(plan_id, []).append({**c, "weight": weight})
    out = []
    for plan in plans:
        parts = per_plan.get(plan.pk, [])
        total = sum(r["total"] for r in parts)
        done = sum(r[DONE] for r in parts)
        den = sum(r["weight"] for r in parts if r["total"])
        num = sum(r["weight"] * Decimal(r[DONE]) / Decimal(r["total"]) for r in parts if r["total"])
        out.append({
            "plan": plan, "membership": memberships[plan.unit_id], "total": total, "done": done,
            "late": sum(r[LATE] for r in parts), "waiting": sum(r[WAITING] for r in parts),
            "percent": round(100.0 * done / total, 1) if total else 0.0,
            "weighted": round(float(100 * num / den), 1) if den else None,
            "can_open": memberships[plan.unit_id].role in DASHBOARD_ROLES,
        })
    return out


STATUS_ORDER = ("step__indicator__subcomponent__component__order", "step__indicator__subcomponent__number",
                "step__indicator__order", "step__order", "due_date")
REVISION_LABELS = dict(RevisionStatus.choices)


def _full_name(first: str, last: str, username: str) -> str:
    """What `User.get_full_name() or username` gives, from values."""
    return f"{first} {last}".strip() or username


def status_rows(*, plan: Plan, as_of: datetime.date, semester: int | None = None) -> list[dict]:
    """Every target of the plan (or of one semester) in plan order, as plain dicts: the target's fields and
    `status`, its sub-component, indicator and step texts (`description`), `people` (names of those responsible,
    in assignment order) and `revisions` (newest first: number, status, document_date, note of the review,
    files' names).
    Four queries whatever the size of the plan: targets, people, revisions, files — each joined to the plan rather
    than given a list of ids, so no query grows with the plan."""
    targets = targets_with_status(as_of=as_of, plans=[plan.pk], semester=semester)
    rows = list(targets.order_by(*STATUS_ORDER).values(
        "pk", "step_id", "due_date", "year", "semester", "warning", "status",
        code=F("step__indicator__subcomponent__component__code"),
        component_name=F("step__indicator__subcomponent__component__name"),
        sub_number=F("step__indicator__subcomponent__number"), sub_name=F("step__indicator__subcomponent__name"),
        indicator=F("step__indicator__text"), description=F("step__description"), target_text=F("step__target_text"),
        review_reason=F("step__review_reason")))
    people: dict[int, list[str]] = {}
    for a in (Assignment.objects.filter(**{PLAN_PATH: plan})
              .order_by("step_id", "id").values_list("step_id", "user__first_name", "user__last_name",
                                                     "user__username")):
        people.setdefault(a[0], []).append(_full_name(*a[1:]))
    revision_filter = {f"target__{PLAN_PATH}": plan}
    if semester in (1, 2):
        revision_filter["target__semester"] = semester
    # For an earlier date: the revisions uploaded by then, each with its status and review note of that day.
    then_status, then_note = F("status"), F("decision__note")
    if is_historical(as_of):
        cutoff = day_end(as_of)
        revision_filter["submitted_at__lt"] = cutoff
        then_status = revision_status_at(cutoff)
        then_note = Case(When(decision__decided_at__lt=cutoff, then=F("decision__note")), default=Value(""),
                         output_field=CharField())
    files: dict[int, list[str]] = {}
    for revision_id, name in (EvidenceFile.objects.filter(**{f"revision__{k}": v for k, v in revision_filter.items()})
                              .order_by("revision_id", "id").values_list("revision_id", "original_name")):
        files.setdefault(revision_id, []).append(name)
    revisions: dict[int, list[dict]] = {}
    for r in (Revision.objects.filter(**revision_filter).order_by("target_id", "-number")
              .values("id", "target_id", "number", "document_date", then_status=then_status, note=then_note)):
        r["status"] = r.pop("then_status")
        r["status_label"] = str(REVISION_LABELS[r["status"]])
        r["note"] = r["note"] or ""
        r["files"] = files.get(r["id"], [])
        revisions.setdefault(r["target_id"], []).append(r)
    for row in rows:
        row["people"] = people.get(row["step_id"], [])
        row["revisions"] = revisions.get(row["pk"], [])
    return rows


def semester_bounds(year: int, semester: int) -> tuple[datetime.date, datetime.date]:
    """Semester I: 1 January–30 June; Semester II: 1 July–31 December."""
    return (datetime.date(year, 1, 1), datetime.date(year, 6, 30)) if semester == 1 else \
        (datetime.date(year, 7, 1), datetime.date(year, 12, 31))


def report_as_of(plan: Plan, semester: int, today: datetime.date | None = None) -> datetime.date:
    """A semester report states the situation at the semester's end, or today while the semester runs."""
    today = today or datetime.date.today()
    return min(semester_bounds(plan.year, semester)[1], today)


def report_snapshot(*, plan: Plan, semester: int, as_of: datetime.date) -> dict:
    """The data of a semester Monev report as plain JSON-able values: the same figures as the dashboard for the
    same semester and date, plus every target of the semester with its evidence. Frozen into the report when the
    Ketua Tim submits it, so later uploads do not change a submitted report. Fixed number of queries."""
    from lke.selectors import monev_section as lke_monev_section
    from programme.selectors import programme_snapshot

    from .charts import component_chart

    data = dashboard_data(plan=plan, as_of=as_of, semester=semester)
    people = {r["role"]: r for r in Membership.objects.filter(unit_id=plan.unit_id, role__in=[Role.KEPALA, Role.KETUA])
              .order_by("id").values("role", first=F("user__first_name"), last=F("user__last_name"),
                                     username=F("user__username"), nip=F("user__profile__nip"),
                                     position=F("user__profile__position"))}

    def person(role):
        r = people.get(role)
        if not r:
            return None
        nip = r["nip"] or ""
        return {"name": f"{r['first']} {r['last']}".strip() or r["username"], "position": r["position"] or "",
                "nip": f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}" if len(nip) == 18 else nip}

    rows: dict[str, list] = {}
    for t in status_rows(plan=plan, as_of=as_of, semester=semester):
        revisions = t["revisions"]
        accepted = next((r for r in revisions if r["status"] == RevisionStatus.ACCEPTED), None)
        shown = accepted or (revisions[0] if revisions else None)
        rows.setdefault(t["code"], []).append({
            "subcomponent": f"{t['sub_number']}. {t['sub_name']}",
            "indicator": t["indicator"],
            "step": t["description"],
            "target_text": t["target_text"],
            "due_date": t["due_date"].isoformat() if t["due_date"] else None,
            "status": t["status"],
            "status_label": STATUS_LABELS[t["status"]],
            "people": ", ".join(t["people"]),
            "evidence": None if shown is None else {
                "revision": shown["number"], "status": shown["status_label"],
                "document_date": shown["document_date"].isoformat(),
                "files": shown["files"],
                "review_note": shown["note"],
            },
        })
    start, end = semester_bounds(plan.year, semester)
    return {
        "unit": {"name": plan.unit.name, "pemda": plan.unit.pemda, "address": plan.unit.address,
                 "city": plan.unit.city},
        "plan": {"id": plan.pk, "title": plan.title, "year": plan.year},
        "semester": semester, "period_start": start.isoformat(), "period_end": end.isoformat(),
        "as_of": as_of.isoformat(),
        "summary": {"total": data["total"].total, "percent": data["total"].percent, "weighted": data["weighted"],
                    **{s: data["total"].counts[s] for s in STATUSES}, "review_queue": data["review_queue"]},
        "components": [{"code": c.code, "name": c.get_code_display(), "weight": str(c.weight), "total": p.total,
                        "percent": p.percent, **{s: p.counts[s] for s in STATUSES}, "rows": rows.get(c.code, [])}
                       for c, p in data["components"]],
        "chart_svg": component_chart(data["components"]),
        "kepala": person(Role.KEPALA),
        "ketua": person(Role.KETUA),
        "lke": lke_monev_section(plan),   # issue 10: the LKE section, frozen with the report
        "programme": programme_snapshot(plan=plan, as_of=as_of, semester=semester,
                                        statuses_by_step=data["statuses_by_step"]),  # issue 11
    }


def get_report_for_user(user, report_id):
    """The report and the user's membership; 404 outside the unit, 403 for roles that do not handle reports."""
    from django.core.exceptions import PermissionDenied

    report = Report.objects.select_related("plan__unit").filter(pk=report_id).first()
    membership = (Membership.objects.filter(user=user, unit_id=report.plan.unit_id).first()
                  if report and user.is_authenticated else None)
    if membership is None:
        raise Http404("Laporan tidak ditemukan.")
    if membership.role not in DASHBOARD_ROLES:
        raise PermissionDenied("Laporan monev untuk Ketua Tim, Kepala Dinas dan TPI.")
    return report, membership


def get_signed_report_by_code(code: str):
    report = (Report.objects.select_related("plan__unit", "signed_by")
              .filter(verification_code=code.strip().upper(), status=Report.Status.SIGNED).first())
    if report is None:
        raise Http404("Kode verifikasi tidak dikenal.")
    return report


def report_page_data(*, plan: Plan, semester: int) -> dict:
    """Versions of the semester's report (newest first) with their recommendations and follow-ups."""
    versions = list(Report.objects.filter(plan=plan, semester=semester)
                    .select_related("submitted_by", "signed_by", "replaces")
                    .prefetch_related("recommendations", "followups__recommendation")
                    .order_by("-version"))
    return {"versions": versions, "current": versions[0] if versions else None,
            "previous": previous_report(plan, semester)}

def previous_report(plan: Plan, semester: int) -> Report | None:
    """The signed report of the semester before (Semester II of the previous year for Semester I)."""
    year, sem = (plan.year, 1) if semester == 2 else (plan.year - 1, 2)
    return (Report.objects.filter(plan__unit_id=plan.unit_id, plan__year=year, semester=sem,
                           status=Report.Status.SIGNED).order_by("-version").first())




def month_ends(year: int) -> list[datetime.date]:
    return [datetime.date(year + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1) for m in range(1, 13)]


def progress_over_time(*, plan: Plan, as_of: datetime.date, components) -> dict:
    """Completion (share of targets accepted) per component at each month's end of the plan year that has passed
    by `as_of` (and by today), and Semester I against Semester II: each semester's targets accepted by the
    semester's end. The same rule as the as-of status (an acceptance counts from its decision's time). One query
    (the targets with the time of their acceptance), then Python; `components` are the plan's, in order."""
    import bisect

    accepted_at = (Revision.objects.filter(target=OuterRef("pk"), status=RevisionStatus.ACCEPTED)
                   .annotate(at=Coalesce(F("decision__decided_at"), F("status_changed_at"))).values("at")[:1])
    rows = (Target.objects.filter(**{f"{PLAN_PATH}": plan}).order_by()
            .values_list("step__indicator__subcomponent__component_id", "semester", Subquery(accepted_at)))
    limit = min(as_of, timezone.localdate())
    totals: dict[int, int] = {}
    done_times: dict[int, list] = {}
    per_semester: dict[int, list] = {1: [], 2: []}
    semester_totals = {1: 0, 2: 0}
    for component_id, semester, at in rows:
        totals[component_id] = totals.get(component_id, 0) + 1
        if semester in per_semester:
            semester_totals[semester] += 1
        if at is not None:
            done_times.setdefault(component_id, []).append(at)
            if semester in per_semester:
                per_semester[semester].append(at)
    for times in (*done_times.values(), *per_semester.values()):
        times.sort()

    def done_by(times: list, date: datetime.date) -> int:
        return bisect.bisect_left(times, day_end(date))

    ends = [d for d in month_ends(plan.year) if d <= limit]
    series = []
    for component in components:
        total = totals.get(component.pk, 0)
        times = done_times.get(component.pk, [])
        series.append({"code": component.code, "name": component.get_code_display(), "total": total,
                       "points": [round(100.0 * done_by(times, d) / total, 1) if total else 0.0 for d in ends]})
    semesters = []
    for semester in (1, 2):
        end = semester_bounds(plan.year, semester)[1]
        total, times = semester_totals[semester], per_semester[semester]
        by_end = done_by(times, end) if end <= limit else None
        now = done_by(times, limit)
        semesters.append({"semester": semester, "label": f"Semester {'I' if semester == 1 else 'II'}",
                          "total": total, "end": end, "closed": end <= limit,
                          "done_by_end": by_end,
                          "percent_by_end": round(100.0 * by_end / total, 1) if total and by_end is not None else None,
                          "done": now, "percent": round(100.0 * now / total, 1) if total else 0.0})
    return {"months": [MONTHS[d.month - 1] for d in ends], "month_ends": ends, "series": series,
            "semesters": semesters, "as_of": limit}
