"""What the public transparency page shows, as plain JSON-able values built in a fixed number of queries.

Only what the unit publishes by switching its page on: the unit's name, the current teams (names, roles, SK
number and date — no NIP, e-mail or phone), the latest plan (components, indicators, action steps, target dates,
the *names* of the bukti fisik asked for — never a file or a link to one), progress per component today with the
dashboard's statuses, the priority targets, the Pakta Integritas share, and the signed Monev reports with their
verification codes (the PDF only where the unit allowed it). No database id appears in the output: reports are
named by their public verification code, everything else by position.
"""
import datetime

from django.http import Http404

from actionplan.models import ActionStep, Component, Indicator, Plan, SubComponent, Target
from monev.models import Report
from monev.selectors import STATUS_LABELS, STATUSES, Progress, grouped_counts, targets_with_status, weighted_percent
from programme.models import TeamKind
from programme.selectors import priority_progress, register_figures, teams_current

from .models import PublicPage

PUBLIC_TEAM_KINDS = (TeamKind.TIM_ZI, TeamKind.AGEN_PERUBAHAN, TeamKind.OTHER)


def get_public_page(slug: str) -> PublicPage:
    """The switched-on page at `slug`, else 404 (a page switched off looks like one that never existed)."""
    page = PublicPage.objects.select_related("unit").filter(slug=slug, enabled=True).first()
    if page is None:
        raise Http404("Halaman tidak ditemukan.")
    return page


def public_plan(unit_id: int) -> Plan | None:
    """The plan shown: the unit's latest-year plan that is not a draft."""
    return (Plan.objects.filter(unit_id=unit_id).exclude(status=Plan.Status.DRAFT).order_by("-year").first())


def _component_progress(plan: Plan, as_of: datetime.date):
    components = list(Component.objects.filter(plan=plan).order_by("order"))
    counts = grouped_counts(targets_with_status(as_of=as_of, plans=[plan.pk]),
                            component="step__indicator__subcomponent__component_id")
    by_component = {k[0]: Progress(k[0], c["total"], c) for k, c in counts.items()}
    empty = {s: 0 for s in STATUSES}
    pairs = [(c, by_component.get(c.pk) or Progress(c.pk, 0, dict(empty))) for c in components]
    return pairs, weighted_percent(components, by_component)


def public_unit_data(page: PublicPage, *, as_of: datetime.date) -> dict:
    """Everything the public page, its CSV and its JSON show (see the module docstring). About a dozen queries,
    the same for any plan or staff size."""
    from monev.charts import component_chart

    unit = page.unit
    plan = public_plan(unit.pk)
    teams = [{"kind": t.get_kind_display(), "name": t.name, "sk_number": t.sk_number,
              "sk_date": t.sk_date.isoformat(),
              "valid_until": t.valid_until.isoformat() if t.valid_until else None,
              "members": [{"name": m.name, "role": m.role_label, "position": m.position}
                          for m in t.members.all()]}
             for t in teams_current(unit_id=unit.pk) if t.kind in PUBLIC_TEAM_KINDS]
    data = {"unit": unit.name, "pemda": unit.pemda, "city": unit.city, "slug": page.slug,
            "as_of": as_of.isoformat(), "year": plan.year if plan else None, "plan_title": plan.title if plan else "",
            "teams": teams, "progress": None, "weighted": None, "components": [], "priority_targets": [],
            "pakta_integritas": None, "reports": [], "chart_svg": ""}
    if plan is None:
        return data
    pairs, weighted = _component_progress(plan, as_of)
    total = sum(p.total for _c, p in pairs)
    done = sum(p.done for _c, p in pairs)
    data["progress"] = round(100.0 * done / total, 1) if total else 0.0
    data["weighted"] = weighted
    data["chart_svg"] = component_chart(pairs)
    # The plan tree as flat rows (four queries, no model instances: the largest part of a cold page).
    in_plan = {"component__plan": plan}
    subs: dict[int, list] = {}
    for r in (SubComponent.objects.filter(**in_plan).order_by("number", "id")
              .values("id", "component_id", "number", "name")):
        subs.setdefault(r["component_id"], []).append({"number": r["number"], "name": r["name"], "indicators": [],
                                                       "_id": r["id"]})
    indicators: dict[int, list] = {}
    for r in (Indicator.objects.filter(subcomponent__component__plan=plan).order_by("order", "id")
              .values("id", "subcomponent_id", "text")):
        indicators.setdefault(r["subcomponent_id"], []).append({"text": r["text"], "steps": [], "_id": r["id"]})
    steps: dict[int, list] = {}
    step_rows: dict[int, dict] = {}
    for r in (ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).order_by("order", "id")
              .values("id", "indicator_id", "description", "evidence_required", "target_text")):
        step_rows[r["id"]] = row = {"description": r["description"], "evidence": r["evidence_required"],
                                    "target_text": r["target_text"], "due_dates": []}
        steps.setdefault(r["indicator_id"], []).append(row)
    for step_id, due in (Target.objects.filter(step__indicator__subcomponent__component__plan=plan,
                                               due_date__isnull=False)
                         .order_by("due_date").values_list("step_id", "due_date")):
        step_rows[step_id]["due_dates"].append(due.isoformat())
    for component, progress in pairs:
        tree = subs.get(component.pk, [])
        for sub in tree:
            sub["indicators"] = indicators.get(sub.pop("_id"), [])
            for ind in sub["indicators"]:
                ind["steps"] = steps.get(ind.pop("_id"), [])
        data["components"].append({
            "code": component.code, "name": component.get_code_display(), "weight": float(component.weight),
            "percent": progress.percent, "targets": progress.total, "done": progress.done,
            "statuses": {STATUS_LABELS[s]: progress.counts[s] for s in STATUSES}, "subcomponents": tree})
    data["priority_targets"] = [{"number": p["number"], "title": p["title"], "percent": p["progress"].percent,
                                 "targets": p["progress"].total, "done": p["progress"].done,
                                 "linked_steps": p["step_count"]}
                                for p in priority_progress(plan=plan, as_of=as_of)]
    figures = register_figures(unit_id=unit.pk, year=plan.year)
    data["pakta_integritas"] = {"year": plan.year, "signed": figures["signed"], "total": figures["total"],
                                "percent": figures["percent"], "leaders_signed": figures["leaders_signed"],
                                "leaders": figures["leaders"]}
    data["reports"] = [{"year": r.plan.year, "semester": r.semester, "version": r.version, "number": r.number,
                        "signed_at": r.signed_at.isoformat() if r.signed_at else None,
                        "code": r.verification_code,
                        "pdf_public": bool(getattr(getattr(r, "publication", None), "pdf_public", False))}
                       for r in Report.objects.filter(plan__unit_id=unit.pk, status=Report.Status.SIGNED,
                                                      verification_code__isnull=False)
                       .select_related("plan", "publication").order_by("-plan__year", "-semester", "-version")]
    return data


def public_units(*, as_of: datetime.date) -> list[dict]:
    """Every switched-on public page with the overall progress of its unit's shown plan. Three queries: pages,
    plans, one grouped count over all of them."""
    pages = list(PublicPage.objects.filter(enabled=True).select_related("unit").order_by("unit__name"))
    plans = {}
    for p in (Plan.objects.filter(unit_id__in=[pg.unit_id for pg in pages]).exclude(status=Plan.Status.DRAFT)
              .order_by("unit_id", "-year")):
        plans.setdefault(p.unit_id, p)
    counts = grouped_counts(targets_with_status(as_of=as_of, plans=[p.pk for p in plans.values()]),
                            plan="step__indicator__subcomponent__component__plan_id",
                            weight="step__indicator__subcomponent__component__weight",
                            component="step__indicator__subcomponent__component_id")
    per_plan: dict[int, list] = {}
    for (plan_id, weight, _component), c in counts.items():
        per_plan.setdefault(plan_id, []).append({**c, "weight": weight})
    out = []
    for page in pages:
        plan = plans.get(page.unit_id)
        parts = per_plan.get(plan.pk, []) if plan else []
        total = sum(r["total"] for r in parts)
        done = sum(r["selesai"] for r in parts)
        den = sum(r["weight"] for r in parts if r["total"])
        num = sum(r["weight"] * r["selesai"] / r["total"] for r in parts if r["total"])
        out.append({"unit": page.unit.name, "pemda": page.unit.pemda, "slug": page.slug,
                    "year": plan.year if plan else None, "targets": total, "done": done,
                    "progress": round(100.0 * done / total, 1) if total else 0.0,
                    "weighted": round(float(100 * num / den), 1) if den else None})
    return out


def public_report(slug: str, code: str) -> Report:
    """A signed report of the page's unit whose PDF the unit published; else 404."""
    page = get_public_page(slug)
    report = (Report.objects.select_related("plan")
              .filter(plan__unit_id=page.unit_id, status=Report.Status.SIGNED, verification_code=code.upper(),
                      publication__pdf_public=True).first())
    if report is None or not report.signed_pdf:
        raise Http404("Laporan tidak ditemukan.")
    return report


# The open-data CSV: one row per target date of an action step (a step without a date: one row, empty date).
CSV_COLUMNS = [
    ("unit", "nama unit kerja"), ("tahun", "tahun rencana kerja"), ("kode_komponen", "I–VI"),
    ("komponen", "nama komponen (area perubahan)"), ("bobot_komponen", "bobot komponen (LKE)"),
    ("persen_komponen", "capaian komponen hari ini, % target selesai"),
    ("no_subkomponen", "nomor sub-komponen"), ("subkomponen", "nama sub-komponen"),
    ("indikator", "indikator"), ("langkah_aksi", "langkah aksi"), ("bukti_fisik", "bukti fisik yang diminta (nama)"),
    ("target_waktu", "target waktu (teks rencana)"), ("jatuh_tempo", "tanggal jatuh tempo (YYYY-MM-DD)"),
    ("status_per", "tanggal status (YYYY-MM-DD)"),
]


def csv_rows(data: dict):
    """The CSV rows of `public_unit_data` (header first); see CSV_COLUMNS."""
    yield [name for name, _ in CSV_COLUMNS]
    for c in data["components"]:
        for sub in c["subcomponents"]:
            for ind in sub["indicators"]:
                for st in ind["steps"]:
                    for due in st["due_dates"] or [""]:
                        yield [data["unit"], data["year"], c["code"], c["name"], c["weight"], c["percent"],
                               sub["number"], sub["name"], ind["text"], st["description"], st["evidence"],
                               st["target_text"], due, data["as_of"]]
