"""The home page: what needs the user now, per role within each unit.

It lives in the project package, above the apps, because it reads across them (plans, evidence, reports,
notifications); only the home view (zi_portal.views) imports it, and the apps import one another in one direction
only (tests/test_app_imports.py)."""
from django.db.models import F, OuterRef, Subquery

from actionplan.models import Plan, Role, Target, due_soon_q, needs_date_q, overdue_q

from .nav import notification_model

# -------------------------------------------------------------------------------------------------------------------
# The home page: what needs the user now, per role within each unit
# -------------------------------------------------------------------------------------------------------------------

HOME_LIMIT = 8  # rows per home panel; each panel links to the page that lists them all


def _escalations(user, unit_ids: list[int]) -> list:
    """The escalations sent to `user` about targets of `unit_ids`, newest first (HOME_LIMIT)."""
    return list(notification_model().objects
                .filter(recipient=user, kind="escalation",  # notifications.models.Kind.ESCALATION
                        target__step__indicator__subcomponent__component__plan__unit_id__in=unit_ids)
                .select_related("target__step", "target__step__indicator__subcomponent__component__plan")
                .order_by("read_at", "-notice_date", "-id")[:HOME_LIMIT])


def _target_rows(qs, order=("due_date", "id")) -> list[dict]:
    return list(qs.order_by(*order).values(
        "pk", "due_date", "evidence_status", "date_confirmed_at", description=F("step__description"),
        code=F("step__indicator__subcomponent__component__code"),
        unit_id=F("step__indicator__subcomponent__component__plan__unit_id"))[:HOME_LIMIT])


def home_panels(user, *, memberships: list, today) -> list[dict]:
    """For each unit of `user` (the navigation bar's memberships, which carry the counts), the panels of their role
    there: lists of at most HOME_LIMIT rows, each row with what the template links to. A fixed number of queries
    per role the user holds, whatever the size of the plans (the counts come with the navigation bar)."""
    from monev.models import Report

    by_role: dict[str, list[int]] = {}
    for m in memberships:
        by_role.setdefault(m.role, []).append(m.unit_id)
    unit_path = "step__indicator__subcomponent__component__plan__unit_id__in"
    lists: dict[str, list] = {}
    if units := by_role.get(Role.ANGGOTA):
        mine = Target.objects.filter(**{unit_path: units}, step__assignments__user=user)
        lists["overdue"] = _target_rows(mine.filter(overdue_q(today)))
        lists["soon"] = _target_rows(mine.filter(due_soon_q(today)))
        lists["sent_back"] = _sent_back(user, units)
    if units := by_role.get(Role.KETUA):
        from evidence.selectors import review_queue

        lists["queue"] = list(review_queue(user).filter(**{f"target__{unit_path}": units})[:HOME_LIMIT])
        in_units = Target.objects.filter(**{unit_path: units})
        lists["unit_overdue"] = _target_rows(in_units.filter(overdue_q(today)))
        # No date, or a date outside the plan year nobody confirmed: both wait for the Ketua Tim to set it.
        lists["undated"] = _target_rows(in_units.filter(needs_date_q()), order=("step_id", "id"))
        lists["semester_reports"] = _semester_reports(units, today)
    if units := by_role.get(Role.KEPALA):
        lists["awaiting_signature"] = list(
            Report.objects.filter(plan__unit_id__in=units, status=Report.Status.SUBMITTED)
            .select_related("plan", "submitted_by").order_by("submitted_at", "id")[:HOME_LIMIT])
        lists["escalations"] = _escalations(user, units)
    if units := by_role.get(Role.TPI):
        lists["assessed"] = _assessed_plans(units, today)
    def unit_of_target(row):
        return row.target.step.indicator.subcomponent.component.plan.unit_id

    unit_of = {"queue": unit_of_target, "escalations": unit_of_target,
               "semester_reports": lambda r: r["plan"].unit_id, "assessed": lambda r: r["plan"].unit_id,
               "awaiting_signature": lambda r: r.plan.unit_id}
    panels = []
    for m in memberships:
        panel = {"membership": m, "unit": m.unit, "role": m.role, "counts": m.counts}
        for key in ("overdue", "soon", "sent_back", "queue", "unit_overdue", "undated", "semester_reports",
                    "awaiting_signature", "escalations", "assessed"):
            of = unit_of.get(key, lambda r: r["unit_id"])
            panel[key] = [row for row in lists.get(key, []) if of(row) == m.unit_id]
        panels.append(panel)
    return panels


def _sent_back(user, unit_ids: list[int]) -> list[dict]:
    """The user's targets whose latest revision was sent back, with the reviewer's note (latest first)."""
    from evidence.models import Revision, RevisionStatus

    rows = (Revision.objects
            .filter(status=RevisionStatus.REVISE, target__evidence_status=RevisionStatus.REVISE,
                    target__step__assignments__user=user,
                    **{"target__step__indicator__subcomponent__component__plan__unit_id__in": unit_ids})
            .order_by("-decision__decided_at", "-number")
            .values("number", target_pk=F("target_id"), due_date=F("target__due_date"),
                    step_text=F("target__step__description"), note=F("decision__note"),
                    decided_at=F("decision__decided_at"), reviewer_first=F("decision__reviewer__first_name"),
                    reviewer_last=F("decision__reviewer__last_name"),
                    reviewer_username=F("decision__reviewer__username"),
                    unit_id=F("target__step__indicator__subcomponent__component__plan__unit_id")))
    seen, out = set(), []
    for row in rows[:HOME_LIMIT * 4]:  # a target sent back twice has two such revisions: keep its latest
        if row["target_pk"] in seen:
            continue
        seen.add(row["target_pk"])
        row["reviewer"] = f"{row['reviewer_first']} {row['reviewer_last']}".strip() or row["reviewer_username"]
        out.append(row)
    return out[:HOME_LIMIT]


def _semester_reports(unit_ids: list[int], today) -> list[dict]:
    """The report due this semester for each plan of this year in `unit_ids`: the plan, the semester, and the
    status and version of that semester's latest report (no status before it is started). One query."""
    from monev.models import Report

    semester = 1 if today.month <= 6 else 2
    latest = Report.objects.filter(plan=OuterRef("pk"), semester=semester).order_by("-version")
    plans = (Plan.objects.filter(unit_id__in=unit_ids, year=today.year).select_related("unit")
             .annotate(report_status=Subquery(latest.values("status")[:1]),
                       report_version=Subquery(latest.values("version")[:1])).order_by("unit__name"))
    labels = dict(Report.Status.choices)
    return [{"plan": p, "semester": semester, "semester_roman": "I" if semester == 1 else "II",
             "status": p.report_status, "status_label": labels.get(p.report_status, ""),
             "version": p.report_version} for p in plans]


def _assessed_plans(unit_ids: list[int], today) -> list[dict]:
    """Each plan of `unit_ids` with its progress as of `today` (done, late, waiting, total, percent): one grouped
    query over the plans' targets, with the dashboard's statuses."""
    from evidence.statuses import DONE, LATE, PLAN_PATH, WAITING, grouped_counts, targets_with_status

    plans = list(Plan.objects.filter(unit_id__in=unit_ids).select_related("unit").order_by("unit__name", "-year"))
    counts = grouped_counts(targets_with_status(as_of=today, plans=[p.pk for p in plans]), plan_id=PLAN_PATH + "_id")
    out = []
    for plan in plans:
        c = counts.get((plan.pk,), {DONE: 0, LATE: 0, WAITING: 0, "total": 0})
        out.append({"plan": plan, "total": c["total"], "done": c[DONE], "late": c[LATE], "waiting": c[WAITING],
                    "percent": round(100.0 * c[DONE] / c["total"], 1) if c["total"] else 0.0})
    return out


