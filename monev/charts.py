"""Server-rendered SVG charts, shared by the dashboard and the PDF report.

Readable without colour: every segment carries its number, every status has its own fill pattern, and the
legend names them; the SVG has a title and an aria-label for screen readers.
"""
from dataclasses import dataclass

from django.template.loader import render_to_string

from .selectors import DONE, LATE, NOT_DUE, REVIEW_NEEDED, REVISE, STATUS_LABELS, WAITING

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


@dataclass
class Segment:
    x: float
    width: float
    count: int
    fill: str
    text_fill: str
    label: str

    @property
    def text_x(self):
        return self.x + self.width / 2


def component_chart(components) -> str:
    """`components`: [(Component, Progress)] as given by selectors.dashboard_data."""
    rows = []
    for i, (component, progress) in enumerate(components):
        x, segments = float(LABEL_W), []
        for status in ORDER:
            n = progress.counts.get(status, 0)
            if not n:
                continue
            width = BAR_W * n / progress.total
            fill, text_fill = STYLE[status]
            segments.append(Segment(x, width, n, fill, text_fill, STATUS_LABELS[status]))
            x += width
        rows.append({"y": TOP + i * ROW_H, "label": f"{component.code}. {component.get_code_display()}",
                     "segments": segments,
                     "summary": f"{progress.done}/{progress.total} ({progress.percent:.1f}%)".replace(".", ","),
                     "empty": progress.total == 0})
    legend_y = TOP + len(rows) * ROW_H + 10
    legend = [{"x": 10 + (i % 3) * 250, "y": legend_y + (i // 3) * 22, "fill": STYLE[s][0],
               "label": STATUS_LABELS[s]} for i, s in enumerate(ORDER)]
    return render_to_string("monev/charts/components.svg", {
        "rows": rows, "legend": legend, "bar_x": LABEL_W, "bar_w": BAR_W, "row_h": ROW_H - 10,
        "width": LABEL_W + BAR_W + TEXT_W, "height": legend_y + 2 * 22 + 6, "text_x": LABEL_W + BAR_W + 8,
    })
