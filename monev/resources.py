"""The status table export: one row per target, as .xlsx.

Written with openpyxl's write-only mode from `selectors.status_rows` (plain values from four queries whatever the
size of the plan). It was a django-import-export resource over a prefetching queryset, which pages the queryset 100
rows at a time (`IMPORT_EXPORT_CHUNK_SIZE`) so its queries grew with the plan, and built every cell as an object:
1.7 s and 93 queries for a plan of 2,125 targets. Every text cell goes through `neutralize_formula` (the same guard
as the plan export): names typed in the admin are text a spreadsheet could execute like any other.
"""
import datetime
import io

from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from actionplan.importing import neutralize_formula as _safe

from . import selectors

SHEET_TITLE = "Status Rencana Kerja"
COLUMNS = [  # (header, width in characters, wrapped)
    ("KOMPONEN", 28, True), ("SUB KOMPONEN", 30, True), ("INDIKATOR", 44, True), ("LANGKAH AKSI", 60, True),
    ("TARGET WAKTU", 22, True), ("JATUH TEMPO", 16, False), ("PERIODE", 16, False), ("STATUS", 17, False),
    ("PENANGGUNG JAWAB", 26, True), ("TANGGAL DOKUMEN", 16, False), ("BUKTI FISIK TERAKHIR", 50, True),
]
DATE_COLUMNS = (5, 9)  # JATUH TEMPO, TANGGAL DOKUMEN: real dates
HEADER_ROW = 3  # after the title and the plan line
# Indonesian (LCID 0421) day, month name and year: Excel and LibreOffice show "31 Desember 2019".
DATE_FORMAT = "[$-421]d mmmm yyyy;@"
MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"]


def _period_label(row: dict) -> str:
    """`Target.period_label` from the row's values."""
    if row["due_date"] is None:
        return "Perlu ditinjau"
    return f"Semester {'I' if row['semester'] == 1 else 'II'} {row['year']}"


def _latest_evidence(row: dict) -> str:
    if not row["revisions"]:
        return ""
    r = row["revisions"][0]
    names = ", ".join(_safe(name) for name in r["files"])
    return f"Revisi {r['number']} ({r['status_label']}): {names}"


def status_export_rows(rows: list[dict]):
    """The sheet's rows after the header: lists of cell values (dates as `datetime.date`)."""
    for row in rows:
        latest = row["revisions"][0] if row["revisions"] else None
        yield [
            _safe(f"{row['code']}. {row['component_name']}"),
            _safe(f"{row['code']}.{row['sub_number']} {row['sub_name']}"),
            _safe(row["indicator"]),
            _safe(row["description"]),
            _safe(row["target_text"]),
            row["due_date"],
            _period_label(row),
            selectors.STATUS_LABELS[row["status"]],
            _safe(", ".join(row["people"])),
            latest["document_date"] if latest else None,
            _latest_evidence(row),
        ]


def _indonesian_date(date: datetime.date) -> str:
    return f"{date.day} {MONTHS_ID[date.month - 1]} {date.year}"


def status_export_file(*, plan, as_of: datetime.date, semester: int | None) -> tuple[str, bytes]:
    """A worksheet a Ketua Tim can print and filter: a title with the unit, the plan and the date of the
    statuses, a frozen header row with an autofilter, widths and wrapped text, real dates, and a landscape print
    fitted to the page width that repeats the header on every page."""
    rows = selectors.status_rows(plan=plan, as_of=as_of, semester=semester)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    last_column = get_column_letter(len(COLUMNS))
    for index, (_header, width, _wrap) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + max(len(rows), 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True

    def cell(value, **style):
        c = WriteOnlyCell(sheet, value=value)
        for name, v in style.items():
            setattr(c, name, v)
        return c

    period = f"Semester {'I' if semester == 1 else 'II'} {plan.year}" if semester else f"Tahun {plan.year}"
    sheet.append([cell(_safe(f"{SHEET_TITLE} — {plan.unit.name}"), font=Font(bold=True, size=14))])
    sheet.append([cell(_safe(f"{plan.title} · {period} · status per tanggal {_indonesian_date(as_of)}"),
                       font=Font(italic=True))])
    header_fill = PatternFill("solid", fgColor="D9EAD3")
    header_style = {"font": Font(bold=True), "fill": header_fill,
                    "alignment": Alignment(wrap_text=True, vertical="center", horizontal="center")}
    sheet.append([cell(name, **header_style) for name, _width, _wrap in COLUMNS])
    # Each column's cell style is registered with the workbook once and copied onto its cells: setting a font or an
    # alignment per cell hashes the style object into the workbook's tables every time (a third of the export's
    # time on a plan of 2,125 targets). The copy is the same style index array, so the file is byte for byte the same.
    wrapped, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    column_styles = [
        cell(None, number_format=DATE_FORMAT, alignment=top)._style if index in DATE_COLUMNS
        else cell(None, alignment=wrapped if wrap else top)._style
        for index, (_header, _width, wrap) in enumerate(COLUMNS)
    ]
    for values in status_export_rows(rows):
        out = []
        for index, value in enumerate(values):
            if value is None and index in DATE_COLUMNS:  # no date: an empty cell, as before
                out.append(None)
                continue
            c = WriteOnlyCell(sheet, value=value)
            c._style = StyleArray(column_styles[index])
            out.append(c)
        sheet.append(out)
    out = io.BytesIO()
    workbook.save(out)
    suffix = f"-semester-{semester}" if semester else ""
    return f"status-{slugify(plan.unit.name)[:60]}-{plan.year}{suffix}.xlsx", out.getvalue()
