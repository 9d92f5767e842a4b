"""The LKE worksheet (.xlsx): export an assessment as the familiar Excel LKE, read one back.

One sheet. Column A holds the code of every row (node, question, and each count row of a percentage question with
its own code `A.II.5.iii.a.1` …), column B its text; the answers sit under `JAWABAN UNIT` and `JAWABAN TPI`, the
notes under `CATATAN UNIT` / `CATATAN TPI`, wherever those headers are (found by name, so a user who moves
columns in Excel still imports). Answers are read as people type them: `Ya`/`ya`/`YA`, `Tidak`, `A`–`E` (also
`a.` or `A. uraian…`), a survey value `3,6` / `3.60`, a percentage `80`, `80%` or a cell formatted as percent,
whole numbers in count rows. Text cells are neutralised against formulas on export (the plan export's helper) and
restored on import.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from actionplan.importing import neutralize_formula, restore_formula

from . import scoring
from .models import Column

HEADERS = ["KODE", "URAIAN", "BOBOT", "PENJELASAN", "PILIHAN JAWABAN", "JAWABAN UNIT", "CATATAN UNIT",
           "JAWABAN TPI", "CATATAN TPI", "NILAI UNIT", "% BOBOT UNIT", "NILAI TPI", "% BOBOT TPI"]
ANSWER_HEADER = {Column.UNIT: "JAWABAN UNIT", Column.TPI: "JAWABAN TPI"}
NOTE_HEADER = {Column.UNIT: "CATATAN UNIT", Column.TPI: "CATATAN TPI"}
HEADER_SEARCH_ROWS = 40
MAX_NOTE = 4000


def _safe(value):
    return neutralize_formula(value) if isinstance(value, str) else value


def _answer_cell(question: scoring.Question, row) -> object:
    if row is None:
        return None
    if question.answer_type in scoring.CHOICE_TYPES:
        return row.choice or None
    return None if row.value is None else float(row.value)


def export(*, struct: scoring.Structure, unit_name: str, year: int, answers: dict, scores: dict) -> bytes:
    """The worksheet as bytes. `answers`: column → code → AnswerRow; `scores`: column → Score."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "LKE"
    ws.append([_safe(struct.name)])
    ws.append([_safe(_("Unit kerja")), _safe(unit_name)])
    ws.append([_safe(_("Tahun")), year])
    ws.append([])
    ws.append(HEADERS)
    for cell in ws[5]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9EAD3")
    questions_by_node: dict[str, list] = {}
    for q in struct.questions.values():
        questions_by_node.setdefault(q.node, []).append(q)

    def share(points, weight):
        return None if not weight else float(scoring.r2(points / weight * 100))

    for code, node in struct.nodes.items():
        u, t = scores[Column.UNIT].nodes[code], scores[Column.TPI].nodes[code]
        ws.append([code, _safe(node.title), float(node.weight), None, None, None, None, None, None,
                   float(scoring.r2(u)), share(u, node.weight), float(scoring.r2(t)), share(t, node.weight)])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.cell(ws.max_row, 2).font = Font(bold=True)
        for q in questions_by_node.get(code, []):
            urow, trow = answers[Column.UNIT].get(q.code), answers[Column.TPI].get(q.code)
            choices = "\n".join(f"{k}. {text}" if text and text != k else k for k, text, _v in q.choices)
            if q.answer_type == "survey":
                choices = _("Nilai 0–4")
            elif q.answer_type == "percent":
                choices = _("Persentase (dihitung dari jumlah di bawah; isi 0–100 hanya bila jumlah kosong)")
            uv, tv = scores[Column.UNIT].values[q.code], scores[Column.TPI].values[q.code]
            ws.append([q.code, _safe(q.text), float(q.weight) if q.weight is not None else None,
                       _safe(q.explanation) or None, _safe(choices), _answer_cell(q, urow),
                       _safe(urow.note) if urow and urow.note else None, _answer_cell(q, trow),
                       _safe(trow.note) if trow and trow.note else None,
                       None if uv is None else float(scoring.r2(uv)), None,
                       None if tv is None else float(scoring.r2(tv)), None])
            ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(ws.max_row, 5).alignment = Alignment(wrap_text=True, vertical="top")
            for count_code, text in q.counts:
                ws.append([count_code, _safe(text), None, None, _("Jumlah (bilangan bulat)"),
                           (urow.counts.get(count_code) if urow else None),
                           None, (trow.counts.get(count_code) if trow else None)])
    ws.append([])
    for column, label in ((Column.UNIT, _("Nilai total unit")), (Column.TPI, _("Nilai total TPI"))):
        result = scores[column]
        ws.append([None, _safe(label), 100.0, None, None, None, None, None, None, float(scoring.r2(result.total)),
                   None, None, None])
    for i, width in enumerate([16, 70, 8, 40, 40, 14, 30, 14, 30, 10, 10, 10, 10], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C6"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class SheetIssue:
    row: int | None
    column: str
    message: str

    def __str__(self):
        where = _("baris %(r)s") % {"r": self.row} if self.row else _("berkas")
        return f"{where}, {_('kolom')} {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ParsedAnswer:
    choice: str = ""
    value: Decimal | None = None
    counts: dict | None = None
    note: str = ""


_LETTER = re.compile(r"^\s*([A-Ea-e])\s*(?:[.)]|\s|$)")
_NUMBER = re.compile(r"^\s*[+]?(\d+(?:[.,]\d+)?)\s*(%?)\s*$")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore_formula(str(value)).strip()


def read_answer(question: scoring.Question, cell) -> tuple[str, Decimal | None, str | None]:
    """(choice, value, problem) from one answer cell, read as people type it."""
    raw = cell.value
    text = _text(raw)
    if not text:
        return "", None, None
    if question.answer_type == "ya_tidak":
        word = text.lower().rstrip(".").strip()
        if word in ("ya", "y", "yes", "1"):
            return "Ya", None, None
        if word in ("tidak", "t", "tdk", "no", "0"):
            return "Tidak", None, None
        return "", None, _("%(v)s bukan pilihan pertanyaan Ya/Tidak (isi Ya atau Tidak).") % {"v": text[:30]}
    if question.answer_type in scoring.CHOICE_TYPES:
        keys = [k for k, _t, _v in question.choices]
        m = _LETTER.match(text)
        if m and m.group(1).upper() in keys:
            return m.group(1).upper(), None, None
        return "", None, _("%(v)s bukan pilihan pertanyaan %(t)s.") % {"v": text[:30], "t": "/".join(keys)}
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = Decimal(str(raw))
        if question.answer_type == "percent" and "%" in (cell.number_format or ""):
            number *= 100
    else:
        m = _NUMBER.match(text)
        if not m:
            return "", None, _("%(v)s bukan angka.") % {"v": text[:30]}
        number = Decimal(m.group(1).replace(",", "."))
    high = Decimal(4) if question.answer_type == "survey" else Decimal(100)
    if not 0 <= number <= high:
        return "", None, _("%(v)s di luar rentang 0–%(h)s.") % {"v": text[:30], "h": high}
    return "", scoring.r2(number), None


def read_count(cell) -> tuple[int | None, str | None]:
    raw = cell.value
    if raw is None or _text(raw) == "":
        return None, None
    if isinstance(raw, float) and raw.is_integer() and raw >= 0:
        return int(raw), None
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw, None
    text = _text(raw).replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", _text(raw)) else _text(raw)
    if text.isdigit() and text.isascii():
        return int(text), None
    return None, _("%(v)s bukan bilangan bulat 0 atau lebih.") % {"v": _text(raw)[:30]}


def parse(content: bytes, *, struct: scoring.Structure, column: str) -> tuple[dict, list[SheetIssue]]:
    """code → ParsedAnswer for every question of the worksheet, and the problems (empty when it can be imported)."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True, read_only=False)
    except Exception:  # noqa: BLE001 — openpyxl raises many kinds on a damaged file; all mean "not a worksheet"
        return {}, [SheetIssue(None, "", _("Berkas bukan lembar kerja .xlsx yang dapat dibaca."))]
    ws = wb.worksheets[0]
    header_row, cols = None, {}
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS), start=1):
        names = {str(c.value).strip().upper(): c.column for c in row if isinstance(c.value, str)}
        if ANSWER_HEADER[column] in names:
            header_row, cols = r, names
            break
    if header_row is None:
        return {}, [SheetIssue(None, "", _("Kolom berjudul %(h)s tidak ditemukan.") % {"h": ANSWER_HEADER[column]})]
    answer_col, note_col = cols[ANSWER_HEADER[column]], cols.get(NOTE_HEADER[column])
    letter = get_column_letter(answer_col)
    issues: list[SheetIssue] = []
    parsed: dict[str, ParsedAnswer] = {}
    seen: dict[str, int] = {}
    for r, row in enumerate(ws.iter_rows(min_row=header_row + 1, max_row=ws.max_row), start=header_row + 1):
        if not row or row[0].value is None:
            continue
        code = _text(row[0].value)
        if not code or code in struct.nodes:
            continue
        cell = ws.cell(r, answer_col)
        if code in struct.questions:
            q = struct.questions[code]
            if code in seen:
                issues.append(SheetIssue(r, "A", _("kode %(c)s sudah ada di baris %(r)s.")
                                         % {"c": code, "r": seen[code]}))
                continue
            seen[code] = r
            choice, value, problem = read_answer(q, cell)
            if problem:
                issues.append(SheetIssue(r, letter, problem))
            note = _text(ws.cell(r, note_col).value) if note_col else ""
            if len(note) > MAX_NOTE:
                issues.append(SheetIssue(r, get_column_letter(note_col),
                                         _("catatan lebih dari %(n)s karakter.") % {"n": MAX_NOTE}))
            entry = parsed.setdefault(code, ParsedAnswer(counts={}))
            entry.choice, entry.value, entry.note = choice, value, note
        elif code in struct.count_codes:
            qcode = struct.count_codes[code]
            if code in seen:
                issues.append(SheetIssue(r, "A", _("kode %(c)s sudah ada di baris %(r)s.")
                                         % {"c": code, "r": seen[code]}))
                continue
            seen[code] = r
            number, problem = read_count(cell)
            if problem:
                issues.append(SheetIssue(r, letter, problem))
            elif number is not None:
                parsed.setdefault(qcode, ParsedAnswer(counts={})).counts[code] = number
        elif re.fullmatch(r"[AB](\.[A-Za-z0-9]+)+", code):
            issues.append(SheetIssue(r, "A", _("kode %(c)s tidak ada di LKE ini.") % {"c": code[:40]}))
    return parsed, issues
