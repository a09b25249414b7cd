"""An entity read by hand (an entity page, and the entity a follow or an order names)."""

from __future__ import annotations

from uuid import UUID

from showgeo_adapters.sqlalchemy.postgres.repository import PostgresRepository, RecordRow
from showgeo_adapters.sqlalchemy.repositories.entities import SqlEntityRepository, entity_of
from showgeo_domain.entities.model import Entity

_BY_ID = """SELECT id, name, slug, kind, bio, verified, verified_at, verification_requested_at,
follower_count, created_at, updated_at FROM entities WHERE id = $1"""


class PostgresEntityRepository(PostgresRepository, SqlEntityRepository):
    async def get(self, entity_id: UUID, *, for_update: bool = False) -> Entity | None:
        if for_update:
            return await super().get(entity_id, for_update=True)
        rows = await self._fetch(_BY_ID, entity_id)
        if rows is None:
            return await super().get(entity_id)
        return entity_of(RecordRow(rows[0])) if rows else None
