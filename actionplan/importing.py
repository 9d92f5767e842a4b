"""Read and check a ZI plan table (BAB III "Rencana Aksi") before anything is written to the database.

The table has the columns NO, KOMPONEN, INDIKATOR, LANGKAH AKSI, BUKTI FISIK, TARGET WAKTU and optionally
PENANGGUNG JAWAB (header names are matched case-insensitively, with common synonyms). The row grammar is the one
of the printed plans:

* NO is a roman numeral I–VI: a component (area) starts; KOMPONEN is its name.
* NO is an arabic number: a sub-component starts (number + KOMPONEN as its name) and the row carries its first
  indicator. A row with nothing but NO and KOMPONEN only opens the sub-component.
* NO and KOMPONEN are blank: another indicator of the current sub-component (what merged cells look like once
  exported). A row that repeats the current NO and KOMPONEN ("fill down" after un-merging) means the same.
* Every indicator row is one Indicator with one ActionStep (LANGKAH AKSI, BUKTI FISIK, TARGET WAKTU,
  PENANGGUNG JAWAB). Fully blank rows are skipped.

`parse_plan_table` returns plain dataclasses (the tree, errors and warnings), never touches the database and
never raises for bad content: every problem becomes a `RowIssue` with the row number the user sees in the
spreadsheet (header = row 1), the column and an Indonesian message.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .models import ROMAN, ActionStep, Area, Component, SubComponent
from .target_dates import parse_target_text

# Canonical columns, in export order, with the header spellings accepted for each.
COL_NO = "NO"
COL_COMPONENT = "KOMPONEN"
COL_INDICATOR = "INDIKATOR"
COL_ACTION = "LANGKAH AKSI"
COL_EVIDENCE = "BUKTI FISIK"
COL_TARGET = "TARGET WAKTU"
COL_RESPONSIBLE = "PENANGGUNG JAWAB"
# Optional, read on import only (issue 11): numbers of the plan's priority targets a row serves, e.g. "1, 3".
COL_PRIORITY = "PRIORITAS"
COLUMNS = [COL_NO, COL_COMPONENT, COL_INDICATOR, COL_ACTION, COL_EVIDENCE, COL_TARGET, COL_RESPONSIBLE]
REQUIRED_COLUMNS = COLUMNS[:-1]
DETAIL_COLUMNS = [COL_INDICATOR, COL_ACTION, COL_EVIDENCE, COL_TARGET, COL_RESPONSIBLE]
HEADER_SYNONYMS = {
    COL_NO: ["NO", "NOMOR", "NO URUT", "NOMOR URUT"],
    COL_COMPONENT: ["KOMPONEN", "SUB KOMPONEN", "AREA", "AREA PERUBAHAN", "KOMPONEN SUB KOMPONEN"],
    COL_INDICATOR: ["INDIKATOR"],
    COL_ACTION: ["LANGKAH AKSI", "RENCANA AKSI", "KEGIATAN"],
    COL_EVIDENCE: ["BUKTI FISIK", "OUTPUT", "BUKTI DUKUNG", "DATA DUKUNG"],
    COL_TARGET: ["TARGET WAKTU", "TARGET", "WAKTU", "JADWAL"],
    COL_RESPONSIBLE: ["PENANGGUNG JAWAB", "PENANGGUNGJAWAB", "PIC", "PJ"],
    COL_PRIORITY: ["PRIORITAS", "TARGET PRIORITAS", "NO PRIORITAS"],
}
_HEADER_LOOKUP = {spelling: canonical for canonical, spellings in HEADER_SYNONYMS.items() for spelling in spellings}
_PRIORITY_SPLIT = re.compile(r"[\s,;/]+")
HEADER_SEARCH_ROWS = 10        # a title line or two above the header row is common in office documents

# Field limits come from the models, so the check here and the database never disagree.
MAX_COMPONENT_NAME = Component._meta.get_field("name").max_length
MAX_SUBCOMPONENT_NAME = SubComponent._meta.get_field("name").max_length
MAX_TARGET_TEXT = ActionStep._meta.get_field("target_text").max_length
MAX_RESPONSIBLE_TEXT = ActionStep._meta.get_field("responsible_text").max_length
MAX_REVIEW_REASON = ActionStep._meta.get_field("review_reason").max_length
MAX_SUBCOMPONENT_NUMBER = 999
MAX_CELL_TEXT = 32_767         # one spreadsheet cell (Excel; openpyxl cuts longer text silently on export)

BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"]

_ROMAN_RE = re.compile(r"^([IVXLCDM]+)\s*[.)]?$", re.IGNORECASE)
_ARABIC_RE = re.compile(r"^(\d+)(?:\.0+)?\s*[.)]?$")
_FORMULA_START = ("=", "+", "@", "\t", "\r")
# Control characters are never meant in plan text, and xlsx cannot store them (same set as openpyxl).
_CONTROL_CHARS_RE = re.compile(r"[\000-\010\013\014\016-\037]")

ERROR, WARNING, NOTE, REVIEW = "error", "warning", "note", "review"
KIND_LABELS = {ERROR: "KESALAHAN", WARNING: "peringatan", NOTE: "catatan", REVIEW: "perlu ditinjau"}
_KIND_ORDER = {ERROR: 0, WARNING: 1, REVIEW: 2, NOTE: 3}
REPORT_LIMIT = 200


# -- formula injection --------------------------------------------------------------------------------------------

def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would read the text as a formula: = + @ tab CR, or '-' followed by a non-space.
    "- butir" (a dash list) and a lone "-" stay plain text."""
    if not text:
        return False
    if text.startswith(_FORMULA_START):
        return True
    return text[0] == "-" and len(text) > 1 and not text[1].isspace()


def _needs_guard(text: str) -> bool:
    # Formula-like, or apostrophes followed by formula-like text (which must survive the round trip too).
    stripped = text.lstrip("'")
    return looks_like_formula(stripped)


def neutralize_formula(text: str) -> str:
    """Text for an export cell: without the control characters xlsx cannot store (the import drops them too), and
    with an apostrophe before text a spreadsheet would execute (OWASP CSV injection advice). Text that already
    starts with apostrophes before such a character gets one more, so `restore_formula` always gives it back."""
    text = _CONTROL_CHARS_RE.sub("", text)
    return "'" + text if _needs_guard(text) else text


def restore_formula(text: str) -> str:
    """Undo `neutralize_formula` on import, so an exported plan re-imports to the same texts."""
    return text[1:] if text.startswith("'") and _needs_guard(text[1:]) else text


# -- result structures --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowIssue:
    """One problem or remark about the table. `row` is the spreadsheet row (header = 1); None = the whole file."""

    row: int | None
    column: str | None
    message: str
    kind: str = WARNING        # error | warning | note | review

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def render(self) -> str:
        where = f"Baris {self.row}" if self.row is not None else "Berkas"
        if self.column:
            where += f", kolom {self.column}"
        return f"{where} — {KIND_LABELS[self.kind]}: {self.message}"


@dataclass
class ParsedStep:
    row: int
    description: str
    evidence_required: str
    target_text: str
    responsible_text: str
    dates: tuple[datetime.date, ...]
    review_reason: str
    parse_warnings: tuple[str, ...]
    parse_notes: tuple[str, ...]
    priorities: tuple[int, ...] = ()

    def date_warning(self, due_date: datetime.date) -> str:
        """The parser's warning about this date (e.g. outside the plan year), to keep on the Target."""
        iso = due_date.isoformat()
        return next((w for w in self.parse_warnings if iso in w), "")


@dataclass
class ParsedIndicator:
    row: int
    text: str
    steps: list[ParsedStep]


@dataclass
class ParsedSubComponent:
    row: int
    number: int
    name: str
    indicators: list[ParsedIndicator] = field(default_factory=list)


@dataclass
class ParsedComponent:
    row: int
    code: str
    name: str
    subcomponents: list[ParsedSubComponent] = field(default_factory=list)


@dataclass
class ParsedPlanTable:
    """The plan tree read from one file, with everything worth telling the user about it."""

    plan_year: int
    file_format: str = ""
    components: list[ParsedComponent] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)   # kinds warning, note and review

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def subcomponents(self) -> list[ParsedSubComponent]:
        return [s for c in self.components for s in c.subcomponents]

    def indicators(self) -> list[ParsedIndicator]:
        return [i for s in self.subcomponents() for i in s.indicators]

    def steps(self) -> list[ParsedStep]:
        return [st for i in self.indicators() for st in i.steps]

    def counts(self) -> dict[str, int]:
        steps = self.steps()
        kinds = Counter(w.kind for w in self.warnings)
        return {
            "components": len(self.components),
            "subcomponents": len(self.subcomponents()),
            "indicators": len(self.indicators()),
            "steps": len(steps),
            "targets": sum(max(1, len(st.dates)) for st in steps),
            "warnings": kinds[WARNING],
            "notes": kinds[NOTE],
            "review": sum(1 for st in steps if st.review_reason),
        }

    def report(self) -> str:
        return render_report(self.errors, self.warnings)


def render_report(errors: list[RowIssue], warnings: list[RowIssue], limit: int = REPORT_LIMIT) -> str:
    """Row-by-row Indonesian report: file-level issues first, then by row, errors before remarks."""
    issues = sorted([*errors, *warnings],
                    key=lambda i: (i.row is not None, i.row or 0, _KIND_ORDER[i.kind]))
    if not issues:
        return "Tidak ada kesalahan atau peringatan."
    lines = [issue.render() for issue in issues[:limit]]
    if len(issues) > limit:
        lines.append(f"… dan {len(issues) - limit} catatan lain tidak ditampilkan.")
    return "\n".join(lines)


class TableReadError(Exception):
    """The file cannot be read as a table at all (wrong format, broken xlsx, unknown encoding)."""


# -- reading the file ---------------------------------------------------------------------------------------------

def read_source(source) -> bytes:
    """The bytes of a path, bytes or binary file object (an UploadedFile included)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        try:
            source.seek(0)
        except (OSError, ValueError):
            pass
    if hasattr(source, "chunks"):
        return b"".join(source.chunks())
    data = source.read()
    if isinstance(data, str):
        raise TypeError("plan sources must be opened in binary mode")
    return data


def detect_format(data: bytes, filename: str) -> str:
    """'xlsx', 'csv' or 'tsv': from the content where it tells (xlsx is a zip), else from the extension."""
    ext = Path(filename or "").suffix.lower().lstrip(".")
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableReadError("Format Excel lama (.xls) tidak didukung. Simpan ulang sebagai .xlsx lalu unggah lagi.")
    if ext in ("xlsx", "xlsm"):
        raise TableReadError(f"Berkas '{filename}' bukan berkas .xlsx yang sah (mungkin rusak atau salah ekstensi).")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableReadError("Berkas bukan tabel teks (.csv/.tsv) maupun .xlsx.")
    return "tsv" if ext in ("tsv", "tab") else "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"),
    else Windows-1252 (older Excel "CSV" on Windows)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise TableReadError("Berkas teks tidak dapat dibaca: pengodean karakternya tidak dikenali. "
                             "Simpan ulang sebagai 'CSV UTF-8' lalu unggah lagi.") from None


def _sniff_delimiter(text: str, file_format: str) -> str:
    if file_format == "tsv":
        return "\t"
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Excel with Indonesian regional settings writes ';'-separated "CSV".
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _xlsx_rows(data: bytes) -> tuple[list[list], list[RowIssue]]:
    """Rows of the sheet that holds the table: the active sheet, else the first sheet whose header names the
    required columns (a workbook often has BAB I/II on other sheets)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:    # openpyxl raises many types for a damaged zip/xml
        raise TableReadError(f"Berkas .xlsx tidak dapat dibaca ({exc.__class__.__name__}). "
                             "Pastikan berkas tidak rusak dan tidak diproteksi kata sandi.") from None
    try:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        if not sheets:
            raise TableReadError("Berkas .xlsx tidak berisi lembar kerja.")
        active = workbook.active if workbook.active in sheets else sheets[0]
        chosen, remarks = active, []
        for sheet in [active] + [ws for ws in sheets if ws is not active]:
            # The <dimension> stored in the file may be missing or stale (some generators write none, or a
            # too small one): reading with it would cut rows silently, so it is ignored.
            sheet.reset_dimensions()
            head = sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
            if any(all(c in map_headers(list(r))[0] for c in REQUIRED_COLUMNS) for r in head):
                chosen = sheet
                break
        if chosen is not active:
            remarks.append(RowIssue(None, None, f"tabel dibaca dari lembar '{chosen.title}'.", NOTE))
        return [list(r) for r in chosen.iter_rows(values_only=True)], remarks
    except TableReadError:
        raise
    except Exception as exc:    # read-only mode parses a sheet lazily: damaged XML shows only while reading rows
        raise TableReadError(f"Berkas .xlsx tidak dapat dibaca ({exc.__class__.__name__}): isi lembar kerjanya "
                             "rusak. Simpan ulang berkas dari Excel lalu unggah lagi.") from None
    finally:
        workbook.close()


def read_rows(data: bytes, filename: str) -> tuple[list[list], str, list[RowIssue]]:
    """All rows of the table, the header row included, as lists of raw cell values; row i is spreadsheet row i+1.

    xlsx is read with openpyxl (values of formulas, empty rows kept, the stored sheet dimension ignored: that is
    why django-import-export's XLSX format, which trusts it and may cut rows or fail on ragged rows, is only used
    for export). csv/tsv are split with the csv module rather than tablib, which drops empty lines and would shift
    the row numbers reported to the user.
    """
    if not data.strip():
        raise TableReadError("Berkas kosong.")
    file_format = detect_format(data, filename)
    if file_format == "xlsx":
        rows, remarks = _xlsx_rows(data)
        return rows, file_format, remarks
    remarks: list[RowIssue] = []
    text, encoding = decode_text(data)
    if encoding == "cp1252":
        remarks.append(RowIssue(None, None, "Berkas tidak berpengodean UTF-8; dibaca sebagai Windows-1252. "
                                            "Periksa huruf khusus (mis. tanda kutip) setelah impor.", WARNING))
    delimiter = _sniff_delimiter(text, file_format)
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise TableReadError(f"Berkas {file_format.upper()} tidak dapat dibaca: {exc}.") from None
    return rows, file_format, remarks


# -- cells --------------------------------------------------------------------------------------------------------

def cell_text(value) -> str:
    """A cell as clean text. Date cells become Indonesian text the target-date parser reads (a date on the 1st
    is taken as its month: Excel turns a typed "Feb-2017" into 1 Feb 2017 shown as "Feb-17")."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0, 0):
        value = value.date()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        if value.day == 1:
            return f"{BULAN[value.month - 1]} {value.year}"
        return f"{value.day} {BULAN[value.month - 1]} {value.year}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARS_RE.sub("", text).strip()
    return restore_formula(text)


def normalize_header(value) -> str:
    text = str(value or "").upper().replace("_", " ").replace("-", " ").replace("/", " ")
    return " ".join(text.split()).strip(" .:")


def map_headers(header: list) -> tuple[dict[str, int], list[tuple[int, str]], list[str]]:
    """Canonical column → index; duplicates (index, canonical); unknown header texts."""
    mapping: dict[str, int] = {}
    duplicates, unknown = [], []
    for index, raw in enumerate(header):
        name = normalize_header(raw)
        if not name:
            continue
        canonical = _HEADER_LOOKUP.get(name)
        if canonical is None:
            unknown.append(str(raw).strip())
        elif canonical in mapping:
            duplicates.append((index, canonical))
        else:
            mapping[canonical] = index
    return mapping, duplicates, unknown


def _find_header(rows: list[list]) -> int:
    """Index of the header row among the first rows: the one naming the most known columns."""
    best, best_index = -1, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = len(map_headers(row)[0])
        if found > best:
            best, best_index = found, index
        if found == len(COLUMNS):
            break
    return best_index


# -- the grammar --------------------------------------------------------------------------------------------------

class _TableParser:
    def __init__(self, rows: list[list], plan_year: int, result: ParsedPlanTable):
        self.rows, self.plan_year, self.result = rows, plan_year, result
        self.component: ParsedComponent | None = None
        self.sub: ParsedSubComponent | None = None
        self.orphans: list[int] = []       # rows before the first component: reported once, not 72 times

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.result.errors.append(RowIssue(row, column, message, ERROR))

    def remark(self, row: int | None, column: str | None, message: str, kind: str = WARNING) -> None:
        self.result.warnings.append(RowIssue(row, column, message, kind))

    def run(self) -> None:
        header_index = _find_header(self.rows)
        header_row = header_index + 1
        mapping, duplicates, unknown = map_headers(self.rows[header_index] if self.rows else [])
        missing = [c for c in REQUIRED_COLUMNS if c not in mapping]
        for index, canonical in duplicates:
            self.error(header_row, canonical, f"kolom {canonical} muncul lebih dari sekali (kolom ke-{index + 1}).")
        if missing:
            found = ", ".join(str(c).strip() for c in (self.rows[header_index] if self.rows else []) if c)
            for column in missing:
                self.error(header_row, column, f"kolom wajib {column} tidak ditemukan di baris judul "
                                               f"(ditemukan: {found or 'tidak ada'}).")
            return
        for name in unknown:
            self.remark(header_row, name, "kolom tidak dikenal; isinya diabaikan.")
        for offset, raw in enumerate(self.rows[header_index + 1:], start=header_row + 1):
            cells = {col: cell_text(raw[i]) if i < len(raw) else "" for col, i in mapping.items()}
            cells.setdefault(COL_RESPONSIBLE, "")
            cells.setdefault(COL_PRIORITY, "")
            if not any(cells.values()):
                continue
            self.row(offset, cells)
        self.finish()

    def row(self, n: int, cells: dict[str, str]) -> None:
        no, name = cells[COL_NO], cells[COL_COMPONENT]
        has_detail = any(cells[c] for c in DETAIL_COLUMNS)
        if no and _ROMAN_RE.match(no) and not _ARABIC_RE.match(no):
            self.start_component(n, no.upper().rstrip(".) "), name, cells)
            return
        if no:
            match = _ARABIC_RE.match(no)
            if not match:
                self.error(n, COL_NO, f"'{no}' bukan nomor yang dikenali: gunakan angka romawi I–VI untuk komponen "
                                      "atau angka (1, 2, …) untuk sub-komponen.")
                return
            number = int(match.group(1))
            if self.sub is not None and number == self.sub.number and name in ("", self.sub.name):
                # The current sub-component repeated ("fill down" after un-merging cells): a continuation.
                self.indicator_row(n, cells)
                return
            if not self.start_subcomponent(n, number, name):
                return
            if has_detail:
                self.indicator_row(n, cells)
            return
        if name:
            if self.sub is not None and name == self.sub.name:
                self.indicator_row(n, cells)
                return
            self.error(n, COL_NO, f"KOMPONEN berisi '{name[:60]}' tetapi NO kosong: isi nomor sub-komponen, atau "
                                  "kosongkan KOMPONEN bila baris ini melanjutkan sub-komponen di atasnya.")
            return
        if self.component is None:
            self.orphan(n)
            return
        if self.sub is None:
            self.error(n, COL_NO, f"baris indikator sebelum sub-komponen pertama komponen {self.component.code}: "
                                  "isi NO dengan nomor sub-komponen.")
            return
        self.indicator_row(n, cells)

    def orphan(self, n: int) -> None:
        if not self.orphans:
            self.error(n, COL_NO, "baris sebelum komponen mana pun: di atasnya harus ada baris komponen dengan NO "
                                  "angka romawi (I–VI).")
        self.orphans.append(n)

    def start_component(self, n: int, code: str, name: str, cells: dict[str, str]) -> None:
        if code not in ROMAN:
            self.error(n, COL_NO, f"nomor komponen '{code}' tidak dikenal; yang dikenal: {', '.join(ROMAN)}.")
        filled = [c for c in DETAIL_COLUMNS if cells[c] and c != COL_RESPONSIBLE]
        if cells[COL_RESPONSIBLE]:
            self.remark(n, COL_RESPONSIBLE, "penanggung jawab pada baris komponen tidak disimpan; isi pada baris "
                                            "langkah aksi.")
        if filled:
            self.error(n, filled[0], f"baris komponen {code} tidak boleh berisi {', '.join(filled)}: pindahkan "
                                     "isinya ke baris sub-komponen di bawahnya.")
        if any(c.code == code for c in self.result.components):
            self.error(n, COL_NO, f"komponen {code} muncul lebih dari sekali.")
        if not name and code in ROMAN:
            name = str(Area(code).label)
            self.remark(n, COL_COMPONENT, f"nama komponen {code} kosong; dipakai nama baku '{name}'.")
        elif len(name) > MAX_COMPONENT_NAME:
            self.error(n, COL_COMPONENT, f"nama komponen terlalu panjang ({len(name)} karakter, "
                                         f"maksimal {MAX_COMPONENT_NAME}).")
        self.check_component_has_rows()
        self.component = ParsedComponent(row=n, code=code, name=name)
        self.result.components.append(self.component)
        self.sub = None

    def start_subcomponent(self, n: int, number: int, name: str) -> bool:
        if self.component is None:
            self.orphan(n)
            return False
        ok = True
        if not 1 <= number <= MAX_SUBCOMPONENT_NUMBER:
            self.error(n, COL_NO, f"nomor sub-komponen {number} di luar rentang 1–{MAX_SUBCOMPONENT_NUMBER}.")
            ok = False
        if any(s.number == number for s in self.component.subcomponents):
            self.error(n, COL_NO, f"nomor sub-komponen {number} sudah dipakai di komponen {self.component.code}.")
            ok = False
        if not name:
            self.error(n, COL_COMPONENT, f"nama sub-komponen {number} kosong.")
            ok = False
        elif len(name) > MAX_SUBCOMPONENT_NAME:
            self.error(n, COL_COMPONENT, f"nama sub-komponen terlalu panjang ({len(name)} karakter, "
                                         f"maksimal {MAX_SUBCOMPONENT_NAME}).")
            ok = False
        self.sub = ParsedSubComponent(row=n, number=number, name=name)
        # Kept even when wrong, so its following rows are checked in context rather than reported again.
        self.component.subcomponents.append(self.sub)
        return ok

    def indicator_row(self, n: int, cells: dict[str, str]) -> None:
        indicator, action = cells[COL_INDICATOR], cells[COL_ACTION]
        evidence, target = cells[COL_EVIDENCE], cells[COL_TARGET]
        responsible = cells[COL_RESPONSIBLE]
        if not action:
            what = "LANGKAH AKSI dan BUKTI FISIK kosong" if not evidence else "LANGKAH AKSI kosong"
            self.error(n, COL_ACTION, f"{what}: setiap indikator perlu langkah aksi.")
            return
        if not indicator:
            self.remark(n, COL_INDICATOR, "indikator kosong; langkah aksi tetap diimpor tanpa teks indikator.")
        if len(target) > MAX_TARGET_TEXT:
            self.error(n, COL_TARGET, f"teks target waktu terlalu panjang ({len(target)} karakter, "
                                      f"maksimal {MAX_TARGET_TEXT}).")
            return
        if len(responsible) > MAX_RESPONSIBLE_TEXT:
            self.error(n, COL_RESPONSIBLE, f"teks penanggung jawab terlalu panjang ({len(responsible)} karakter, "
                                           f"maksimal {MAX_RESPONSIBLE_TEXT}).")
            return
        for column, value in ((COL_INDICATOR, indicator), (COL_ACTION, action), (COL_EVIDENCE, evidence)):
            if len(neutralize_formula(value)) > MAX_CELL_TEXT:
                self.error(n, column, f"teks terlalu panjang ({len(value)} karakter, maksimal {MAX_CELL_TEXT}, "
                                      "batas satu sel Excel): ekspor rencana akan memotongnya.")
                return
        parsed = parse_target_text(target, self.plan_year)
        for text in parsed.warnings:
            self.remark(n, COL_TARGET, text, WARNING)
        for text in parsed.notes:
            self.remark(n, COL_TARGET, text, NOTE)
        review = (parsed.review or "")[:MAX_REVIEW_REASON]
        if review:
            self.remark(n, COL_TARGET, review, REVIEW)
        priorities = _PRIORITY_SPLIT.split(cells[COL_PRIORITY].strip()) if cells[COL_PRIORITY].strip() else []
        if any(not p.isascii() or not p.isdigit() or not 1 <= int(p) <= 100 for p in priorities):
            self.error(n, COL_PRIORITY, f"tulis nomor target prioritas 1–100 dipisah koma, mis. '1, 3' "
                                        f"(tertulis: '{cells[COL_PRIORITY][:40]}').")
            return
        step = ParsedStep(row=n, description=action, evidence_required=evidence, target_text=target,
                          responsible_text=responsible, dates=parsed.dates, review_reason=review,
                          parse_warnings=parsed.warnings, parse_notes=parsed.notes,
                          priorities=tuple(sorted({int(p) for p in priorities})))
        self.sub.indicators.append(ParsedIndicator(row=n, text=indicator, steps=[step]))

    def check_component_has_rows(self) -> None:
        if self.component is not None and not self.component.subcomponents:
            self.error(self.component.row, COL_NO, f"komponen {self.component.code} tidak memiliki baris "
                                                   "sub-komponen/indikator.")

    def finish(self) -> None:
        self.check_component_has_rows()
        for sub in self.result.subcomponents():
            if not sub.indicators and sub.name:
                self.remark(sub.row, COL_INDICATOR, f"sub-komponen {sub.number} belum memiliki indikator.")
        if len(self.orphans) > 1:
            self.error(self.orphans[1], COL_NO, f"{len(self.orphans) - 1} baris lain sebelum komponen pertama "
                                                f"(baris {self.orphans[1]}–{self.orphans[-1]}) juga tidak "
                                                "dapat ditempatkan.")
        if not self.result.components:
            self.error(None, COL_NO, "tidak ada baris komponen (NO berisi angka romawi I–VI); "
                                     "tabel tidak berisi rencana aksi.")


def parse_plan_table(data: bytes, *, filename: str, plan_year: int) -> ParsedPlanTable:
    """Read and check a plan table (xlsx/csv/tsv bytes). Never raises for bad content: see `.errors`."""
    result = ParsedPlanTable(plan_year=plan_year)
    try:
        rows, result.file_format, remarks = read_rows(data, filename)
    except TableReadError as exc:
        result.errors.append(RowIssue(None, None, str(exc), ERROR))
        return result
    result.warnings.extend(remarks)
    if not any(any(cell_text(v) for v in row) for row in rows):
        result.errors.append(RowIssue(None, None, "Berkas kosong: tidak ada baris judul maupun isi.", ERROR))
        return result
    _TableParser(rows, plan_year, result).run()
    return result


# -- preview ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PreviewDate:
    date: datetime.date
    warning: str


@dataclass(frozen=True)
class PreviewRow:
    """One action step as the import will create it, with the remarks about its spreadsheet row."""

    row: int
    component: ParsedComponent
    subcomponent: ParsedSubComponent
    indicator: str
    step: ParsedStep
    dates: tuple[PreviewDate, ...]
    issues: tuple[RowIssue, ...]
    first_of_component: bool
    first_of_subcomponent: bool


def preview_rows(table: ParsedPlanTable) -> tuple[list[PreviewRow], list[RowIssue]]:
    """The rows the import creates, in plan order, each with its warnings, notes and review reason; and the
    remarks that belong to no step row (the file, the header, component and sub-component rows)."""
    by_row: dict[int | None, list[RowIssue]] = {}
    for issue in sorted(table.warnings, key=lambda i: _KIND_ORDER[i.kind]):
        by_row.setdefault(issue.row, []).append(issue)
    rows, step_rows = [], set()
    for component in table.components:
        first_c = True
        for sub in component.subcomponents:
            first_s = True
            for indicator in sub.indicators:
                for step in indicator.steps:
                    step_rows.add(step.row)
                    dates = tuple(PreviewDate(d, step.date_warning(d)) for d in step.dates)
                    shown = {d.warning for d in dates if d.warning}   # told next to their date already
                    rows.append(PreviewRow(
                        row=step.row, component=component, subcomponent=sub, indicator=indicator.text, step=step,
                        dates=dates, issues=tuple(i for i in by_row.get(step.row, ()) if i.message not in shown),
                        first_of_component=first_c, first_of_subcomponent=first_s))
                    first_c = first_s = False
    others = [i for i in table.warnings if i.row not in step_rows]
    return rows, sorted(others, key=lambda i: (i.row is not None, i.row or 0, _KIND_ORDER[i.kind]))
