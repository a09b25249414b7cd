"""Seats and stock reserved by hand: one conditional UPDATE, no Core."""

from __future__ import annotations

from uuid import UUID

from showgeo_adapters.sqlalchemy.postgres.repository import PostgresRepository
from showgeo_adapters.sqlalchemy.repositories._base import SqlInventory


class PostgresInventory(PostgresRepository, SqlInventory):
    """`_reserve_sql`: the Core `reserve` by hand, $1 the quantity and $2 the id."""

    _reserve_sql: str

    async def reserve(self, item_id: UUID, quantity: int) -> bool:
        driver = await self._driver()
        if driver is None:
            return await super().reserve(item_id, quantity)
        return await driver.fetchval(self._reserve_sql, quantity, item_id) is not None
