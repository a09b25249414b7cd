"""Stock reserved by hand (an order of a product)."""

from __future__ import annotations

from showgeo_adapters.sqlalchemy.postgres.inventory import PostgresInventory
from showgeo_adapters.sqlalchemy.repositories.store import SqlProductRepository


class PostgresProductRepository(PostgresInventory, SqlProductRepository):
    _reserve_sql = """UPDATE products SET reserved = reserved + $1
    WHERE id = $2 AND (stock IS NULL OR sold + reserved + $1 <= stock) RETURNING id"""
