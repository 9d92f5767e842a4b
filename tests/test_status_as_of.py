"""The status of a target as of a date counts only the uploads, review decisions and withdrawals made by the end of
that day (Asia/Jakarta), on the dashboard, in the status export and in a report's frozen figures; the progress over
time uses the same rule at each month's end. The status export is a printable, filterable worksheet."""
import datetime
import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from actionplan.models import ActionStep, Target
from actionplan.services import assignments_set
from evidence.models import ReviewDecision, Revision
from evidence.services import revision_review, revision_withdraw
from monev import selectors

from .factories import submit
from .test_page_queries import add_revisions, grow

WIB = datetime.timezone(datetime.timedelta(hours=7))
AS_OF = datetime.date(2019, 6, 30)


def at(month, day, hour=10, minute=0):
    return datetime.datetime(2019, month, day, hour, minute, tzinfo=WIB)


def timed(revision, *, uploaded, decided=None):
    """Give a revision (and its decision or withdrawal) the times they would have had."""
    Revision.objects.filter(pk=revision.pk).update(submitted_at=uploaded, status_changed_at=decided or uploaded)
    if decided:
        ReviewDecision.objects.filter(revision=revision).update(decided_at=decided)


@pytest.fixture
def history(plan, anggota, ketua):
    """Targets of the plan with uploads and decisions on both sides of 30 June 2019 (all times in WIB)."""
    targets = Target.objects.filter(step__indicator__subcomponent__component__plan=plan).order_by("due_date", "pk")
    later = list(targets.filter(due_date__gt=datetime.date(2019, 7, 31))[:6])
    past = targets.filter(due_date__lt=AS_OF, due_date__year=2019).first()  # not an unconfirmed out-of-year date
    for step in ActionStep.objects.filter(targets__in=[*later, past]).distinct():
        assignments_set(step=step, users=[anggota], actor=ketua)
    membership = ketua.memberships.get()

    def review(revision, decision, note=""):
        revision_review(revision=revision, user=ketua, membership=membership, decision=decision, note=note)

    t = {}
    # uploaded before, accepted after the date → waiting for review as of the date
    t["accepted_after"] = later[0]
    r = submit(later[0], anggota)
    review(r, "accept")
    timed(r, uploaded=at(5, 10), decided=at(8, 5))
    # uploaded (and accepted) after the date → no evidence as of the date
    t["uploaded_after"] = later[1]
    r = submit(later[1], anggota)
    review(r, "accept")
    timed(r, uploaded=at(7, 15), decided=at(7, 20))
    # sent back before the date, uploaded again after it → to be corrected as of the date
    t["revised_before"] = later[2]
    r1 = submit(later[2], anggota)
    review(r1, "revise", "Lengkapi tanda tangan")
    timed(r1, uploaded=at(4, 1), decided=at(4, 10))
    r2 = submit(later[2], anggota, description="Perbaikan")
    timed(r2, uploaded=at(7, 10))
    # accepted at 23:50 WIB on the date (16:50 UTC) → done; accepted at 00:10 WIB the next day → not yet
    t["accepted_late_evening"] = later[3]
    r = submit(later[3], anggota)
    review(r, "accept")
    timed(r, uploaded=at(6, 30, 9), decided=at(6, 30, 23, 50))
    t["accepted_after_midnight"] = later[4]
    r = submit(later[4], anggota)
    review(r, "accept")
    timed(r, uploaded=at(6, 30, 9), decided=at(7, 1, 0, 10))
    # withdrawn after the date → still waiting as of the date
    t["withdrawn_after"] = later[5]
    r = submit(later[5], anggota)
    revision_withdraw(revision=r, user=anggota, membership=anggota.memberships.get(), reason="Salah berkas")
    timed(r, uploaded=at(5, 1), decided=at(7, 5))
    # due before the date, uploaded and accepted after it → late as of the date
    t["late"] = past
    r = submit(past, anggota)
    review(r, "accept")
    timed(r, uploaded=at(7, 2), decided=at(7, 3))
    return t


EXPECTED_AS_OF = {
    "accepted_after": "menunggu_review", "uploaded_after": "belum_jatuh_tempo", "revised_before": "perlu_perbaikan",
    "accepted_late_evening": "selesai", "accepted_after_midnight": "menunggu_review",
    "withdrawn_after": "menunggu_review", "late": "terlambat",
}
EXPECTED_TODAY = {
    "accepted_after": "selesai", "uploaded_after": "selesai", "revised_before": "menunggu_review",
    "accepted_late_evening": "selesai", "accepted_after_midnight": "selesai", "withdrawn_after": "terlambat",
    "late": "selesai",
}


def statuses(plan, as_of):
    return {t.pk: t.status for t in selectors.targets_with_status(as_of=as_of, plans=[plan.pk])}


def test_status_as_of_an_earlier_date_ignores_later_uploads_and_decisions(plan, history):
    then = statuses(plan, AS_OF)
    assert {name: then[t.pk] for name, t in history.items()} == EXPECTED_AS_OF
    later = statuses(plan, datetime.date(2019, 8, 10))
    assert later[history["accepted_after"].pk] == later[history["uploaded_after"].pk] == "selesai"
    assert later[history["revised_before"].pk] == "menunggu_review"


def test_status_today_is_the_latest_state(plan, history):
    today = statuses(plan, datetime.date.today())
    assert {name: today[t.pk] for name, t in history.items()} == EXPECTED_TODAY
    # the denormalised column (today) and the computed history agree on a date after everything happened
    assert statuses(plan, datetime.date.today() - datetime.timedelta(days=1)) == today


def test_dashboard_as_of_a_date_counts_only_what_happened_by_then(login, ketua, plan, history):
    cache.clear()
    response = login(ketua).get(reverse("monev:dashboard", args=[plan.pk]) + f"?per={AS_OF}")
    assert response.status_code == 200
    total = response.context["total"]
    assert total.counts["selesai"] == 1  # only the one accepted at 23:50 on 30 June
    assert total.counts["menunggu_review"] == 3
    assert total.counts["perlu_perbaikan"] == 1
    assert response.context["review_queue"] == 3
    html = response.content.decode()
    assert re.search(r'data-figure="queue">3<', html)


def test_status_export_as_of_a_date_shows_the_status_and_evidence_of_that_day(login, ketua, plan, history):
    response = login(ketua).get(reverse("monev:status_export", args=[plan.pk]) + f"?per={AS_OF}")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[2], rows[3:]
    by_step = {}
    for row in body:
        by_step.setdefault(row[header.index("LANGKAH AKSI")], []).append(row)
    status_col, evidence_col = header.index("STATUS"), header.index("BUKTI FISIK TERAKHIR")

    def row_of(target):
        candidates = by_step[target.step.description]
        return next(r for r in candidates if r[header.index("JATUH TEMPO")].date() == target.due_date)

    assert row_of(history["accepted_after"])[status_col] == "Menunggu review"
    assert row_of(history["accepted_after"])[evidence_col].startswith("Revisi 1 (Menunggu review)")
    assert row_of(history["uploaded_after"])[status_col] == "Belum jatuh tempo"
    assert row_of(history["uploaded_after"])[evidence_col] in ("", None)
    assert row_of(history["revised_before"])[evidence_col].startswith("Revisi 1 (Perlu perbaikan)")
    assert row_of(history["late"])[status_col] == "Terlambat"


def test_report_snapshot_as_of_the_semester_end_counts_only_what_happened_by_then(plan, history):
    snapshot = selectors.report_snapshot(plan=plan, semester=2, as_of=datetime.date(2019, 7, 12))
    rows = {(r["step"], r["due_date"]): r for c in snapshot["components"] for r in c["rows"]}

    def row_of(target):
        return rows[(target.step.description, target.due_date.isoformat())]

    assert row_of(history["uploaded_after"])["status"] == "belum_jatuh_tempo"  # uploaded on 15 July
    assert row_of(history["uploaded_after"])["evidence"] is None
    assert row_of(history["revised_before"])["status"] == "menunggu_review"  # second upload on 10 July
    assert row_of(history["revised_before"])["evidence"]["revision"] == 2
    assert row_of(history["accepted_after"])["status"] == "menunggu_review"
    assert row_of(history["accepted_after"])["evidence"]["review_note"] == ""
    first = selectors.report_snapshot(plan=plan, semester=2, as_of=AS_OF)
    first_rows = {(r["step"], r["due_date"]): r for c in first["components"] for r in c["rows"]}
    revised = first_rows[(history["revised_before"].step.description, history["revised_before"].due_date.isoformat())]
    assert revised["status"] == "perlu_perbaikan"
    assert revised["evidence"] == {**revised["evidence"], "revision": 1, "review_note": "Lengkapi tanda tangan"}
    assert first_rows[(history["uploaded_after"].step.description,
                       history["uploaded_after"].due_date.isoformat())]["evidence"] is None


def test_progress_over_time_counts_each_acceptance_from_its_month(plan, history):
    components = list(plan.components.order_by("order"))
    progress = selectors.progress_over_time(plan=plan, as_of=datetime.date(2019, 12, 31), components=components)
    assert len(progress["months"]) == 12
    totals = {s["code"]: s["total"] for s in progress["series"]}
    targets_done = Target.objects.filter(pk__in=[t.pk for t in history.values()], evidence_status="accepted")
    by_code = {}
    for t in targets_done:
        by_code.setdefault(t.step.indicator.subcomponent.component.code, []).append(t)
    assert sum(len(v) for v in by_code.values()) == 5
    # accepted: 30 June 23:50, then 1 July 00:10, 3 July, 20 July, and 5 August
    june, july, august = 5, 6, 7
    overall = {month: sum(s["points"][month] * s["total"] / 100 for s in progress["series"])
               for month in (june, july, august)}
    assert [round(overall[m]) for m in (june, july, august)] == [1, 4, 5]
    assert sum(totals.values()) == Target.objects.filter(step__indicator__subcomponent__component__plan=plan).count()
    semester_one, semester_two = progress["semesters"]
    assert semester_one["closed"] and semester_two["closed"]
    assert semester_one["done_by_end"] == 0  # the late target of Semester I was accepted in July
    assert semester_one["done"] == 1


def test_progress_over_time_stops_at_the_date(plan, history):
    components = list(plan.components.order_by("order"))
    progress = selectors.progress_over_time(plan=plan, as_of=datetime.date(2019, 7, 15), components=components)
    assert progress["months"] == ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun"]
    assert progress["semesters"][1]["closed"] is False and progress["semesters"][1]["done_by_end"] is None


def test_dashboard_shows_the_progress_chart_with_a_table(login, ketua, plan, history):
    cache.clear()
    html = login(ketua).get(reverse("monev:dashboard", args=[plan.pk]) + "?per=2019-12-31").content.decode()
    section = html[html.index('id="progress-over-time"'):]
    section = section[:section.index("</section>")]
    assert "<svg" in section and 'viewBox="0 0 ' in section and 'role="img"' in section
    assert section.count('class="progress-line"') == 6
    assert 'id="progress-table"' in section and 'id="semester-comparison"' in section
    assert " style=" not in section and "<script" not in section  # CSP: no inline style or script


def test_progress_over_time_queries_do_not_grow_with_the_plan(plan, anggota, django_assert_num_queries):
    components = list(plan.components.order_by("order"))
    add_revisions(plan, anggota)
    with django_assert_num_queries(1):
        small = selectors.progress_over_time(plan=plan, as_of=datetime.date(2019, 12, 31), components=components)
    grow(plan, 16)
    add_revisions(plan, anggota)
    with django_assert_num_queries(1):
        large = selectors.progress_over_time(plan=plan, as_of=datetime.date(2019, 12, 31), components=components)
    assert sum(s["total"] for s in large["series"]) == 17 * sum(s["total"] for s in small["series"])


def test_status_export_is_a_printable_filterable_worksheet(login, ketua, plan, history):
    response = login(ketua).get(reverse("monev:status_export", args=[plan.pk]) + f"?per={AS_OF}&semester=2")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Status Rencana Kerja"]
    sheet = book.active
    assert plan.unit.name in sheet["A1"].value and sheet["A1"].font.b
    assert "30 Juni 2019" in sheet["A2"].value and "Semester II 2019" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    assert header[:2] == ["KOMPONEN", "SUB KOMPONEN"]
    first = [c for c in sheet[4]]
    assert re.fullmatch(r"[IV]+\. \S.*", first[0].value) and re.fullmatch(r"[IV]+\.\d+ \S.*", first[1].value)
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == f"A3:K{sheet.max_row}"
    assert sheet.column_dimensions["D"].width >= 50 and first[3].alignment.wrap_text
    due = first[header.index("JATUH TEMPO")]
    assert isinstance(due.value, datetime.datetime) and due.number_format.startswith("[$-421]")
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9  # A4
    # one page wide (fitToWidth absent means 1 in ECMA-376), as many pages tall as it needs
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_options.gridLines
    assert sheet.print_title_rows == "$3:$3"
    longest = max(len(r[3] or "") for r in sheet.iter_rows(min_row=4, values_only=True))
    assert longest > 200  # the long action steps are there whole, wrapped in their cell
