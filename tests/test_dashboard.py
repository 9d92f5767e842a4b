import datetime
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan.models import ActionStep, Component, Indicator, Role, Target
from actionplan.services import assignments_set, person_ensure
from evidence.services import revision_review
from monev import selectors

from .factories import backdate_evidence, submit

AS_OF = datetime.date(2019, 7, 1)
JAN_10 = datetime.datetime(2019, 1, 10, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def dash(client, plan, **params):
    query = "&".join(f"{k}={v}" for k, v in {"per": AS_OF.isoformat(), **params}.items())
    return client.get(f"{reverse('monev:dashboard', args=[plan.pk])}?{query}")


def component_targets(plan, code):
    return list(Target.objects.filter(step__indicator__subcomponent__component__plan=plan,
                                      step__indicator__subcomponent__component__code=code)
                .order_by("due_date", "pk"))


@pytest.fixture
def states(plan, anggota, ketua):
    """Component I (9 targets) put into known states as of 1 July 2019:
    - 28 Feb (Tim Kerja): accepted                          → selesai
    - 28 Feb (Dokumen Rencana): waiting for review         → menunggu review
    - 31 Jan (Agen perubahan): sent back, due passed        → terlambat
    - 31 Oct (Budaya kerja): sent back, not yet due         → perlu perbaikan
    - the other 5 (two past, three future) untouched       → 2 terlambat, 3 belum jatuh tempo."""
    steps = ActionStep.objects.filter(indicator__subcomponent__component__plan=plan,
                                      indicator__subcomponent__component__code="I")
    for step in steps:
        assignments_set(step=step, users=[anggota], actor=ketua)
    by_text = {}
    for t in component_targets(plan, "I"):
        by_text.setdefault((t.step.indicator.text[:20], t.due_date), t)
    targets = component_targets(plan, "I")
    feb = [t for t in targets if t.due_date == datetime.date(2019, 2, 28)]
    jan = [t for t in targets if t.due_date == datetime.date(2019, 1, 31) and "Agen" in t.step.indicator.text][0]
    octo = [t for t in targets if t.due_date == datetime.date(2019, 10, 31)][0]
    membership = ketua.memberships.get()
    accepted = submit(feb[0], anggota)
    revision_review(revision=accepted, user=ketua, membership=membership, decision="accept", note="")
    submit(feb[1], anggota)
    for t in (jan, octo):
        r = submit(t, anggota)
        revision_review(revision=r, user=ketua, membership=membership, decision="revise", note="Lengkapi")
    backdate_evidence(plan, JAN_10)  # all of it done on 10 January 2019, before the dashboard's date
    return {"accepted": feb[0], "waiting": feb[1], "late_revise": jan, "revise": octo}


def test_statuses_follow_the_rules_as_of_a_date(plan, states):
    data = selectors.dashboard_data(plan=plan, as_of=AS_OF)
    comp_i = dict((c.code, p) for c, p in data["components"])["I"]
    assert comp_i.total == 9
    assert comp_i.counts == {"selesai": 1, "menunggu_review": 1, "terlambat": 3, "perlu_perbaikan": 1,
                             "belum_jatuh_tempo": 3, "perlu_ditinjau": 0}
    statuses = {t.pk: t.status for t in selectors.targets_with_status(as_of=AS_OF, plans=[plan.pk])}
    assert statuses[states["accepted"].pk] == "selesai"
    assert statuses[states["waiting"].pk] == "menunggu_review"
    assert statuses[states["late_revise"].pk] == "terlambat"
    assert statuses[states["revise"].pk] == "perlu_perbaikan"
    undated = Target.objects.get(step__indicator__subcomponent__component__plan=plan, due_date__isnull=True)
    assert statuses[undated.pk] == "perlu_ditinjau"


def test_the_same_target_is_late_or_not_depending_on_the_date(plan, states):
    before = {t.pk: t.status for t in selectors.targets_with_status(as_of=datetime.date(2019, 1, 20), plans=[plan])}
    assert before[states["late_revise"].pk] == "perlu_perbaikan"


def test_weighted_figure_uses_the_plans_component_weights(plan, states):
    Component.objects.filter(plan=plan).exclude(code="I").update(weight=Decimal("0"))
    data = selectors.dashboard_data(plan=plan, as_of=AS_OF)
    assert data["weighted"] == pytest.approx(100 * 1 / 9, abs=0.05)  # only component I counts
    Component.objects.filter(plan=plan).update(weight=Decimal("10"))
    data = selectors.dashboard_data(plan=plan, as_of=AS_OF)
    per_component = [p.done / p.total for _c, p in data["components"]]
    assert data["weighted"] == pytest.approx(100 * sum(per_component) / 6, abs=0.05)
    assert data["total"].percent == pytest.approx(100 * 1 / data["total"].total, abs=0.05)


def test_semester_switch_counts_only_that_semesters_targets(login, plan, states, ketua):
    s1 = selectors.dashboard_data(plan=plan, as_of=AS_OF, semester=1)["total"].total
    s2 = selectors.dashboard_data(plan=plan, as_of=AS_OF, semester=2)["total"].total
    year = selectors.dashboard_data(plan=plan, as_of=AS_OF)["total"].total
    assert s1 == Target.objects.filter(semester=1).count() and s2 == Target.objects.filter(semester=2).count()
    assert s1 + s2 + 1 == year  # + the undated target needing review
    body = dash(login(ketua), plan, semester=2).content.decode()
    assert 'data-figure="percent">' in body and "Semester II" in body


@pytest.mark.parametrize("person, status", [("ketua", 200), ("kepala", 200), ("tpi", 200), ("anggota", 403),
                                            ("outsider", 404)])
def test_dashboard_is_for_ketua_kepala_and_tpi(request, login, plan, person, status):
    assert dash(login(request.getfixturevalue(person)), plan).status_code == status


def test_dashboard_shows_the_figures_and_who_is_late(login, plan, states, ketua):
    body = dash(login(ketua), plan).content.decode()
    assert 'data-figure="terlambat">' in body
    assert 'data-figure="queue">1<' in body
    assert "Anggota" in body.split('id="overdue"')[1]  # the person responsible is named on the overdue list
    assert "<svg" in body and "pat-late" in body
    subs = body.split('id="subcomponents"')[1]
    assert "I.1 Tim Kerja" in subs and "VI.3 Penilaian Kepuasan Pelayanan" in subs


def test_chart_is_valid_svg_with_numbers_on_segments(plan, states):
    from monev.charts import component_chart

    data = selectors.dashboard_data(plan=plan, as_of=AS_OF)
    svg = component_chart(data["components"])
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "I. Manajemen Perubahan" in texts  # the regulation's area name
    assert "1/9 (11,1%)" in texts
    assert {"Selesai", "Terlambat", "Menunggu review", "Perlu perbaikan"} <= set(texts)


def _grow(plan, factor):
    """Copy every step and its targets `factor` times (bulk), keeping assignments: a plan `factor`+1 times larger."""
    from actionplan.models import Assignment

    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=plan)
                 .prefetch_related("targets", "assignments"))
    for _ in range(factor):
        inds = Indicator.objects.bulk_create([Indicator(subcomponent_id=s.indicator.subcomponent_id, order=50,
                                                        text=s.indicator.text) for s in steps])
        new = ActionStep.objects.bulk_create([ActionStep(indicator=i, description=s.description)
                                              for i, s in zip(inds, steps)])
        Target.objects.bulk_create([Target.for_date(n, t.due_date) for n, s in zip(new, steps)
                                    for t in s.targets.all()])
        Assignment.objects.bulk_create([Assignment(step=n, user_id=a.user_id) for n, s in zip(new, steps)
                                        for a in s.assignments.all()])


def test_dashboard_queries_are_the_same_for_the_seed_plan_and_a_50x_plan(login, plan, states, ketua):
    client = login(ketua)
    with CaptureQueriesContext(connection) as small:
        assert dash(client, plan).status_code == 200
    _grow(plan, 49)
    assert Target.objects.count() >= 50 * 125
    with CaptureQueriesContext(connection) as large:
        response = dash(client, plan)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.context["total"].total == 50 * 125


def test_status_table_exports_to_xlsx_with_formulas_neutralised(login, plan, states, ketua):
    step = states["accepted"].step
    step.description = "=HYPERLINK(\"http://evil\",\"klik\")"
    step.save()
    response = login(ketua).get(reverse("monev:status_export", args=[plan.pk]) + f"?per={AS_OF}")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))[2:]  # after the title and the plan line
    assert rows[0][:4] == ("KOMPONEN", "SUB KOMPONEN", "INDIKATOR", "LANGKAH AKSI")
    assert len(rows) - 1 == Target.objects.count()
    statuses = [r[7] for r in rows[1:]]
    assert statuses.count("Selesai") == 1 and statuses.count("Menunggu review") == 1
    cells = [c for r in rows for c in r if isinstance(c, str)]
    assert not any(c.startswith("=") for c in cells)
    assert any("Revisi 1 (Diterima" in c for c in cells)


def test_user_of_several_units_gets_a_summary_of_each(login, plan, unit, other_unit, tpi):
    from actionplan.services import plan_import

    from .factories import SEED_FILE

    person_ensure(username="tpi", full_name="Tpi", nip="", position="", unit=other_unit, role=Role.TPI,
                  password="x")
    plan_import(source=SEED_FILE, filename=SEED_FILE.name, unit=other_unit, year=2020)
    response = login(tpi).get(reverse("monev:units_summary") + f"?per={AS_OF}")
    body = response.content.decode()
    assert unit.name in body and other_unit.name in body
    assert len(response.context["rows"]) == 2
    for row in response.context["rows"]:
        assert reverse("monev:dashboard", args=[row["plan"].pk]) in body
