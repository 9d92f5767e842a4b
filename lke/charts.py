"""The area chart of an assessment as SVG, built in Python (the same markup serves the page and a PDF).

One row per pengungkit area: the unit's and the TPI's figure as a share of the area's weight, each bar with its
number (readable without colour: the TPI bar is hatched, the legend says which is which), and the two predicate
limits (60 % Menuju WBK, 75 % Menuju WBBM, from the version's criteria) as dashed lines.
"""
from decimal import Decimal
from html import escape

LABEL_W, BAR_W, TEXT_W, ROW_H, BAR_H, TOP = 250, 380, 70, 46, 16, 40


def area_chart(*, areas, unit_score, tpi_score, limits) -> str:
    """`areas`: ((number, name, weight), …); `limits`: ((label, share 0–1), …)."""
    height = TOP + len(areas) * ROW_H + 34
    width = LABEL_W + BAR_W + TEXT_W
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="Nilai per area pengungkit (persen dari bobot)">',
           "<title>Nilai per area pengungkit (persen dari bobot)</title>",
           '<defs><pattern id="lke-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><rect width="6" height="6" fill="#cfe2ff"/>'
           '<line x1="0" y1="0" x2="0" y2="6" stroke="#0a58ca" stroke-width="3"/></pattern></defs>']
    for i, (label, share) in enumerate(limits):
        x = LABEL_W + BAR_W * float(share)
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{TOP + len(areas) * ROW_H}" '
                   'stroke="#6c757d" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP - 24 + 12 * (i % 2)}" font-size="11" text-anchor="middle" '
                   'fill="#212529">'
                   f'{escape(label)} {float(share) * 100:.0f}%</text>')
    for i, (number, name, weight) in enumerate(areas):
        y = TOP + i * ROW_H
        first, rest = _wrap(f"{number}. {name}", 34)
        out.append(f'<text x="4" y="{y + (14 if rest else 20)}" font-size="12" fill="#212529">{escape(first)}'
                   + (f'<tspan x="4" dy="14">{escape(rest[:34])}</tspan>' if rest else "") + "</text>")
        for j, (result, fill) in enumerate(((unit_score, "#198754"), (tpi_score, "url(#lke-hatch)"))):
            if result is None:
                continue
            share = result.areas[number] / weight if weight else Decimal(0)
            w = BAR_W * float(min(share, Decimal(1)))
            by = y + 4 + j * (BAR_H + 2)
            out.append(f'<rect x="{LABEL_W}" y="{by}" width="{BAR_W}" height="{BAR_H}" fill="#f1f3f5"/>')
            out.append(f'<rect x="{LABEL_W}" y="{by}" width="{w:.1f}" height="{BAR_H}" fill="{fill}"/>')
            who = "Unit" if j == 0 else "TPI"
            out.append(f'<text x="{LABEL_W + BAR_W + 6}" y="{by + 12}" font-size="11" fill="#212529">'
                       f'{who} {_pct(share)}</text>')
    ly = TOP + len(areas) * ROW_H + 16
    out.append(f'<rect x="4" y="{ly - 10}" width="14" height="12" fill="#198754"/>'
               f'<text x="22" y="{ly}" font-size="11" fill="#212529">Penilaian mandiri unit</text>'
               f'<rect x="190" y="{ly - 10}" width="14" height="12" fill="url(#lke-hatch)"/>'
               f'<text x="208" y="{ly}" font-size="11" fill="#212529">Penilaian TPI</text>')
    out.append("</svg>")
    return "".join(out)


def _wrap(text: str, width: int) -> tuple[str, str]:
    """The text in at most two lines of `width` characters, split at a space."""
    if len(text) <= width:
        return text, ""
    cut = text.rfind(" ", 0, width)
    cut = cut if cut > 0 else width
    return text[:cut], text[cut:].strip()


def _pct(share: Decimal) -> str:
    return f"{float(share) * 100:.1f}".replace(".", ",") + "%"
