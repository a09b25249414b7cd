"""A commit's outbox rows written by hand."""

from __future__ import annotations

from collections.abc import Sequence

from showgeo_adapters.sqlalchemy.outbox import SqlOutboxWriter, payload_of
from showgeo_adapters.sqlalchemy.postgres.repository import PostgresRepository
from showgeo_domain.shared.domain_events import DomainEvent

_APPEND = "INSERT INTO outbox (id, subject, payload, occurred_at) VALUES ($1, $2, $3, $4)"


class PostgresOutboxWriter(PostgresRepository, SqlOutboxWriter):
    async def append(self, events: Sequence[DomainEvent]) -> None:
        driver = await self._driver()
        if driver is None:
            return await super().append(events)
        for event in events:  # one statement each keeps `sequence` in the events' order
            await driver.execute(
                _APPEND, event.id, type(event).subject(), payload_of(event), event.occurred_at
            )
