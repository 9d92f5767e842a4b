"""lke_export / lke_import / lke_score: the worksheet layout, lenient reading, the all-or-nothing row report,
formulas neutralised, and the score line."""
import io
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from actionplan.models import AuditEvent, Unit
from lke.models import Answer, Assessment

UNIT = "Dinas Uji LKE"


def run(*args, **kw):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kw)
    return out.getvalue()


def export(tmp_path, name="lke.xlsx", **kw):
    path = tmp_path / name
    run("lke_export", unit=UNIT, year=2024, output=str(path), **kw)
    return path


def rows_of(path):
    ws = openpyxl.load_workbook(path).worksheets[0]
    return ws, {str(ws.cell(r, 1).value): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}


def header_col(ws, name):
    for row in ws.iter_rows(max_row=10):
        for c in row:
            if c.value == name:
                return c.column
    raise AssertionError(name)


def fill(path, values, column="JAWABAN UNIT", note=None):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    col = header_col(ws, column)
    index = {str(ws.cell(r, 1).value): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    for code, value in values.items():
        ws.cell(index[code], col).value = value
    for code, text in (note or {}).items():
        ws.cell(index[code], header_col(ws, "CATATAN UNIT")).value = text
    wb.save(path)
    return path


def best_values(path):
    """The best answer for every question row, typed the way people type them."""
    ws, index = rows_of(path)
    values = {}
    from lke import selectors
    struct = selectors.structure(selectors.current_version())
    for i, (code, q) in enumerate(struct.questions.items()):
        if q.answer_type == "ya_tidak":
            values[code] = ["Ya", "ya", "YA"][i % 3]
        elif q.answer_type in ("abc", "abcd", "abcde"):
            values[code] = ["A", "a.", "A. sudah"][i % 3]
        elif q.answer_type == "survey":
            values[code] = "4,00"
        else:
            values[code] = "100"
    return values


def test_blank_export_has_codes_text_headers_and_count_rows(db, tmp_path):
    path = export(tmp_path, create_unit=True)
    ws, index = rows_of(path)
    assert {"A.I.1.i.a", "A.II.5.iii.a", "A.II.5.iii.a.1", "A.II.5.iii.a.5", "B.I.a", "B.I.b", "B.II.a"} <= set(index)
    assert ws.cell(index["A.I.1.i.a"], 2).value.startswith("Unit kerja telah membentuk tim")
    assert header_col(ws, "JAWABAN UNIT") and header_col(ws, "JAWABAN TPI")
    assert ws.cell(index["A.I.1.i.a"], header_col(ws, "JAWABAN UNIT")).value is None
    assert Assessment.objects.count() == 0          # exporting creates nothing but the unit asked for
    assert Unit.objects.filter(name=UNIT).exists()


def test_export_without_the_unit_is_refused_with_the_known_units(db, tmp_path):
    with pytest.raises(CommandError, match="--create-unit"):
        export(tmp_path)


def test_a_filled_worksheet_imports_and_scores_100_as_typed_by_people(db, tmp_path):
    path = export(tmp_path, create_unit=True)
    fill(path, best_values(path))
    assert run("lke_import", str(path), unit=UNIT, year=2024).strip() == "changed=113"
    last = run("lke_score", unit=UNIT, year=2024).strip().splitlines()[-1]
    assert last == "total=100.00 pengungkit=60.00 hasil=40.00 predikat=WBK"
    # the same file again changes nothing; the TPI column is still empty
    assert run("lke_import", str(path), unit=UNIT, year=2024).strip() == "changed=0"
    assert run("lke_score", unit=UNIT, year=2024, column="tpi").strip().splitlines()[-1] == \
        "total=0.00 pengungkit=0.00 hasil=0.00 predikat=-"


def test_lke_score_prints_one_line_per_area_then_the_total_line(db, tmp_path):
    export(tmp_path, create_unit=True)
    lines = run("lke_score", unit=UNIT, year=2024).strip().splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith("area ")] == [
        "area 1 Manajemen Perubahan", "area 2 Penataan Tatalaksana", "area 3 Penataan Sistem Manajemen SDM Aparatur",
        "area 4 Penguatan Akuntabilitas", "area 5 Penguatan Pengawasan", "area 6 Peningkatan Kualitas Pelayanan Publik"]
    assert re.fullmatch(r"total=\d+\.\d\d pengungkit=\d+\.\d\d hasil=\d+\.\d\d predikat=(WBK|WBBM|-)", lines[-1])


def test_counts_decide_a_percentage_question_and_its_own_cell_may_stay_empty(db, tmp_path):
    path = export(tmp_path, create_unit=True)
    fill(path, {"A.II.5.iii.a.2": 1, "A.II.5.iii.a.3": 3, "A.II.5.iii.a.4": "0", "A.II.5.iii.a.5": "2",
                "B.I.a": "3.60", "B.II.a": 3.2})
    run("lke_import", str(path), unit=UNIT, year=2024)
    answer = Answer.objects.get(question__code="A.II.5.iii.a")
    assert answer.counts == {"A.II.5.iii.a.2": 1, "A.II.5.iii.a.3": 3, "A.II.5.iii.a.4": 0, "A.II.5.iii.a.5": 2}
    out = export(tmp_path, "again.xlsx")
    ws, index = rows_of(out)
    value_col = header_col(ws, "NILAI UNIT")
    assert ws.cell(index["A.II.5.iii.a"], value_col).value == 0.5
    assert ws.cell(index["B.I.a"], value_col).value == 0.9


def test_a_bad_row_refuses_the_whole_import_with_row_column_and_reason(db, tmp_path):
    path = export(tmp_path, create_unit=True)
    values = best_values(path)
    values.update({"A.I.1.i.a": "B", "B.I.a": "4,5", "A.II.5.iii.a.1": "dua"})
    fill(path, values)
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 kesalahan"):
        call_command("lke_import", str(path), unit=UNIT, year=2024, stdout=io.StringIO(), stderr=err)
    _ws, index = rows_of(path)
    report = err.getvalue()
    assert f"baris {index['A.I.1.i.a']}, kolom F: B bukan pilihan pertanyaan Ya/Tidak" in report
    assert f"baris {index['B.I.a']}, kolom F: 4,5 di luar rentang 0–4" in report
    assert f"baris {index['A.II.5.iii.a.1']}, kolom F: dua bukan bilangan bulat" in report
    assert Answer.objects.count() == 0 and Assessment.objects.count() == 0


def test_a_worksheet_without_the_answer_column_is_refused(db, tmp_path):
    Unit.objects.create(name=UNIT)
    wb = openpyxl.Workbook()
    wb.active.append(["KODE", "URAIAN"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    with pytest.raises(CommandError):
        run("lke_import", str(path), unit=UNIT, year=2024)
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04 bukan xlsx")
    with pytest.raises(CommandError):
        run("lke_import", str(tmp_path / "junk.xlsx"), unit=UNIT, year=2024)


def test_notes_with_formulas_are_neutralised_on_export_and_restored_on_import(db, tmp_path):
    path = export(tmp_path, create_unit=True)
    # typed in Excel with the guard apostrophe, as an exported note reads
    fill(path, {"A.I.1.i.a": "Ya"}, note={"A.I.1.i.a": "'=HYPERLINK(\"http://x\")"})
    run("lke_import", str(path), unit=UNIT, year=2024)
    assert Answer.objects.get(question__code="A.I.1.i.a").note == "=HYPERLINK(\"http://x\")"
    again = export(tmp_path, "again.xlsx")
    ws, index = rows_of(again)
    cell = ws.cell(index["A.I.1.i.a"], header_col(ws, "CATATAN UNIT")).value
    assert cell == "'=HYPERLINK(\"http://x\")"
    assert AuditEvent.objects.filter(action="lke.answer.unit").count() == 1
    assert run("lke_import", str(again), unit=UNIT, year=2024).strip() == "changed=0"


def test_the_tpi_column_imports_separately(db, tmp_path):
    path = export(tmp_path, create_unit=True)
    fill(path, {"A.I.1.i.a": "Tidak"}, column="JAWABAN TPI")
    run("lke_import", str(path), unit=UNIT, year=2024, column="tpi")
    assert Answer.objects.get().column == "tpi"
