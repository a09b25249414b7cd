"""What every SQL repository shares: the transaction's connection, the event collector, and
keyset pagination over (created_at, id) descending."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Insert, Select, Table, and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from showgeo_domain.shared.pagination import Keyset, Page, PageRequest, page_of
from showgeo_domain.shared.unit_of_work import PendingEvents

T = TypeVar("T")


class SqlRepository:
    def __init__(self, connection: AsyncConnection, events: PendingEvents) -> None:
        self._conn = connection
        self._events = events

    @property
    def _dialect(self) -> str:
        return self._conn.dialect.name

    def _dialect_insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        """The dialect's own INSERT, which knows ON CONFLICT (both spell it the same)."""
        if self._dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _insert_ignoring_conflicts(self, table: Table) -> Insert:
        """`INSERT ... ON CONFLICT DO NOTHING`: a duplicate is reported by the absence of a
        RETURNING row instead of an IntegrityError, which on PostgreSQL would abort the whole
        transaction. PostgreSQL waits for a concurrent insert of the same key to settle."""
        return self._dialect_insert(table).on_conflict_do_nothing()

    async def _page(
        self,
        query: Select[Any],
        created_at: ColumnElement[Any],
        tie_breaker: ColumnElement[Any],
        page: PageRequest,
        build: Callable[[Any], T],
        key_of: Callable[[T], Keyset],
    ) -> Page[T]:
        """Newest first, starting after the cursor; `limit + 1` rows tell whether more exist."""
        if page.after is not None:
            query = query.where(after_keyset(created_at, tie_breaker, page.after))
        query = query.order_by(created_at.desc(), tie_breaker.desc()).limit(page.limit + 1)
        rows: Sequence[Any] = (await self._conn.execute(query)).all()
        return page_of([build(row) for row in rows], page, key_of)


class SqlInventory(SqlRepository):
    """Seats or stock moved by single conditional UPDATEs: the database checks the ceiling
    and changes the counter in one statement under its row lock, so concurrent buyers are
    serialised on the row and no read-then-write race can oversell. Subclasses name the
    table and the ceiling (`quota`, or `stock` where NULL is unlimited)."""

    _table: Table

    def _within_capacity(self, quantity: int) -> ColumnElement[bool]:
        raise NotImplementedError

    async def reserve(self, item_id: UUID, quantity: int) -> bool:
        """True iff a row was updated: an unknown id or too little left gives False."""
        t = self._table
        result = await self._conn.execute(
            update(t)
            .where(t.c.id == item_id, self._within_capacity(quantity))
            .values(reserved=t.c.reserved + quantity)
            .returning(t.c.id)
        )
        return result.first() is not None

    async def release(self, item_id: UUID, quantity: int) -> None:
        """Guarded so `reserved` never goes below 0: an over-release changes nothing."""
        t = self._table
        await self._conn.execute(
            update(t)
            .where(t.c.id == item_id, t.c.reserved >= quantity)
            .values(reserved=t.c.reserved - quantity)
        )

    async def confirm(self, item_id: UUID, quantity: int) -> None:
        t = self._table
        await self._conn.execute(
            update(t)
            .where(t.c.id == item_id, t.c.reserved >= quantity)
            .values(reserved=t.c.reserved - quantity, sold=t.c.sold + quantity)
        )


def after_keyset(
    created_at: ColumnElement[Any], tie_breaker: ColumnElement[Any], after: Keyset
) -> ColumnElement[bool]:
    """Rows strictly after `after` in (created_at, id) descending order.

    Spelled out rather than as a row-value comparison so SQLite and PostgreSQL plan it the
    same way. Uuid order agrees everywhere: PostgreSQL compares uuid bytes, SQLite compares
    the 32-char lower-case hex text, Python compares `UUID.int`."""
    return or_(
        created_at < after.created_at,
        and_(created_at == after.created_at, tie_breaker < after.id),
    )
