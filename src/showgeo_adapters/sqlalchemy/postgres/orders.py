"""Placing an order by hand: the order row and its lines, no Core."""

from __future__ import annotations

from showgeo_adapters.sqlalchemy.postgres.repository import PostgresRepository
from showgeo_adapters.sqlalchemy.repositories.orders import SqlOrderRepository, changing_values
from showgeo_domain.orders.model import Order

_ADD_ORDER = """INSERT INTO orders (id, buyer_id, entity_id, total_amount, currency,
created_at, idempotency_key, request_fingerprint, status, refunded_amount, expires_at, paid_at,
closed_at, payment_ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT DO NOTHING RETURNING id"""
_ADD_LINE = """INSERT INTO order_lines (order_id, position, kind, item_id, entity_id, event_id,
title, unit_amount, currency, quantity) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"""
_CHANGING = ("status", "refunded_amount", "expires_at", "paid_at", "closed_at", "payment_ref")


class PostgresOrderRepository(PostgresRepository, SqlOrderRepository):
    async def add(self, order: Order) -> bool:
        """One line per statement, the lines of one order pipelined by `executemany`."""
        driver = await self._driver()
        if driver is None:
            return await super().add(order)
        changing = changing_values(order)
        inserted = await driver.fetchval(
            _ADD_ORDER,
            order.id,
            order.buyer_id,
            order.entity_id,
            order.total.amount,
            order.total.currency,
            order.created_at,
            order.idempotency_key,
            order.request_fingerprint,
            *(changing[name] for name in _CHANGING),
        )
        if inserted is None:
            return False
        lines = [
            (
                order.id,
                position,
                line.kind.value,
                line.item_id,
                line.entity_id,
                line.event_id,
                line.title,
                line.unit_price.amount,
                line.unit_price.currency,
                line.quantity,
            )
            for position, line in enumerate(order.lines)
        ]
        if len(lines) == 1:
            await driver.execute(_ADD_LINE, *lines[0])
        else:
            await driver.executemany(_ADD_LINE, lines)
        self._events.track(order)
        return True
