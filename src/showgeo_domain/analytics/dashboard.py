"""The creator dashboard as one read model: an entity's daily figures with those of each of
its events, read from the store together (one query, however many events the entity has),
and its sales when the caller may see money.

`DashboardRows` is what the store answers; `Dashboard` is what the page shows, each series
over the same days so that per-event figures line up with the entity's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from showgeo_domain.analytics.summaries import MetricRow, Snapshot, latest, series
from showgeo_domain.entities.model import Entity
from showgeo_domain.orders.revenue import Revenue


@dataclass(frozen=True)
class DashboardRows:
    """The entity's metric rows and those of each of its events, from the last recompute on
    or before the first day to the last, with the recompute days in that span."""

    entity: list[MetricRow] = field(default_factory=list)
    events: dict[UUID, list[MetricRow]] = field(default_factory=dict)
    recomputed: list[date] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    entity: Entity
    current: Snapshot
    """The entity's figures on the last day of `series`."""
    series: list[Snapshot]
    event_series: dict[UUID, list[Snapshot]]
    """Each of the entity's events with figures, over the same days as `series`."""
    revenue: Revenue | None
    """The entity's sales; None when the caller's role does not show money (VIEW_REVENUE)."""

    @classmethod
    def of(
        cls, entity: Entity, rows: DashboardRows, revenue: Revenue | None, start: date, end: date
    ) -> Dashboard:
        days = series(rows.entity, rows.recomputed, start, end)
        return cls(
            entity=entity,
            current=latest(days, end),
            series=days,
            event_series={
                event_id: series(event_rows, rows.recomputed, start, end)
                for event_id, event_rows in rows.events.items()
            },
            revenue=revenue,
        )
