"""Server-rendered SVG charts, shared by the dashboard and the PDF report.

Readable without colour: every segment carries its number, every status has its own fill pattern, and the
legend names them; the SVG has a title and an aria-label for screen readers.
"""
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext

from evidence.statuses import DONE, LATE, MONTHS, NOT_DUE, REVIEW_NEEDED, REVISE, STATUS_LABELS, WAITING

ORDER = [DONE, WAITING, REVISE, LATE, NOT_DUE, REVIEW_NEEDED]
STYLE = {  # fill, text colour on it
    DONE: ("#198754", "#ffffff"),
    WAITING: ("url(#pat-waiting)", "#ffffff"),
    REVISE: ("url(#pat-revise)", "#000000"),
    LATE: ("url(#pat-late)", "#ffffff"),
    NOT_DUE: ("#e9ecef", "#000000"),
    REVIEW_NEEDED: ("url(#pat-review)", "#000000"),
}
LABEL_W, BAR_W, TEXT_W, ROW_H, TOP = 290, 360, 110, 34, 8


PATTERNS = """<defs>
  <pattern id="pat-waiting" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#0d6efd"/><rect width="3" height="8" fill="#6ea8fe"/></pattern>
  <pattern id="pat-revise" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#ffc107"/><rect y="5" width="8" height="2" fill="#b38600"/></pattern>
  <pattern id="pat-late" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#b02a37"/><path d="M0 0L8 8M8 0L0 8" stroke="#f1aeb5" stroke-width="1.5"/></pattern>
  <pattern id="pat-review" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.3" fill="#495057"/></pattern>
</defs>"""  # noqa: E501


def _n(value: float) -> str:
    """A coordinate with two decimals, as the template's floatformat:'2u' wrote it."""
    return f"{value:.2f}"


def component_chart(components) -> str:
    """`components`: [(Component, Progress)] as given by selectors.dashboard_data. The SVG is written here rather
    than by the template engine (a third of the dashboard's time when it was a template); every text from the
    database is escaped."""
    row_h = ROW_H - 10
    bar_x, text_x = LABEL_W, LABEL_W + BAR_W + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LABEL_W + BAR_W + TEXT_W} '
        f'{TOP + len(components) * ROW_H + 10 + 2 * 22 + 6}" width="100%" role="img" '
        f'aria-label="{escape(gettext("Kemajuan per komponen"))}" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-size="12">',
        f'<title>{escape(gettext("Kemajuan per komponen: jumlah target per status"))}</title>',
        PATTERNS,
    ]
    for i, (component, progress) in enumerate(components):
        y = TOP + i * ROW_H
        label = Truncator(f"{component.code}. {component.get_code_display()}").chars(44)
        out.append('<g class="component-row">')
        out.append(f'  <text x="{bar_x - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        out.append(f'  <rect x="{bar_x}" y="{y}" width="{BAR_W}" height="{row_h}" fill="#ffffff" stroke="#adb5bd"/>')
        x, parts = float(LABEL_W), []
        for status in ORDER:
            n = progress.counts.get(status, 0)
            if not n:
                continue
            width = BAR_W * n / progress.total
            fill, text_fill = STYLE[status]
            parts.append(f'<rect x="{_n(x)}" y="{y}" width="{_n(width)}" height="{row_h}" fill="{fill}" '
                         f'stroke="#212529" stroke-width="0.5"><title>{escape(STATUS_LABELS[status])}: {n}</title>'
                         f'</rect>')
            if width >= 16:
                halo = "#000000" if text_fill == "#ffffff" else "#ffffff"
                parts.append(f'<text x="{_n(x + width / 2)}" y="{y + 16}" text-anchor="middle" fill="{text_fill}" '
                             f'font-weight="bold" stroke="{halo}" stroke-width="2.5" paint-order="stroke">{n}</text>')
            x += width
        if parts:
            out.append("  " + "".join(parts))
        summary = (gettext("tidak ada target") if progress.total == 0 else
                   f"{progress.done}/{progress.total} ({progress.percent:.1f}%)".replace(".", ","))
        out.append(f'  <text x="{text_x}" y="{y + 16}">{escape(summary)}</text>')
        out.append("</g>")
    legend_y = TOP + len(components) * ROW_H + 10
    for i, status in enumerate(ORDER):
        lx, ly = 10 + (i % 3) * 250, legend_y + (i // 3) * 22
        out.append(f'<g class="legend"><rect x="{lx}" y="{ly}" width="16" height="14" fill="{STYLE[status][0]}" '
                   f'stroke="#212529" stroke-width="0.5"/><text x="{lx + 22}" y="{ly + 11}">'
                   f'{escape(STATUS_LABELS[status])}</text></g>')
    out.append("</svg>\n")
    return "\n".join(out)


NARROW_W, NARROW_ROW_H = 360, 54


def component_chart_narrow(components) -> str:
    """The same figures as `component_chart` for a phone: each component's name on its own line above a bar as
    wide as the screen, and the legend in two columns, so the texts keep about their nominal size at 360-400 px.
    Its patterns have their own ids (the wide chart is in the same page, hidden)."""
    patterns = PATTERNS.replace('id="pat-', 'id="patn-')
    style = {status: (fill.replace("url(#pat-", "url(#patn-"), text) for status, (fill, text) in STYLE.items()}
    legend_y = TOP + len(components) * NARROW_ROW_H + 4
    height = legend_y + 3 * 22 + 4
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {NARROW_W} {height}" width="100%" role="img" '
        f'aria-label="{escape(gettext("Kemajuan per komponen"))}" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-size="13">',
        f'<title>{escape(gettext("Kemajuan per komponen: jumlah target per status"))}</title>',
        patterns,
    ]
    bar_h = 22
    for i, (component, progress) in enumerate(components):
        y = TOP + i * NARROW_ROW_H
        label = Truncator(f"{component.code}. {component.get_code_display()}").chars(30)
        summary = (gettext("tidak ada target") if progress.total == 0 else
                   f"{progress.done}/{progress.total} ({progress.percent:.1f}%)".replace(".", ","))
        out.append('<g class="component-row">')
        out.append(f'  <text x="0" y="{y + 13}">{escape(label)}</text>')
        out.append(f'  <text x="{NARROW_W}" y="{y + 13}" text-anchor="end" font-weight="bold">{escape(summary)}</text>')
        bar_y = y + 20
        out.append(f'  <rect x="0" y="{bar_y}" width="{NARROW_W}" height="{bar_h}" fill="#ffffff" stroke="#adb5bd"/>')
        x, parts = 0.0, []
        for status in ORDER:
            n = progress.counts.get(status, 0)
            if not n:
                continue
            width = NARROW_W * n / progress.total
            fill, text_fill = style[status]
            parts.append(f'<rect x="{_n(x)}" y="{bar_y}" width="{_n(width)}" height="{bar_h}" fill="{fill}" '
                         f'stroke="#212529" stroke-width="0.5"><title>{escape(STATUS_LABELS[status])}: {n}</title>'
                         f'</rect>')
            if width >= 18:
                halo = "#000000" if text_fill == "#ffffff" else "#ffffff"
                parts.append(f'<text x="{_n(x + width / 2)}" y="{bar_y + 16}" text-anchor="middle" '
                             f'fill="{text_fill}" font-weight="bold" stroke="{halo}" stroke-width="2.5" '
                             f'paint-order="stroke">{n}</text>')
            x += width
        if parts:
            out.append("  " + "".join(parts))
        out.append("</g>")
    for i, status in enumerate(ORDER):
        lx, ly = (i % 2) * 180, legend_y + (i // 2) * 22
        out.append(f'<g class="legend"><rect x="{lx}" y="{ly}" width="16" height="14" fill="{style[status][0]}" '
                   f'stroke="#212529" stroke-width="0.5"/><text x="{lx + 22}" y="{ly + 12}">'
                   f'{escape(STATUS_LABELS[status])}</text></g>')
    out.append("</svg>\n")
    return "\n".join(out)


# Progress over time: one line per component, told apart by colour (Okabe–Ito, safe for colour blindness), by dash
# and by marker, and named at its end; the viewBox is small so that on a phone the text keeps its size.
LINE_STYLE = [  # colour, dash, marker
    ("#0072b2", "", "circle"), ("#d55e00", "6 3", "square"), ("#009e73", "2 2", "diamond"),
    ("#cc79a7", "8 3 2 3", "circle"), ("#b8860b", "4 4", "square"), ("#000000", "1 2", "diamond"),
]
P_LEFT, P_TOP, P_W, P_H = 34, 10, 300, 150


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{_n(x - 3)}" y="{_n(y - 3)}" width="6" height="6" fill="{colour}"/>'
    if shape == "diamond":
        return (f'<path d="M{_n(x)} {_n(y - 4)}L{_n(x + 4)} {_n(y)}L{_n(x)} {_n(y + 4)}L{_n(x - 4)} {_n(y)}Z" '
                f'fill="{colour}"/>')
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{colour}"/>'


def progress_chart(progress: dict) -> str:
    """`progress`: as given by selectors.progress_over_time. A line chart of completion (0–100 %) per component
    at the month ends of the plan year; the page shows the same figures as a table next to it."""
    series = progress["series"]
    legend_rows = (len(series) + 1) // 2
    height = P_TOP + P_H + 24 + legend_rows * 18 + 4
    step = P_W / 11
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {P_LEFT + P_W + 24} {height}" width="100%" '
        f'role="img" aria-label="{escape(gettext("Capaian per komponen di akhir tiap bulan; angkanya ada di tabel"))}" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-size="10">',
        f'<title>{escape(gettext("Capaian per komponen di akhir tiap bulan (persen target selesai)"))}</title>',
    ]
    for pct in (0, 25, 50, 75, 100):
        y = P_TOP + P_H * (1 - pct / 100)
        out.append(f'<line x1="{P_LEFT}" y1="{_n(y)}" x2="{P_LEFT + P_W}" y2="{_n(y)}" stroke="#ced4da" '
                   f'stroke-width="0.6"/><text x="{P_LEFT - 4}" y="{_n(y + 3)}" text-anchor="end">{pct}%</text>')
    for i, month in enumerate(MONTHS):
        x = P_LEFT + i * step
        out.append(f'<text x="{_n(x)}" y="{P_TOP + P_H + 14}" text-anchor="middle">{month}</text>')
    for index, line in enumerate(series):
        colour, dash, shape = LINE_STYLE[index % len(LINE_STYLE)]
        points = [(P_LEFT + i * step, P_TOP + P_H * (1 - value / 100)) for i, value in enumerate(line["points"])]
        out.append(f'<g class="progress-line" data-component="{escape(line["code"])}">'
                   f'<title>{escape(line["code"])}. {escape(line["name"])}</title>')
        if len(points) > 1:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}" fill="none" '
                       f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
        out.extend(_marker(shape, x, y, colour) for x, y in points)
        out.append("</g>")
    legend_y = P_TOP + P_H + 24
    for index, line in enumerate(series):
        colour, dash, shape = LINE_STYLE[index % len(LINE_STYLE)]
        lx, ly = 6 + (index % 2) * 175, legend_y + (index // 2) * 18
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        label = Truncator(f"{line['code']}. {line['name']}").chars(24)
        out.append(f'<g class="legend"><line x1="{lx}" y1="{ly + 6}" x2="{lx + 22}" y2="{ly + 6}" stroke="{colour}" '
                   f'stroke-width="2"{dash_attr}/>{_marker(shape, lx + 11, ly + 6, colour)}'
                   f'<text x="{lx + 28}" y="{ly + 10}">{escape(label)}</text></g>')
    out.append("</svg>\n")
    return "\n".join(out)
