"""Importing and exporting a ZI plan table: actionplan/importing.py, services.plan_import, resources, commands,
admin."""
import calendar
import csv
import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan.importing import (
    COLUMNS,
    ERROR,
    REVIEW,
    WARNING,
    looks_like_formula,
    neutralize_formula,
    parse_plan_table,
    restore_formula,
)
from actionplan.models import (
    DEFAULT_WEIGHTS,
    ActionStep,
    AuditEvent,
    Component,
    Indicator,
    Plan,
    SubComponent,
    Target,
    Unit,
)
from actionplan.services import PlanImportError, plan_export_dataset, plan_export_file, plan_import

SEED = Path(settings.BASE_DIR) / "fixtures" / "rencana-kerja-zi-dispendukcapil-lumajang-2019.xlsx"
HEADER = ["NO", "KOMPONEN", "INDIKATOR", "LANGKAH AKSI", "BUKTI FISIK", "TARGET WAKTU"]
D = datetime.date
TREE_MODELS = [Plan, Component, SubComponent, Indicator, ActionStep, Target, AuditEvent]

# A small valid table: two components, three sub-components, five indicators.
SMALL = [
    ["I", "MANAJEMEN PERUBAHAN", "", "", "", ""],
    ["1", "Tim Kerja", "SK Tim Kerja ZI ditetapkan", "Menyusun SK Tim", "SK Tim", "Januari 2019"],
    ["2", "Rencana Pembangunan ZI", "Dokumen rencana disusun", "Menyusun rencana", "Dokumen", "Juni, Desember 2019"],
    ["", "", "Rencana dipublikasikan", "Unggah ke website", "Tangkapan layar", "Setiap bulan"],
    ["II", "PENATAAN TATALAKSANA", "", "", "", ""],
    ["1", "SOP", "SOP ditetapkan", "Menyusun SOP", "SOP", "Maret 2019"],
    ["", "", "SOP dievaluasi", "Evaluasi SOP", "Laporan evaluasi", "Januari s/d Desember 2019"],
]


# -- helpers ------------------------------------------------------------------------------------------------------

@pytest.fixture
def import_unit(db):
    return Unit.objects.create(name="Unit Uji Impor", city="Lumajang")


@pytest.fixture
def second_unit(db):
    return Unit.objects.create(name="Unit Uji Impor Kedua")


def xlsx_bytes(rows, header=HEADER, merges=()) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([cell if cell != "" else None for cell in row])
    for cell_range in merges:
        ws.merge_cells(cell_range)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def text_table(rows, header=HEADER, delimiter=",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def model_counts() -> dict:
    return {m.__name__: m.objects.count() for m in TREE_MODELS}


def assert_nothing_saved():
    assert model_counts() == {m.__name__: 0 for m in TREE_MODELS}


def tree_listing(plan) -> list:
    """Every text and date of the plan in a canonical order: equal listings mean identical trees."""
    out = []
    for c in plan.components.order_by("order"):
        out.append(("K", c.code, c.name, c.order))
        for s in c.subcomponents.order_by("number"):
            out.append(("S", s.number, s.name))
            for i in s.indicators.order_by("order"):
                out.append(("I", i.order, i.text))
                for st in i.steps.order_by("order"):
                    out.append(("A", st.description, st.evidence_required, st.target_text, st.responsible_text,
                                st.review_reason, tuple(st.parse_warnings), tuple(st.parse_notes)))
                    out.extend(("T", t.due_date, t.semester, t.warning) for t in st.targets.order_by("due_date"))
    return out


def generated_rows(n_indicators: int) -> list[list[str]]:
    """A valid table with all six components and `n_indicators` indicator rows, five per sub-component."""
    texts = ["Januari 2019", "Juni, Desember 2019", "Setiap bulan", "Januari s/d Desember 2019", "Maret 2019"]
    rows, made = [], 0
    for index, code in enumerate(["I", "II", "III", "IV", "V", "VI"]):
        rows.append([code, f"Komponen {code}", "", "", "", ""])
        for k in range(n_indicators // 6 + (index < n_indicators % 6)):
            lead = [str(k // 5 + 1), f"Sub {code}.{k // 5 + 1}"] if k % 5 == 0 else ["", ""]
            rows.append(lead + [f"Indikator {made}", f"Langkah {made}", f"Bukti {made}", texts[made % len(texts)]])
            made += 1
    return rows


def issue_matches(issues, row, column, fragment):
    return any(i.row == row and i.column == column and fragment in i.message for i in issues)


# -- the seed -----------------------------------------------------------------------------------------------------

def test_seed_imports_to_6_components_23_subcomponents_72_indicators_and_72_steps(import_unit):
    result = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)

    assert result.counts == {"components": 6, "subcomponents": 23, "indicators": 72, "steps": 72,
                             "targets": 125, "warnings": 9, "notes": 2, "review": 1}
    plan = result.plan
    assert plan.title == "Rencana Kerja Pembangunan Zona Integritas Unit Uji Impor Tahun 2019"
    assert [c.code for c in plan.components.order_by("order")] == ["I", "II", "III", "IV", "V", "VI"]
    assert {c.code: c.weight for c in plan.components.all()} == DEFAULT_WEIGHTS
    assert SubComponent.objects.filter(component__plan=plan).count() == 23
    assert Indicator.objects.filter(subcomponent__component__plan=plan).count() == 72
    assert ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).count() == 72
    assert Target.objects.filter(step__indicator__subcomponent__component__plan=plan).count() == 125


def test_seed_target_counts_follow_the_target_text(import_unit):
    plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)

    def due(row):
        return [t.due_date for t in Target.objects.filter(step__source_row=row).order_by("due_date")]

    assert due(27) == [D(2019, m, calendar.monthrange(2019, m)[1]) for m in range(1, 13)]   # "Setiap bulan"
    assert due(6) == [D(2019, 6, 30), D(2019, 12, 31)]                # "Januari s/d Desember 2019"
    assert due(5) == [D(2019, 7, 31), D(2019, 12, 31)]                # "Juli, Desember 2019"
    assert due(3) == [D(2019, 2, 28)]                                 # "Pebruari 2019"
    assert due(63) == [D(2019, 1, 2)]                                 # "02 Januari 2019"


def test_seed_dates_outside_the_plan_year_keep_the_warning_on_the_target(import_unit):
    plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)

    feb17 = Target.objects.get(step__source_row=39)                   # "Feb-17"
    assert feb17.due_date == D(2017, 2, 28)
    assert "di luar tahun rencana 2019" in feb17.warning
    in_year = Target.objects.filter(step__source_row=6)
    assert all(t.warning == "" for t in in_year)


def test_eoffice_row_without_indicator_text_is_kept_with_a_warning(import_unit):
    result = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)

    step = ActionStep.objects.select_related("indicator__subcomponent").get(source_row=12)
    assert step.indicator.text == ""
    assert step.indicator.subcomponent.name == "E- Office (2)"
    assert step.description.startswith("Pewnggunaan Operesional SDM")
    assert issue_matches(result.warnings, 12, "INDIKATOR", "indikator kosong")


def test_rows_needing_review_are_counted_and_get_one_undated_target(import_unit):
    result = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)

    assert result.counts["review"] == 1
    step = ActionStep.objects.get(source_row=52)                      # "Dokumen Petunjuk direvisi apabila …"
    assert step.needs_review and "per kejadian" in step.review_reason
    assert step.parse_notes == ["per kejadian: apabila ada perubahan kebijakan"]
    assert [(t.due_date, t.semester, t.year) for t in step.targets.all()] == [(None, None, None)]
    assert any(w.kind == REVIEW and w.row == 52 for w in result.warnings)


def test_import_writes_one_audit_event_with_counts_filename_and_sha256(import_unit, admin_user):
    result = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019, actor=admin_user,
                         ip="10.0.0.7")

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.unit, event.ip) == ("plan.import", admin_user, import_unit, "10.0.0.7")
    assert event.object_id == str(result.plan.pk)
    assert event.data["counts"]["indicators"] == 72
    assert event.data["filename"] == SEED.name
    import hashlib
    assert event.data["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()


# -- formats, headers, grammar ------------------------------------------------------------------------------------

def test_header_synonyms_and_case_are_recognised(import_unit):
    header = ["No.", "sub komponen", "indikator", "rencana aksi", "Output", "Jadwal", "PIC"]
    rows = [r + ["" if r[0] in ("I", "II") else "Kasubag Umum"] for r in SMALL]
    result = plan_import(source=text_table(rows, header).encode(), filename="rencana.csv", unit=import_unit,
                         year=2019)

    assert result.counts["indicators"] == 5
    step = ActionStep.objects.get(source_row=3)
    assert (step.description, step.evidence_required, step.responsible_text) == \
        ("Menyusun SK Tim", "SK Tim", "Kasubag Umum")


@pytest.mark.parametrize("filename, make", [
    ("rencana.xlsx", lambda: xlsx_bytes(SMALL)),
    ("rencana.csv", lambda: text_table(SMALL).encode("utf-8")),
    ("rencana.csv", lambda: text_table(SMALL).encode("utf-8-sig")),                # UTF-8 with BOM (Excel)
    ("rencana.csv", lambda: text_table(SMALL, delimiter=";").encode("utf-8")),     # Excel, Indonesian locale
    ("rencana.tsv", lambda: text_table(SMALL, delimiter="\t").encode("utf-8")),
    ("rencana.txt", lambda: text_table(SMALL, delimiter="\t").encode("utf-16")),   # Excel "Unicode text"
    ("tanpa-ekstensi", lambda: xlsx_bytes(SMALL)),                                 # xlsx known by its content
], ids=["xlsx", "csv", "csv-bom", "csv-semicolon", "tsv", "utf16-tsv", "xlsx-by-content"])
def test_every_supported_format_gives_the_same_tree(import_unit, filename, make):
    result = plan_import(source=make(), filename=filename, unit=import_unit, year=2019)

    assert result.counts["components"] == 2 and result.counts["subcomponents"] == 3
    assert result.counts["indicators"] == 5 and result.counts["targets"] == 1 + 2 + 12 + 1 + 2
    assert Component.objects.get(code="I").name == "MANAJEMEN PERUBAHAN"      # no BOM left in the first cell


def test_windows_1252_csv_is_read_with_a_warning(import_unit):
    rows = [r[:] for r in SMALL]
    rows[1][2] = "SK Tim “Kerja” ditetapkan"
    result = plan_import(source=text_table(rows).encode("cp1252"), filename="rencana.csv", unit=import_unit,
                         year=2019)

    assert Indicator.objects.filter(text="SK Tim “Kerja” ditetapkan").exists()
    assert any(w.row is None and "Windows-1252" in w.message for w in result.warnings)


def test_undecodable_text_file_is_refused_with_a_clear_message(import_unit):
    data = text_table(SMALL).encode("utf-8") + b"\x81\x8d\x90 rusak\r\n"
    with pytest.raises(PlanImportError) as exc:
        plan_import(source=data, filename="rencana.csv", unit=import_unit, year=2019)
    assert "CSV UTF-8" in exc.value.report()
    assert_nothing_saved()


def test_merged_cells_continue_the_sub_component_above(import_unit):
    rows = [
        ["I", "MANAJEMEN PERUBAHAN", "", "", "", ""],
        ["4", "Perubahan pola pikir", "Pimpinan jadi teladan", "Memberi teladan", "Daftar hadir", "Januari 2019"],
        ["", "", "Agen perubahan ditetapkan", "Menetapkan SK", "SK", "Februari 2019"],
        ["", "", "Budaya kerja dibangun", "Pengarahan", "Notulen", "Oktober 2019"],
    ]
    data = xlsx_bytes(rows, merges=["A3:A5", "B3:B5"])
    result = plan_import(source=data, filename="merged.xlsx", unit=import_unit, year=2019)

    sub = SubComponent.objects.get()
    assert (sub.number, sub.name) == (4, "Perubahan pola pikir")
    assert list(sub.indicators.order_by("order").values_list("text", flat=True)) == \
        ["Pimpinan jadi teladan", "Agen perubahan ditetapkan", "Budaya kerja dibangun"]
    assert result.counts["indicators"] == 3


def test_filled_down_number_and_name_continue_the_sub_component(import_unit):
    rows = [SMALL[0], SMALL[1], ["1", "Tim Kerja", "SK disosialisasikan", "Sosialisasi", "Notulen", "Maret 2019"]]
    result = plan_import(source=text_table(rows).encode(), filename="r.csv", unit=import_unit, year=2019)

    assert (result.counts["subcomponents"], result.counts["indicators"]) == (1, 2)


def test_title_rows_above_the_header_keep_row_numbers_as_in_the_spreadsheet(import_unit):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["BAB III RENCANA AKSI PEMBANGUNAN ZONA INTEGRITAS"])
    ws.append([])
    ws.append(HEADER)
    for row in SMALL:
        ws.append(row)
    ws.append(["", "", "Indikator tanpa aksi", "", "", "Juli 2019"])
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(PlanImportError) as exc:
        plan_import(source=buffer.getvalue(), filename="judul.xlsx", unit=import_unit, year=2019)
    assert issue_matches(exc.value.errors, 3 + len(SMALL) + 1, "LANGKAH AKSI", "LANGKAH AKSI dan BUKTI FISIK kosong")


def test_blank_rows_are_skipped_and_do_not_shift_row_numbers(import_unit):
    rows = [SMALL[0], ["", "", "", "", "", ""], SMALL[1], [], ["", "", "Tanpa aksi", "", "", ""]]
    with pytest.raises(PlanImportError) as exc:
        plan_import(source=text_table(rows).encode(), filename="r.csv", unit=import_unit, year=2019)
    assert [(e.row, e.column) for e in exc.value.errors] == [(6, "LANGKAH AKSI")]


# -- refusals: row + column + Indonesian message, nothing saved -----------------------------------------------------

ERROR_CASES = {
    "row-before-any-component": (
        [["1", "Tim Kerja", "Ind", "Aksi", "Bukti", "Juni 2019"], *SMALL],
        2, "NO", "sebelum komponen"),
    "unknown-roman-numeral": (
        [*SMALL, ["VII", "KOMPONEN TAMBAHAN", "", "", "", ""], ["1", "Sub", "Ind", "Aksi", "Bukti", "Juni 2019"]],
        9, "NO", "nomor komponen 'VII' tidak dikenal"),
    "duplicate-component-code": (
        [*SMALL, ["I", "MANAJEMEN PERUBAHAN LAGI", "", "", "", ""], ["1", "Sub", "Ind", "Aksi", "B", "Juni 2019"]],
        9, "NO", "komponen I muncul lebih dari sekali"),
    "duplicate-subcomponent-number": (
        [*SMALL, ["1", "SOP lagi", "Ind", "Aksi", "Bukti", "Juni 2019"]],
        9, "NO", "nomor sub-komponen 1 sudah dipakai di komponen II"),
    "indicator-without-action-or-evidence": (
        [*SMALL, ["", "", "Indikator saja", "", "", "Juni 2019"]],
        9, "LANGKAH AKSI", "LANGKAH AKSI dan BUKTI FISIK kosong"),
    "evidence-without-action": (
        [*SMALL, ["", "", "Indikator", "", "Bukti saja", "Juni 2019"]],
        9, "LANGKAH AKSI", "LANGKAH AKSI kosong"),
    "target-text-too-long": (
        [*SMALL, ["", "", "Indikator", "Aksi", "Bukti", "Juni 2019 " + "x" * 500]],
        9, "TARGET WAKTU", "terlalu panjang (510 karakter, maksimal 500)"),
    "component-without-rows": (
        [SMALL[0], SMALL[4], *SMALL[5:]],
        2, "NO", "komponen I tidak memiliki baris"),
    "subcomponent-without-name": (
        [SMALL[0], ["1", "", "Ind", "Aksi", "Bukti", "Juni 2019"]],
        3, "KOMPONEN", "nama sub-komponen 1 kosong"),
    "component-row-with-indicator": (
        [["I", "MANAJEMEN PERUBAHAN", "Indikator nyasar", "", "", ""], *SMALL[1:]],
        2, "INDIKATOR", "baris komponen I tidak boleh berisi INDIKATOR"),
    "no-component-rows-at-all": (
        [], None, "NO", "tidak ada baris komponen"),
}


@pytest.mark.parametrize("rows, row, column, fragment", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_bad_table_is_refused_with_row_column_and_message_and_nothing_is_saved(import_unit, rows, row, column,
                                                                               fragment):
    with pytest.raises(PlanImportError) as exc:
        plan_import(source=text_table(rows).encode(), filename="salah.csv", unit=import_unit, year=2019)

    assert issue_matches(exc.value.errors, row, column, fragment), exc.value.report()
    assert all(e.kind == ERROR for e in exc.value.errors)
    where = f"Baris {row}, kolom {column}" if row else f"Berkas, kolom {column}"
    assert f"{where} — KESALAHAN: " in exc.value.report()
    assert_nothing_saved()


def test_missing_required_column_is_named(import_unit):
    header = ["NO", "KOMPONEN", "INDIKATOR", "LANGKAH AKSI", "BUKTI FISIK"]
    with pytest.raises(PlanImportError) as exc:
        plan_import(source=text_table([r[:5] for r in SMALL], header).encode(), filename="r.csv", unit=import_unit,
                    year=2019)
    assert issue_matches(exc.value.errors, 1, "TARGET WAKTU", "kolom wajib TARGET WAKTU tidak ditemukan")
    assert_nothing_saved()


@pytest.mark.parametrize("data, fragment", [
    (b"", "Berkas kosong"),
    (b"   \r\n\r\n", "Berkas kosong"),
    (xlsx_bytes([], header=[]), "Berkas kosong"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Format Excel lama (.xls)"),
    (b"PK\x03\x04 not really a zip", "Berkas .xlsx tidak dapat dibaca"),
], ids=["empty", "whitespace", "empty-xlsx", "old-xls", "broken-xlsx"])
def test_unreadable_or_empty_file_is_refused(import_unit, data, fragment):
    with pytest.raises(PlanImportError) as exc:
        plan_import(source=data, filename="rencana.xlsx", unit=import_unit, year=2019)
    assert fragment in exc.value.report()
    assert_nothing_saved()


def test_rows_before_the_first_component_are_reported_once_with_a_summary(import_unit):
    rows = [r for r in SMALL if r[0] not in ("I", "II")]
    with pytest.raises(PlanImportError) as exc:
        plan_import(source=text_table(rows).encode(), filename="r.csv", unit=import_unit, year=2019)
    messages = [e.message for e in exc.value.errors]
    assert len(messages) == 3, messages
    assert "4 baris lain sebelum komponen pertama (baris 3–6)" in messages[1]


def test_warnings_are_kept_and_do_not_refuse_the_import(import_unit):
    rows = [*SMALL, ["", "", "", "Aksi tanpa indikator", "Bukti", "sewaktu-waktu"]]
    result = plan_import(source=text_table(rows).encode(), filename="r.csv", unit=import_unit, year=2019)

    assert issue_matches(result.warnings, 9, "INDIKATOR", "indikator kosong")
    assert any(w.row == 9 and w.kind == REVIEW for w in result.warnings)
    assert result.counts["review"] == 1 and result.counts["warnings"] >= 1
    assert "Baris 9, kolom INDIKATOR — peringatan: indikator kosong" in result.report()


# -- existing plans, replace, failures ----------------------------------------------------------------------------

def test_importing_twice_without_replace_is_refused_and_changes_nothing(import_unit):
    plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)
    before = model_counts()

    with pytest.raises(PlanImportError) as exc:
        plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)

    assert "sudah ada" in exc.value.report() and exc.value.code == PlanImportError.PLAN_EXISTS
    assert "--replace" not in exc.value.report()        # how to ask for a replacement is the caller's to say
    assert model_counts() == before


def test_replace_rebuilds_the_tree_without_duplicates_and_keeps_plan_row_title_and_weights(import_unit):
    first = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019, title="Judul sendiri").plan
    Component.objects.filter(plan=first, code="V").update(weight=Decimal("12.50"))
    before = {k: v for k, v in model_counts().items() if k != "AuditEvent"}

    result = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019, replace=True)

    assert result.replaced and result.plan.pk == first.pk
    after = {k: v for k, v in model_counts().items() if k != "AuditEvent"}
    assert after == before
    assert Plan.objects.get().title == "Judul sendiri"
    assert Component.objects.get(code="V").weight == Decimal("12.50")
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["plan.import", "plan.replace"]


def test_replace_with_a_new_table_and_title(import_unit):
    plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)
    result = plan_import(source=text_table(SMALL).encode(), filename="kecil.csv", unit=import_unit, year=2019,
                         replace=True, title="Rencana ringkas")

    assert result.counts["indicators"] == 5
    assert (Plan.objects.count(), Component.objects.count(), Indicator.objects.count()) == (1, 2, 5)
    assert Plan.objects.get().title == "Rencana ringkas"


def test_replace_refused_when_the_old_tree_is_protected_leaves_the_old_plan(import_unit, monkeypatch):
    plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)
    before = model_counts()

    def protected(self, *args, **kwargs):
        raise ProtectedError("revisi bukti fisik", set())
    monkeypatch.setattr("django.db.models.query.QuerySet.delete", protected)

    with pytest.raises(PlanImportError) as exc:
        plan_import(source=text_table(SMALL).encode(), filename="kecil.csv", unit=import_unit, year=2019,
                    replace=True)
    assert "tidak dapat diganti" in exc.value.report()
    assert model_counts() == before


def test_replace_is_refused_once_evidence_was_uploaded_for_the_old_plan(import_unit, admin_user):
    from evidence.models import Revision

    plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)
    target = Target.objects.filter(due_date__isnull=False).first()
    Revision.objects.create(target=target, number=1, submitted_by=admin_user, description="SK Tim Kerja",
                            document_date=D(2019, 2, 1))
    before = model_counts()

    with pytest.raises(PlanImportError) as exc:
        plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019, replace=True)

    assert "tidak dapat diganti karena datanya sudah dipakai" in exc.value.report()
    assert model_counts() == before and Revision.objects.count() == 1


def test_database_failure_in_the_middle_leaves_nothing(import_unit, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("disk penuh")
    monkeypatch.setattr(Target.objects, "bulk_create", broken)

    with pytest.raises(DatabaseError):
        plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)
    assert_nothing_saved()


def test_dry_run_reports_the_real_counts_and_saves_nothing(import_unit):
    result = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019, dry_run=True)

    assert result.plan is None and result.dry_run
    assert (result.counts["indicators"], result.counts["targets"]) == (72, 125)
    assert_nothing_saved()


def test_year_outside_the_allowed_range_is_refused(import_unit):
    with pytest.raises(PlanImportError) as exc:
        plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=1999)
    assert "Tahun 1999 tidak sah" in exc.value.report()
    assert_nothing_saved()


def test_source_may_be_a_path_bytes_or_a_binary_file(import_unit, second_unit, tmp_path):
    plan_import(source=str(SEED), filename=SEED.name, unit=import_unit, year=2019)
    with SEED.open("rb") as fh:
        plan_import(source=fh, filename=SEED.name, unit=second_unit, year=2019)
    plan_import(source=SEED.read_bytes(), filename=SEED.name, unit=second_unit, year=2020)
    assert Plan.objects.count() == 3


# -- queries ------------------------------------------------------------------------------------------------------

@pytest.fixture
def sqlite_real_param_limit(monkeypatch):
    """Django 5.2 assumes SQLite's historical 999 bound parameters and splits bulk inserts into chunks of
    999 // fields rows; Django 6.0 (ticket #36143) asks SQLite for its real limit (32766 or more). This gives the
    connection the 6.0 behaviour, so the test measures the importer, not the backend's chunking. PostgreSQL needs
    nothing: it inserts every level in one statement."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


def test_import_query_count_does_not_depend_on_the_number_of_rows(import_unit, second_unit, sqlite_real_param_limit):
    small, large = xlsx_bytes(generated_rows(10)), xlsx_bytes(generated_rows(200))

    with CaptureQueriesContext(connection) as small_queries:
        r1 = plan_import(source=small, filename="kecil.xlsx", unit=import_unit, year=2019)
    with CaptureQueriesContext(connection) as large_queries:
        r2 = plan_import(source=large, filename="besar.xlsx", unit=second_unit, year=2019)

    assert (r1.counts["indicators"], r2.counts["indicators"]) == (10, 200)
    assert r2.counts["targets"] > 400
    assert len(small_queries) == len(large_queries), [q["sql"][:80] for q in large_queries]
    inserts = [q["sql"].split('"')[1] for q in large_queries if q["sql"].startswith("INSERT")]
    assert inserts == ["actionplan_plan", "actionplan_component", "actionplan_subcomponent", "actionplan_indicator",
                       "actionplan_actionstep", "actionplan_target", "actionplan_auditevent"]


def test_import_queries_grow_only_with_the_backends_insert_chunks(import_unit):
    """Without the fixture above, Django 5.2 on SQLite adds one INSERT per chunk of 999 bound parameters:
    still no query per row."""
    with CaptureQueriesContext(connection) as queries:
        result = plan_import(source=xlsx_bytes(generated_rows(200)), filename="besar.xlsx", unit=import_unit,
                             year=2019)
    counts = result.counts
    levels = [(Component, counts["components"]), (SubComponent, counts["subcomponents"]),
              (Indicator, counts["indicators"]), (ActionStep, counts["steps"]), (Target, counts["targets"])]
    chunks = 0
    for model, rows in levels:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        chunks += -(-rows // connection.ops.bulk_batch_size(fields, [None] * rows))
    with CaptureQueriesContext(connection) as small:
        plan_import(source=xlsx_bytes(generated_rows(6)), filename="k.xlsx", unit=import_unit, year=2020)
    assert len(queries) == len(small) - 5 + chunks
    assert len(queries) < counts["indicators"] / 10


# -- export and round trip ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("file_format", ["xlsx", "csv", "tsv"])
def test_export_then_import_gives_an_identical_tree(import_unit, second_unit, file_format):
    original = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019).plan

    filename, content, content_type = plan_export_file(plan=original, file_format=file_format)
    copy = plan_import(source=content, filename=filename, unit=second_unit, year=2019).plan

    assert filename == f"rencana-kerja-unit-uji-impor-2019.{file_format}"
    assert tree_listing(copy) == tree_listing(original)
    assert len(tree_listing(copy)) > 72 * 3


def test_export_dataset_has_the_seven_columns_in_the_import_grammar(import_unit):
    plan = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019).plan

    dataset = plan_export_dataset(plan=plan)

    assert dataset.headers == COLUMNS
    assert dataset[0] == ("I", "MANAJEMEN PERUBAHAN", "", "", "", "", "")
    assert dataset[1][:3] == ("1", "Tim Kerja", "SK Tim Kerja ZI telah dibuat sesuai prosedur yang telah ditetapkan")
    assert dataset[5][:2] == ("", "")                                       # 2nd indicator of "4 Perubahan pola pikir"
    assert len(dataset) == 6 + 72


def test_export_neutralises_formula_text_and_round_trips_it(import_unit, second_unit):
    rows = [
        SMALL[0],
        ["1", "=HYPERLINK(\"http://x\")", "+62 812 indikator", "@SUM(A1:A2)", "-2+3", "Januari 2019"],
        ["", "", "- butir pertama", "- langkah berupa daftar", "-", "Juni 2019"],
    ]
    plan = plan_import(source=text_table(rows).encode(), filename="f.csv", unit=import_unit, year=2019).plan
    assert SubComponent.objects.get().name == "=HYPERLINK(\"http://x\")"

    dataset = plan_export_dataset(plan=plan)
    assert dataset[1][1:5] == ("'=HYPERLINK(\"http://x\")", "'+62 812 indikator", "'@SUM(A1:A2)", "'-2+3")
    assert dataset[2][2:5] == ("- butir pertama", "- langkah berupa daftar", "-")

    _name, content, _type = plan_export_file(plan=plan, file_format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    copy = plan_import(source=content, filename="f.xlsx", unit=second_unit, year=2019).plan
    assert tree_listing(copy) == tree_listing(plan)


@pytest.mark.parametrize("text, formula", [
    ("=1+1", True), ("+62", True), ("@SUM(A1)", True), ("-1", True), ("\tx", True), ("\rx", True),
    ("- daftar", False), ("-", False), ("", False), ("Januari 2019", False), ("'=1", False), ("''=1", False),
])
def test_formula_detection_spares_dash_lists(text, formula):
    assert looks_like_formula(text) is formula
    assert restore_formula(neutralize_formula(text)) == text


def test_date_cells_from_excel_are_read_as_indonesian_dates(import_unit):
    rows = [SMALL[0], ["1", "Tim", "Ind", "Aksi", "Bukti", datetime.datetime(2019, 2, 1)],
            ["", "", "Ind 2", "Aksi 2", "Bukti 2", datetime.date(2019, 3, 15)], ["2", "Sub", "Ind 3", "Aksi 3",
                                                                                  "B", 2019]]
    table = parse_plan_table(xlsx_bytes(rows), filename="d.xlsx", plan_year=2019)
    steps = table.steps()
    assert [s.target_text for s in steps] == ["Februari 2019", "15 Maret 2019", "2019"]
    assert [s.dates for s in steps] == [(D(2019, 2, 28),), (D(2019, 3, 15),), (D(2019, 12, 31),)]


# -- commands -----------------------------------------------------------------------------------------------------

def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_import_plan_command_prints_counts_one_per_line(import_unit):
    out, _err = run("import_plan", str(SEED), unit="Unit Uji Impor", year=2019)

    lines = out.splitlines()
    assert lines[:8] == ["komponen: 6", "sub-komponen: 23", "indikator: 72", "langkah aksi: 72", "target: 125",
                         "peringatan: 9", "catatan: 2", "perlu ditinjau: 1"]
    assert "Baris 12, kolom INDIKATOR — peringatan: indikator kosong" in out
    assert "Rencana kerja disimpan" in out
    assert Plan.objects.filter(unit=import_unit, year=2019).exists()


def test_import_plan_command_dry_run_saves_nothing(import_unit):
    out, _err = run("import_plan", str(SEED), "--dry-run", unit="Unit Uji Impor", year=2019)

    assert "indikator: 72" in out
    assert "tidak ada yang disimpan" in out
    assert_nothing_saved()


def test_import_plan_command_refuses_an_unknown_unit_and_lists_the_known_ones(import_unit):
    with pytest.raises(CommandError) as exc:
        run("import_plan", str(SEED), unit="Dinas Tidak Ada", year=2019)
    assert "Unit kerja 'Dinas Tidak Ada' tidak ditemukan" in str(exc.value)
    assert "- Unit Uji Impor" in str(exc.value) and "--create-unit" in str(exc.value)


def test_import_plan_command_creates_the_unit_on_request_but_not_in_a_dry_run(db):
    run("import_plan", str(SEED), "--dry-run", "--create-unit", unit="Dinas Baru", year=2019)
    assert not Unit.objects.filter(name="Dinas Baru").exists()

    out, _err = run("import_plan", str(SEED), "--create-unit", unit="Dinas Baru", year=2019, title="Rencana 2019")
    assert "Unit kerja dibuat: Dinas Baru" in out
    assert Plan.objects.get(unit__name="Dinas Baru").title == "Rencana 2019"


def test_import_plan_command_prints_the_row_report_and_fails_on_errors(import_unit, tmp_path):
    bad = tmp_path / "salah.csv"
    bad.write_text(text_table([*SMALL, ["", "", "Indikator saja", "", "", ""]]), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_plan", str(bad), unit="Unit Uji Impor", year=2019, stdout=io.StringIO(), stderr=err)
    assert "Tidak ada yang disimpan" in str(exc.value)
    assert "Baris 9, kolom LANGKAH AKSI — KESALAHAN" in err.getvalue()
    assert_nothing_saved()


def test_import_plan_command_replace(import_unit):
    run("import_plan", str(SEED), unit="Unit Uji Impor", year=2019)
    with pytest.raises(CommandError, match="Gunakan --replace"):
        run("import_plan", str(SEED), unit="Unit Uji Impor", year=2019)
    out, _err = run("import_plan", str(SEED), "--replace", unit="Unit Uji Impor", year=2019)
    assert "Rencana kerja diganti" in out
    assert (Plan.objects.count(), Indicator.objects.count()) == (1, 72)


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "tsv"])
def test_export_plan_command_writes_a_reimportable_file(import_unit, second_unit, tmp_path, suffix):
    plan = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019).plan
    output = tmp_path / f"ekspor.{suffix}"

    out, _err = run("export_plan", plan=plan.pk, output=str(output))

    assert "diekspor ke" in out
    copy = plan_import(source=output, filename=output.name, unit=second_unit, year=2019).plan
    assert tree_listing(copy) == tree_listing(plan)


def test_export_plan_command_rejects_unknown_plan_and_extension(import_unit, tmp_path):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        run("export_plan", plan=999, output=str(tmp_path / "x.xlsx"))
    plan = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019).plan
    with pytest.raises(CommandError, match="tidak didukung"):
        run("export_plan", plan=plan.pk, output=str(tmp_path / "x.pdf"))


# -- admin --------------------------------------------------------------------------------------------------------

def upload(client, data: bytes, name: str, unit, replace=False):
    file = io.BytesIO(data)
    file.name = name
    payload = {"unit": unit.pk, "year": 2019, "file": file, "title": ""}
    if replace:
        payload["replace"] = "on"
    return client.post(reverse("admin:actionplan_plan_import"), payload)


def import_tmp_files():
    folder = Path(settings.MEDIA_ROOT) / "import-tmp"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_admin_changelist_links_to_the_import_page(admin_client, db):
    response = admin_client.get(reverse("admin:actionplan_plan_changelist"))
    assert reverse("admin:actionplan_plan_import") in response.content.decode()
    assert "Impor rencana kerja" in response.content.decode()


def test_admin_import_preview_then_confirm_saves_the_plan(admin_client, admin_user, import_unit):
    response = upload(admin_client, SEED.read_bytes(), SEED.name, import_unit)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Konfirmasi impor" in body and "indikator" in body and "<td>72</td>" in body
    assert "indikator kosong" in body
    assert_nothing_saved()
    assert len(import_tmp_files()) == 1
    token = response.context["token"]

    response = admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": token})

    plan = Plan.objects.get(unit=import_unit, year=2019)
    assert response.status_code == 302
    assert response.url == reverse("admin:actionplan_plan_change", args=[plan.pk])
    assert Indicator.objects.count() == 72
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.ip) == ("plan.import", admin_user, "127.0.0.1")
    assert import_tmp_files() == []

    again = admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": token})
    assert again.status_code == 302 and again.url == reverse("admin:actionplan_plan_import")
    assert Plan.objects.count() == 1


def test_admin_import_preview_shows_errors_row_by_row_and_saves_nothing(admin_client, import_unit):
    bad = text_table([*SMALL, ["", "", "Indikator saja", "", "", ""]]).encode()

    response = upload(admin_client, bad, "salah.csv", import_unit)

    body = response.content.decode()
    assert "Impor ditolak" in body and "Konfirmasi impor" not in body
    assert "<td>9</td><td>LANGKAH AKSI</td>" in body
    assert_nothing_saved()
    assert import_tmp_files() == []


def test_admin_import_of_an_existing_plan_needs_the_replace_box(admin_client, import_unit):
    plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)

    refused = upload(admin_client, SEED.read_bytes(), SEED.name, import_unit)
    assert "sudah ada" in refused.content.decode()

    preview = upload(admin_client, text_table(SMALL).encode(), "kecil.csv", import_unit, replace=True)
    admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": preview.context["token"]})
    assert (Plan.objects.count(), Indicator.objects.count()) == (1, 5)


def test_admin_import_pages_are_for_staff_only(client, import_unit, django_user_model):
    url = reverse("admin:actionplan_plan_import")
    assert client.get(url).status_code == 302                                # to the admin login
    user = django_user_model.objects.create_user("biasa", password="x")
    client.force_login(user)
    assert client.get(url).status_code == 302
    staff = django_user_model.objects.create_user("staf", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403                                # staff without plan permissions


def test_admin_action_exports_xlsx(admin_client, import_unit, second_unit):
    first = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019).plan
    second = plan_import(source=text_table(SMALL).encode(), filename="k.csv", unit=second_unit, year=2019).plan
    url = reverse("admin:actionplan_plan_changelist")

    one = admin_client.post(url, {"action": "export_xlsx", "_selected_action": [first.pk]})
    assert one["Content-Disposition"] == 'attachment; filename="rencana-kerja-unit-uji-impor-2019.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(one.content)).active
    assert [c.value for c in sheet[1]] == COLUMNS

    both = admin_client.post(url, {"action": "export_xlsx", "_selected_action": [first.pk, second.pk]})
    names = zipfile.ZipFile(io.BytesIO(both.content)).namelist()
    assert sorted(names) == ["rencana-kerja-unit-uji-impor-2019.xlsx", "rencana-kerja-unit-uji-impor-kedua-2019.xlsx"]


def test_parse_warning_kinds_are_reported_separately(db):
    table = parse_plan_table(SEED.read_bytes(), filename=SEED.name, plan_year=2019)
    kinds = {w.kind for w in table.warnings}
    assert kinds == {WARNING, "note", REVIEW}
    assert table.is_valid


# -- admin preview: the rows, paginated, confirm at the top, the replace checkbox ---------------------------------

def preview_row(body: str, row: int) -> str:
    """The <tr> of the preview table for spreadsheet row `row`."""
    table = body.split('id="import-rows"', 1)[1].split("</table>", 1)[0]
    return next(tr for tr in table.split("<tr")[1:] if tr.split("<td>", 1)[-1].startswith(f"{row}</td>"))


def test_admin_preview_lists_the_rows_to_create_fifty_a_page_with_confirm_above_them(admin_client, import_unit):
    response = upload(admin_client, SEED.read_bytes(), SEED.name, import_unit)

    body = response.content.decode()
    page = response.context["page_obj"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (72, 50, 2)
    # the confirmation comes before the rows (and once more after them)
    assert body.index('id="import-confirm-top"') < body.index('id="import-rows"') < body.index(
        'id="import-confirm-bottom"')
    assert body.count('value="Konfirmasi impor"') == 2
    first = preview_row(body, 3)                                      # "Pebruari 2019"
    assert "I. MANAJEMEN PERUBAHAN" in first and "28 Februari 2019" in first
    eoffice = preview_row(body, 12)
    assert "E- Office (2)" in eoffice and "Pewnggunaan Operesional SDM" in eoffice and "indikator kosong" in eoffice
    feb17 = preview_row(body, 39)                                     # "Feb-17": outside the plan year
    assert "28 Februari 2017" in feb17 and "di luar tahun rencana 2019" in feb17
    review = preview_row(body, 52)
    assert "Perlu ditinjau" in review and "satu target perlu ditinjau" in review
    below = body.split('id="import-rows"', 1)[1].split("</table>", 1)[1]
    assert "<td>39</td>" not in below and "<td>12</td>" not in below   # the remarks are in their rows, not below

    token = response.context["token"]
    second = admin_client.get(reverse("admin:actionplan_plan_import_preview", args=[token]), {"page": 2})
    assert second.status_code == 200 and len(second.context["page_obj"].object_list) == 22
    body2 = second.content.decode()
    first_on_page = preview_row(body2, 57)                            # a page starts with its component
    assert ". " in first_on_page.split("<td>")[2] and preview_row(body2, 79)
    assert "Pebruari 2019" not in body2.split('id="import-rows"', 1)[1]
    assert body2.count('value="Konfirmasi impor"') == 2 and f'value="{token}"' in body2
    junk = admin_client.get(reverse("admin:actionplan_plan_import_preview", args=[token]), {"page": "x%00"})
    assert junk.status_code == 200 and junk.context["page_obj"].number == 1
    assert_nothing_saved()

    admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": token})
    assert ActionStep.objects.count() == 72


def test_admin_preview_of_another_session_or_a_spent_token_sends_back_to_the_upload(admin_client, client,
                                                                                   admin_user, import_unit):
    token = upload(admin_client, text_table(SMALL).encode(), "kecil.csv", import_unit).context["token"]
    url = reverse("admin:actionplan_plan_import_preview", args=[token])

    other = client
    other.force_login(admin_user)                                     # same person, another session
    refused = other.get(url)
    assert refused.status_code == 302 and refused.url == reverse("admin:actionplan_plan_import")
    assert any("tidak ditemukan" in str(m) for m in refused.wsgi_request._messages)

    admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": token})
    assert admin_client.get(url).status_code == 302                   # spent by the confirmation
    assert admin_client.get(reverse("admin:actionplan_plan_import_preview", args=["../x"])).status_code == 404


def test_admin_existing_plan_is_refused_in_the_form_with_the_replace_checkbox_not_a_command_option(admin_client,
                                                                                                   import_unit):
    plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)
    before = model_counts()

    refused = upload(admin_client, text_table(SMALL).encode(), "kecil.csv", import_unit)

    body = refused.content.decode()
    assert refused.context["form"].errors["replace"]
    assert "sudah ada" in body and "Ganti rencana kerja yang ada" in body and "--replace" not in body
    assert 'type="checkbox" name="replace"' in body
    assert model_counts() == before and import_tmp_files() == []


def test_admin_replace_preview_names_the_plan_it_replaces_and_confirm_rebuilds_it(admin_client, import_unit):
    old = plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019).plan

    preview = upload(admin_client, text_table(SMALL).encode(), "kecil.csv", import_unit, replace=True)

    body = preview.content.decode()
    assert 'id="import-replaces"' in body and "72 langkah aksi" in body and "akan diganti" in body
    assert preview.context["page_obj"].paginator.count == 5
    admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": preview.context["token"]})
    assert list(Plan.objects.values_list("pk", flat=True)) == [old.pk]
    assert ActionStep.objects.count() == 5
    assert AuditEvent.objects.filter(action="plan.replace").count() == 1


def test_admin_plan_created_between_preview_and_confirm_is_refused_with_the_checkbox_hint(admin_client,
                                                                                          import_unit):
    token = upload(admin_client, text_table(SMALL).encode(), "kecil.csv", import_unit).context["token"]
    plan_import(source=SEED, filename=SEED.name, unit=import_unit, year=2019)   # another admin was quicker

    response = admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": token})

    body = response.content.decode()
    assert "Impor ditolak" in body and 'id="import-hint"' in body and "Ganti rencana kerja yang ada" in body
    assert "--replace" not in body and "Konfirmasi impor" not in body
    assert ActionStep.objects.count() == 72 and import_tmp_files() == []
