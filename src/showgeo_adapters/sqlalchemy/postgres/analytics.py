"""The recompute's bulk traffic through COPY: the interaction matrix out (one binary COPY
per chunk, `analytics_copy`), the neighbour sets in."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from showgeo_adapters.sqlalchemy.postgres.analytics_copy import copy_chunk
from showgeo_adapters.sqlalchemy.postgres.repository import PostgresRepository
from showgeo_adapters.sqlalchemy.repositories.analytics import SqlAnalyticsRepository
from showgeo_adapters.sqlalchemy.tables import analytics_neighbours
from showgeo_domain.analytics.vectors import EntityColumns, InteractionChunk


class PostgresAnalyticsRepository(PostgresRepository, SqlAnalyticsRepository):
    async def _chunk_between(
        self, after: UUID | None, high: UUID, columns: EntityColumns
    ) -> InteractionChunk:
        driver = await self._driver()
        if driver is None:
            return await super()._chunk_between(after, high, columns)
        return await copy_chunk(driver, self._conn.dialect, after, high, columns)

    async def add_neighbours(
        self, generation: int, rows: Sequence[tuple[UUID, UUID, float]]
    ) -> None:
        """Inside this transaction, on its connection."""
        driver = await self._driver() if rows else None
        if driver is None:
            return await super().add_neighbours(generation, rows)
        await driver.copy_records_to_table(
            analytics_neighbours.name,
            records=[(generation, e, nb, s) for e, nb, s in rows],
            columns=["generation", "entity_id", "neighbour_id", "similarity"],
        )
