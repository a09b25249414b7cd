"""Stored metrics and the summaries and daily series read from them.

The store keeps one number per (scope, subject, metric, day). A recompute writes, for its day,
every metric that is not zero, computed from the source tables; between recomputes the
consumers add to today's row, carrying forward the last value (see `handlers`). So the value
of a metric on day D is: the latest row on or before D that is not older than the last
recompute on or before D; nothing there means 0 (the recompute found nothing). `series`
applies that rule day by day.

Money metrics are integer minor units with the currency in the name (`store_revenue.EUR`);
they are stored as floats, exact below 2**53 minor units, and read back as integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from showgeo_domain.analytics.score import ScoreInputs, ScoreWeights, engagement_score, major_units
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money

PLATFORM_ID = UUID(int=0)
"""The subject of platform-wide metrics."""

MAX_SERIES_DAYS = 366


class Scope(StrEnum):
    ENTITY = "entity"
    EVENT = "event"
    USER = "user"
    PLATFORM = "platform"


class Metric(StrEnum):
    """Metric names; money metrics append `.<CURRENCY>`."""

    FOLLOWERS = "followers"
    VIEWERS = "viewers"
    PEAK_VIEWERS = "peak_viewers"
    WATCH_SECONDS = "watch_seconds"
    TICKETS_SOLD = "tickets_sold"
    CHECKED_IN = "checked_in"
    NOTIFICATIONS_SENT = "notifications_sent"
    NOTIFICATIONS_RECEIVED = "notifications_received"
    PAID_ORDERS = "paid_orders"
    STORE_REVENUE = "store_revenue"
    TICKET_REVENUE = "ticket_revenue"
    REVENUE = "revenue"
    SPENT = "spent"
    FOLLOWING = "following"
    TICKETS = "tickets"
    USERS = "users"
    ENTITIES = "entities"
    EVENTS = "events"
    FOLLOWS = "follows"
    NORMALISED_SCORE = "normalised_score"
    RECOMPUTED = "recomputed"
    """Platform metric: 1 on each day a recompute completed (the series' reset points)."""
    RECOMPUTE_STARTED_AT = "recompute_started_at"
    """Platform metric: when the last recompute began (POSIX seconds); the consumers leave
    events from before it alone, since the recompute counted them."""
    NEIGHBOURS_GENERATION = "neighbours_generation"
    """Platform metric: which stored set of entity neighbours is current."""


def money_metric(metric: Metric, currency: str) -> str:
    return f"{metric.value}.{currency}"


@dataclass(frozen=True)
class MetricRow:
    day: date
    metric: str
    value: float


@dataclass(frozen=True)
class Snapshot:
    day: date
    values: Mapping[str, float] = field(default_factory=dict)

    def count(self, metric: Metric) -> int:
        return round(self.values.get(metric.value, 0.0))

    def amounts(self, metric: Metric) -> list[Money]:
        """Every `<metric>.<CUR>` as Money, by currency code."""
        prefix = f"{metric.value}."
        found = [
            Money(round(v), name[len(prefix) :])
            for name, v in self.values.items()
            if name.startswith(prefix) and v != 0
        ]
        return sorted(found, key=lambda m: m.currency)

    def main_currency(self) -> str | None:
        """The entity's currency: the one most of its paid orders were in (ties: by code)."""
        orders = self.amounts(Metric.PAID_ORDERS)
        if not orders:
            return None
        return min(orders, key=lambda m: (-m.amount, m.currency)).currency

    def score_inputs(self) -> ScoreInputs:
        currency = self.main_currency()
        revenue = 0.0
        if currency is not None:
            minor = round(self.values.get(money_metric(Metric.STORE_REVENUE, currency), 0.0))
            revenue = major_units(minor, currency)
        return ScoreInputs(
            followers=self.count(Metric.FOLLOWERS),
            viewers=self.count(Metric.VIEWERS),
            store_revenue=revenue,
            tickets_sold=self.count(Metric.TICKETS_SOLD),
            notifications_sent=self.count(Metric.NOTIFICATIONS_SENT),
        )

    def score(self, weights: ScoreWeights | None = None) -> float:
        return engagement_score(self.score_inputs(), weights)


def check_range(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput("`to` must not be before `from`", field="to")
    if (end - start).days + 1 > MAX_SERIES_DAYS:
        raise InvalidInput(f"a series covers at most {MAX_SERIES_DAYS} days", field="from")


def series(
    rows: Iterable[MetricRow], recomputed: Iterable[date], start: date, end: date
) -> list[Snapshot]:
    """One snapshot per day from `start` to `end`. `rows` must include every row from the
    last recompute on or before `start` (or from the beginning when there is none)."""
    by_day: dict[date, dict[str, float]] = {}
    for row in rows:
        by_day.setdefault(row.day, {})[row.metric] = row.value
    resets = set(recomputed)
    first = min([start, *by_day, *resets])
    state: dict[str, float] = {}
    out: list[Snapshot] = []
    for offset in range((end - first).days + 1):  # never steps past `end` (date.max is real)
        day = first + timedelta(days=offset)
        if day in resets:
            state = {}
        state.update(by_day.get(day, {}))
        if day >= start:
            out.append(Snapshot(day, {k: v for k, v in state.items() if v != 0}))
    return out


def latest(snapshots: Sequence[Snapshot], day: date) -> Snapshot:
    return snapshots[-1] if snapshots else Snapshot(day)
