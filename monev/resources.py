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
from openpyxl.styles import Font

from actionplan.importing import neutralize_formula as _safe

from . import selectors

COLUMNS = [  # (header, width in characters)
    ("KOMPONEN", 40), ("INDIKATOR", 50), ("LANGKAH AKSI", 60), ("TARGET WAKTU", 24), ("JATUH TEMPO", 12),
    ("PERIODE", 18), ("STATUS", 18), ("PENANGGUNG JAWAB", 30), ("BUKTI FISIK TERAKHIR", 60),
]


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
    return f"Revisi {r['number']} ({r['status_label']}, {r['document_date']:%d-%m-%Y}): {names}"


def status_export_rows(rows: list[dict]):
    """The sheet's rows after the header: lists of cell values."""
    for row in rows:
        yield [
            _safe(f"{row['code']}.{row['sub_number']} {row['sub_name']}"),
            _safe(row["indicator"]),
            _safe(row["description"]),
            _safe(row["target_text"]),
            row["due_date"],
            _period_label(row),
            selectors.STATUS_LABELS[row["status"]],
            _safe(", ".join(row["people"])),
            _latest_evidence(row),
        ]


def status_export_file(*, plan, as_of: datetime.date, semester: int | None) -> tuple[str, bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Status")
    sheet.freeze_panes = "A2"
    for index, (_header, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header = []
    for name, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_format = "DD-MM-YYYY"
    for values in status_export_rows(selectors.status_rows(plan=plan, as_of=as_of, semester=semester)):
        if values[4] is not None:
            cell = WriteOnlyCell(sheet, value=values[4])
            cell.number_format = date_format
            values[4] = cell
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    suffix = f"-semester-{semester}" if semester else ""
    return f"status-{slugify(plan.unit.name)[:60]}-{plan.year}{suffix}.xlsx", out.getvalue()
