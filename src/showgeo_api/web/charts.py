"""The numbers behind a trend chart. The page carries them twice: as JSON in a
`<script type="application/json">` element, which `static/charts.js` hands to uPlot (the
vendored charting library), and as a small table that is the chart for anyone without
JavaScript or with a screen reader. No inline script or style, so the pages' CSP holds.

Drawing is left to uPlot; this module only shapes the data and says it in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any


@dataclass(frozen=True)
class Chart:
    """One daily series of a level (followers, revenue to date, the score), drawn as a line.
    `key` names its elements on the page (unique per page)."""

    key: str
    title: str
    points: Sequence[tuple[date, float]]
    unit: str = ""
    decimals: int = 0

    def data(self) -> dict[str, Any]:
        """What charts.js reads: x as Unix seconds at midnight UTC (uPlot's time axis), y as
        plain numbers."""
        return {
            "title": self.title,
            "unit": self.unit,
            "decimals": self.decimals,
            "x": [int(datetime.combine(day, time(), UTC).timestamp()) for day, _ in self.points],
            "y": [round(value, self.decimals) for _, value in self.points],
        }

    def show(self, value: float) -> str:
        return f"{value:.{self.decimals}f}{self.unit}"

    @property
    def summary(self) -> str:
        """The chart in one sentence: its aria-label."""
        if not self.points:
            return f"{self.title}: no data"
        first, last = self.points[0][0], self.points[-1][0]
        top_day, top = max(self.points, key=lambda p: (p[1], p[0]))
        return (
            f"{self.title}, {first.isoformat()} to {last.isoformat()}: "
            f"latest {self.show(self.points[-1][1])}, highest {self.show(top)} on "
            f"{top_day.isoformat()}"
        )
