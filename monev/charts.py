"""Server-rendered SVG charts, shared by the dashboard and the PDF report.

Readable without colour: every segment carries its number, every status has its own fill pattern, and the
legend names them; the SVG has a title and an aria-label for screen readers.
"""
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext

from .statuses import DONE, LATE, NOT_DUE, REVIEW_NEEDED, REVISE, STATUS_LABELS, WAITING

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
