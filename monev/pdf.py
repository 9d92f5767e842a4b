"""The semester Monev report as a PDF (WeasyPrint), rendered only from a frozen report snapshot.

`render_report_pdf` takes the dict made by `monev.selectors.report_snapshot` plus what the Ketua Tim writes
(number, conclusions, recommendations, follow-ups) and returns ``(filename, bytes)``. It never queries the
database, so a submitted report renders the same tomorrow as today.

Nothing is fetched from the network: fonts come from the npm packages `@fontsource/arimo` and `@fontsource/tinos`
in node_modules (metric-compatible with Arial and Times New Roman, the faces of Indonesian office documents), with
the system's DejaVu as the fall-back, and `LocalOnlyFetcher` refuses every URL that is not a local file in an
allowed folder or a `data:` URI.

The empty area left for the visible digital-signature stamp (under the Kepala Dinas) is measured from the laid-out
page and written into the PDF's document information (`/ZISignatureBox`); `signature_box(pdf)` reads it back, so
the signer does not have to guess where the layout put it.
"""
import datetime
import gc
import io
import logging
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from pypdf import PdfReader

# WeasyPrint logs every rendering step at INFO (noise in the command's and the worker's output), some of them while
# it is imported: quiet them first.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.css.counters import CounterStyle  # noqa: E402
from weasyprint.html import UA  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

ROMAN = {1: "I", 2: "II"}
PDF_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "monev" / "pdf"
FONT_ROOT = Path(settings.BASE_DIR) / "node_modules" / "@fontsource"
SYSTEM_FONTS = Path("/usr/share/fonts")
# (family, weight, style, file in node_modules/@fontsource/<package>/files/). Only the Latin subset: Indonesian
# needs nothing else, and every face loaded costs time on each render.
FONT_FACES = [
    ("Arimo", 400, "normal", "arimo/files/arimo-latin-400-normal.woff"),
    ("Arimo", 700, "normal", "arimo/files/arimo-latin-700-normal.woff"),
    ("Arimo", 400, "italic", "arimo/files/arimo-latin-400-italic.woff"),
    ("Tinos", 400, "normal", "tinos/files/tinos-latin-400-normal.woff"),
    ("Tinos", 700, "normal", "tinos/files/tinos-latin-700-normal.woff"),
]
STAMP_ID = "ttd-elektronik"
STAMP_KEY = "/ZISignatureBox"
PX_TO_PT = 0.75  # CSS px → PDF points (96 px = 72 pt = 1 in)


class LocalOnlyFetcher(URLFetcher):
    """Fetch `data:` URIs and local files under `roots` (fonts, the logo); refuse everything else, so a report never
    waits on, or leaks to, the network. Refused URLs are kept in `refused` (WeasyPrint logs and skips them)."""

    def __init__(self, roots=(), **kwargs):
        super().__init__(allowed_protocols={"file", "data"}, **kwargs)
        self.roots = [Path(r).resolve() for r in roots]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()
            if any(path == root or path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"Laporan PDF tidak mengambil sumber dari luar: {url}")


# WeasyPrint's own HTML stylesheet, less the rules that match every element of the report and never apply to it: a
# pseudo-element rule without a tag (`::marker`, footnote and note calls and markers) makes the cascade compute those
# pseudo-elements' styles for each of the report's elements (five extra styles per table cell), and the `[dir]`
# rules are tried on every element. The report has no footnotes or notes and no `dir` attribute
# (tests/test_report_pdf.py checks it); markers only exist on list items, so `::marker` becomes `li::marker`.
UNUSED_UA_RULE = re.compile(r"^(?:::(?:footnote|note)-[^\n]*|[^\n]*\[dir[^\n]*)\n", re.MULTILINE)
REPORT_UA = UNUSED_UA_RULE.sub("", UA).replace("\n::marker {", "\nli::marker {", 1)
# Its @counter-style rules are already in the counter styles WeasyPrint gives each render (`_ua_counter_style`).
REPORT_UA_STYLESHEET = CSS(string=REPORT_UA, counter_style=CounterStyle())


class ReportHTML(HTML):
    """The report's document, cascaded with REPORT_UA_STYLESHEET instead of WeasyPrint's full HTML stylesheet."""

    def _ua_stylesheets(self, forms=False):
        return [REPORT_UA_STYLESHEET]


def local_only_fetcher(roots=()) -> LocalOnlyFetcher:
    return LocalOnlyFetcher(roots=roots)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string; everything but letters, digits and spaces is hex-escaped, so no text from the
    snapshot can close the string or the <style> element."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def font_face_css() -> str:
    """@font-face rules for the font files that are installed (none when node_modules is missing: the CSS then
    falls back to the system's Liberation/DejaVu faces)."""
    rules = []
    for family, weight, style, rel in FONT_FACES:
        path = FONT_ROOT / rel
        if path.exists():
            rules.append(f"@font-face {{ font-family: {family}; font-weight: {weight}; font-style: {style}; "
                         f"src: url({path.as_uri()}) format('woff'); }}")
    return "\n".join(rules)


MONTH_YEAR = re.compile(r"[A-Za-z]+\.? \d{4}")


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _report_components(snapshot: dict) -> list[dict]:
    """The snapshot's components with dates parsed and rows grouped under their sub-component."""
    out = []
    for c in snapshot["components"]:
        groups: list[dict] = []
        for row in c["rows"]:
            if not groups or groups[-1]["name"] != row["subcomponent"]:
                groups.append({"name": row["subcomponent"], "rows": [], "last_indicator": None})
            group = groups[-1]
            evidence = row.get("evidence")
            group["rows"].append({
                **row,
                "due": _date(row["due_date"]),
                # An indicator with several steps or targets is written once, as in the plan's own table.
                "show_indicator": row["indicator"] != group["last_indicator"],
                # The plan's own words for the target, when they say more than the due date's month and year.
                "show_target_text": bool(row["target_text"]) and not MONTH_YEAR.fullmatch(row["target_text"].strip()),
                "evidence": evidence and {**evidence, "document_date": _date(evidence["document_date"])},
            })
            group["last_indicator"] = row["indicator"]
        out.append({**c, "groups": groups})
    return out


# WeasyPrint ignores `paint-order`, so the chart's haloed segment numbers would be painted stroke over fill and turn
# into blobs. In the PDF each such number sits on a small label in the halo colour instead (same contrast, and the
# number is still text).
HALO = re.compile(r'<text x="([\d.]+)" y="([\d.]+)"([^>]*?) stroke="([^"]*)" stroke-width="[^"]*" '
                  r'paint-order="stroke">([^<]*)</text>')


def _label(match: re.Match) -> str:
    x, y, attrs, halo, text = match.groups()
    width = 7 * len(text.strip()) + 6
    return (f'<rect x="{float(x) - width / 2:.2f}" y="{float(y) - 11:.2f}" width="{width}" height="14" rx="2" '
            f'fill="{halo}"/><text x="{x}" y="{y}"{attrs}>{text}</text>')


def chart_for_pdf(svg: str) -> str:
    """The dashboard's chart, adapted to WeasyPrint: labelled segment numbers and the report's own sans-serif face
    (the chart keeps DejaVu as its fall-back)."""
    return HALO.sub(_label, svg).replace('font-family="DejaVu Sans,', 'font-family="Arimo, DejaVu Sans,', 1)


def kop_unit_lines(unit: dict) -> list[str]:
    """The unit's name on the letterhead, broken as Indonesian letterheads do: the region ("Kabupaten Lumajang",
    from the pemda's name) on a line of its own."""
    name = unit["name"].strip()
    region = re.sub(r"^pemerintah\s+", "", (unit.get("pemda") or "").strip(), flags=re.IGNORECASE)
    if region and name.lower().endswith(" " + region.lower()):
        return [name[: -len(region)].strip(), name[-len(region):]]
    return [name]


def _verification_qr(url: str) -> str:
    return mark_safe(segno.make(url, error="m").svg_inline(scale=1, border=0, omitsize=True, dark="#000000"))


def report_html(*, snapshot: dict, number: str, issued_on: datetime.date, conclusions: str,
                recommendations: list[dict], previous_followups: list[dict], draft: bool,
                logo_path: str | None = None, verification: dict | None = None) -> str:
    """The report's HTML (Indonesian), from the snapshot and the Ketua Tim's texts only."""
    semester = ROMAN[snapshot["semester"]]
    unit = snapshot["unit"]
    year = snapshot["plan"]["year"]
    short_title = f"Laporan Monitoring dan Evaluasi Pembangunan Zona Integritas · Semester {semester} Tahun {year}"
    if draft:
        footer_note = "DRAF — belum ditandatangani"
    elif verification:
        footer_note = f"Ditandatangani secara elektronik · kode verifikasi {verification['code']}"
    else:
        footer_note = ""
    context = {
        "s": snapshot,
        "unit": unit,
        "semester_roman": semester,
        "year": year,
        "number": number,
        "issued_on": issued_on,
        "period_start": _date(snapshot["period_start"]),
        "period_end": _date(snapshot["period_end"]),
        "as_of": _date(snapshot["as_of"]),
        "summary": snapshot["summary"],
        "components": _report_components(snapshot),
        "weight_total": sum(float(c["weight"]) for c in snapshot["components"]),
        # Rendered by monev/charts.py from an autoescaping template, the same SVG as the dashboard's.
        "chart_svg": mark_safe(chart_for_pdf(snapshot["chart_svg"])),
        "kop_unit_lines": kop_unit_lines(unit),
        "conclusions": conclusions,
        "recommendations": recommendations,
        "previous_followups": previous_followups,
        "draft": draft,
        "logo_url": Path(logo_path).resolve().as_uri() if logo_path else None,
        "verification": verification,
        "verification_qr": _verification_qr(verification["url"]) if verification else "",
        "kepala": snapshot.get("kepala"),
        "ketua": snapshot.get("ketua"),
        "stamp_id": STAMP_ID,
        "font_faces": mark_safe(font_face_css()),
        "css_short_title": mark_safe(css_string(short_title)),
        "css_number": mark_safe(css_string(f"Nomor: {number}" if number else "")),
        "css_footer_note": mark_safe(css_string(footer_note)),
    }
    with translation.override("id"):
        return render_to_string("monev/pdf/report.html", context)


def _stamp_rect(document) -> tuple[int, tuple[float, float, float, float]] | None:
    """(page index, (x1, y1, x2, y2) in PDF points, origin bottom-left) of the laid-out element with id STAMP_ID.
    WeasyPrint's boxes are in CSS px from the page's top-left corner. Searched from the last page, where the signature
    block is (the element is one empty box kept whole), not through every box of the report."""
    for index, page in reversed(list(enumerate(document.pages))):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or element.get("id") != STAMP_ID or not hasattr(box, "border_box_x"):
                continue
            x, y, w, h = box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height()
            return index, tuple(round(v * PX_TO_PT, 2) for v in (x, page.height - y - h, x + w, page.height - y))
    return None


@contextmanager
def without_cyclic_gc():
    """Python's cycle collector paused while WeasyPrint works: a render makes hundreds of thousands of boxes, styles and
    Pango objects, whose allocations set off collection after collection that walk every object of the process and
    find almost nothing to free (10-13 % of the large plan's render). What a render leaves in cycles is freed by the
    next collection after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def report_filename(snapshot: dict, draft: bool) -> str:
    return (f"laporan-monev-zi-{snapshot['plan']['year']}-semester-{snapshot['semester']}"
            f"-rencana-{snapshot['plan']['id']}{'-draf' if draft else ''}.pdf")


def render_report_pdf(*, snapshot: dict, number: str, issued_on: datetime.date, conclusions: str,
                      recommendations: list[dict], previous_followups: list[dict], draft: bool,
                      logo_path: str | None = None, verification: dict | None = None) -> tuple[str, bytes]:
    """(filename, pdf bytes) of the semester Monev report.

    recommendations: [{"text": str}]; previous_followups: [{"text": str, "status_label": str, "note": str}] (the
    previous semester's recommendations and how far they were followed up). verification: None for drafts; for the
    final version {"code": "ABCD-1234", "url": "https://…/verifikasi/ABCD-1234/"}, printed with a QR code. The PDF
    carries the signature-stamp area for `signature_box`."""
    html = report_html(snapshot=snapshot, number=number, issued_on=issued_on, conclusions=conclusions,
                       recommendations=recommendations, previous_followups=previous_followups, draft=draft,
                       logo_path=logo_path, verification=verification)
    roots = [FONT_ROOT, SYSTEM_FONTS, PDF_TEMPLATES] + ([Path(logo_path)] if logo_path else [])
    with without_cyclic_gc():
        return report_filename(snapshot, draft), _render(html, roots, snapshot)


def _render(html: str, roots: list[Path], snapshot: dict) -> bytes:
    document = ReportHTML(string=html, base_url=str(PDF_TEMPLATES) + "/",
                          url_fetcher=local_only_fetcher(roots)).render()
    document.metadata.title = (f"Laporan Monitoring dan Evaluasi Pembangunan Zona Integritas Semester "
                               f"{ROMAN[snapshot['semester']]} Tahun {snapshot['plan']['year']}")
    document.metadata.authors = [snapshot["unit"]["name"]]
    document.metadata.generator = "Portal ZI"
    stamp = _stamp_rect(document)
    if stamp is None:  # the signer could not place its stamp: a template error, not a user's
        raise RuntimeError(f"The report template lost the signature area (#{STAMP_ID}).")
    page, (x1, y1, x2, y2) = stamp
    document.metadata.custom[STAMP_KEY.lstrip("/")] = f"{page} {x1} {y1} {x2} {y2}"
    return document.write_pdf(custom_metadata=True)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def signature_box(pdf: bytes) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, (x1, y1, x2, y2) in PDF points, origin bottom-left) of the empty area under the Kepala Dinas's
    title where the visible digital-signature stamp goes. Measured from the layout when the PDF was rendered."""
    reader = PdfReader(io.BytesIO(pdf))
    value = (reader.metadata or {}).get(STAMP_KEY)
    if not value:
        raise ValueError("PDF ini tidak memuat area tanda tangan elektronik (bukan laporan Monev Portal ZI).")
    page, *rect = str(value).split()
    return int(page), tuple(float(v) for v in rect)
