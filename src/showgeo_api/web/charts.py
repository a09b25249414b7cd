"""Small SVG bar charts drawn on the server: a trend needs no charting library in the
browser, works without JavaScript and passes the pages' CSP (no inline styles)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

WIDTH = 600
HEIGHT = 160
AXIS = 18


def bar_chart(points: Sequence[tuple[date, float]], title: str, unit: str = "") -> Markup:
    """One bar per day, scaled to the largest value; the title and each bar's tooltip say
    the numbers for screen readers and pointers."""
    top = max((value for _, value in points), default=0.0) or 1.0
    step = WIDTH / max(len(points), 1)
    bars = []
    for i, (day, value) in enumerate(points):
        height = (HEIGHT - AXIS) * value / top
        label = escape(f"{day.isoformat()}: {value:g}{unit}")
        bars.append(
            f'<rect x="{i * step + 1:.1f}" y="{HEIGHT - AXIS - height:.1f}" '
            f'width="{max(step - 2, 1):.1f}" height="{height:.1f}"><title>{label}</title></rect>'
        )
    first = escape(points[0][0].isoformat()) if points else ""
    last = escape(points[-1][0].isoformat()) if points else ""
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}, highest {top:g}{escape(unit)}">'
        f"<title>{escape(title)}</title>{''.join(bars)}"
        f'<text x="0" y="{HEIGHT - 4}" font-size="12">{first}</text>'
        f'<text x="{WIDTH}" y="{HEIGHT - 4}" font-size="12" text-anchor="end">{last}</text>'
        "</svg>"
    )
    return Markup(svg)  # noqa: S704 - built from numbers and escaped text only
