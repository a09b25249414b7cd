"""Notifications in SQL: fan-out is `INSERT … SELECT` over the audience, in keyset batches.

Each batch first finds its upper bound (the `batch_size`-th recipient after the previous
bound, in user id order), then inserts every recipient in `(after, bound]` with one statement.
Ids are made by the database (`gen_random_uuid()` on PostgreSQL, random hex on SQLite), mutes
are `NOT EXISTS` primary-key lookups, and `ON CONFLICT DO NOTHING` on `(user_id,
source_event_id, kind)` drops what a previous run or an overlapping audience already added.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Text,
    Uuid,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.types import TypeEngine

from showgeo_adapters.sqlalchemy.columns import UtcDateTime
from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import (
    follows,
    notification_muted_entities,
    notification_muted_kinds,
    notifications,
    tickets,
    users,
)
from showgeo_domain.notifications.model import (
    Notification,
    NotificationDraft,
    NotificationKind,
    Preferences,
)
from showgeo_domain.notifications.ports import DEFAULT_BATCH
from showgeo_domain.shared.pagination import Page, PageRequest

_DATA = msgspec.json.Decoder(dict[str, str])


_IN_CHUNK = 1000
"""Ids per `IN (…)`: well under SQLite's bound-parameter limit, and small plans on PostgreSQL."""


def _chunks(items: list[UUID], size: int) -> Iterator[list[UUID]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def notification_of(row: Any) -> Notification:
    return Notification(
        id=row.id,
        user_id=row.user_id,
        kind=NotificationKind(row.kind),
        title=row.title,
        body=row.body,
        data=_DATA.decode(row.data),
        entity_id=row.entity_id,
        source_event_id=row.source_event_id,
        created_at=row.created_at,
        read_at=row.read_at,
    )


class SqlNotificationRepository(SqlRepository):
    async def fan_out_to_followers(
        self,
        entity_id: UUID,
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
        batch_size: int = DEFAULT_BATCH,
    ) -> int:
        return await self._fan_out(
            follows.c.user_id,
            [follows.c.entity_id == entity_id],
            draft,
            source_event_id,
            now,
            batch_size,
        )

    async def fan_out_to_ticket_holders(
        self,
        event_id: UUID,
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
        batch_size: int = DEFAULT_BATCH,
    ) -> int:
        return await self._fan_out(
            tickets.c.holder_id,
            [tickets.c.event_id == event_id, tickets.c.voided_at.is_(None)],
            draft,
            source_event_id,
            now,
            batch_size,
        )

    async def notify(
        self,
        user_ids: Sequence[UUID],
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
    ) -> int:
        if not user_ids:
            return 0
        return await self._insert(
            users.c.id, [users.c.id.in_(list(user_ids))], draft, source_event_id, now
        )

    async def _fan_out(
        self,
        user_id: ColumnElement[UUID],
        audience: list[ColumnElement[bool]],
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
        batch_size: int,
    ) -> int:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        added, after = 0, None
        while True:
            window = list(audience) if after is None else [*audience, user_id > after]
            bound = await self._conn.scalar(
                select(user_id)
                .where(*window)
                .distinct()
                .order_by(user_id)
                .offset(batch_size - 1)
                .limit(1)
            )
            batch = window if bound is None else [*window, user_id <= bound]
            added += await self._insert(user_id, batch, draft, source_event_id, now)
            if bound is None:
                return added
            after = bound

    async def _insert(
        self,
        user_id: ColumnElement[UUID],
        recipients: list[ColumnElement[bool]],
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
    ) -> int:
        """One `INSERT … SELECT` for every recipient matching `recipients` who has not muted
        the draft's kind or entity; returns how many rows were added."""
        muted_kind = exists().where(
            notification_muted_kinds.c.user_id == user_id,
            notification_muted_kinds.c.kind == draft.kind.value,
        )
        wanted = [*recipients, ~muted_kind]
        if draft.entity_id is not None:
            wanted.append(
                ~exists().where(
                    notification_muted_entities.c.user_id == user_id,
                    notification_muted_entities.c.entity_id == draft.entity_id,
                )
            )
        audience = select(user_id.label("user_id")).where(*wanted).distinct().subquery()
        rows = select(
            self._new_id(),
            audience.c.user_id,
            self._value(draft.kind.value, String(30)),
            self._value(draft.title, String(200)),
            self._value(draft.body, Text()),
            self._value(msgspec.json.encode(draft.data).decode(), Text()),
            self._value(draft.entity_id, Uuid()),
            self._value(source_event_id, Uuid()),
            self._value(now, UtcDateTime()),
        ).where(true())  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
        statement = (
            self._dialect_insert(notifications)
            .from_select(
                [
                    "id",
                    "user_id",
                    "kind",
                    "title",
                    "body",
                    "data",
                    "entity_id",
                    "source_event_id",
                    "created_at",
                ],
                rows,
            )
            .on_conflict_do_nothing()
            .returning(notifications.c.id)
        )
        return len((await self._conn.execute(statement)).all())

    def _new_id(self) -> ColumnElement[Any]:
        if self._dialect == "postgresql":
            return func.gen_random_uuid()
        # SQLAlchemy keeps uuids on SQLite as 32 lower-case hex characters.
        return literal_column("lower(hex(randomblob(16)))")

    def _value(self, value: Any, type_: TypeEngine[Any]) -> ColumnElement[Any]:
        """A bound value in a SELECT list. PostgreSQL cannot infer a parameter's type there,
        so it gets a cast; SQLite must not (CAST AS DATETIME would make a number of a date)."""
        bound = literal(value, type_)
        return cast(bound, type_) if self._dialect == "postgresql" else bound

    async def get(self, user_id: UUID, notification_id: UUID) -> Notification | None:
        row = (
            await self._conn.execute(
                select(notifications).where(
                    notifications.c.id == notification_id, notifications.c.user_id == user_id
                )
            )
        ).first()
        return None if row is None else notification_of(row)

    async def list_for_user(
        self, user_id: UUID, page: PageRequest, unread_only: bool = False
    ) -> Page[Notification]:
        query: Select[Any] = select(notifications).where(notifications.c.user_id == user_id)
        if unread_only:
            query = query.where(notifications.c.read_at.is_(None))
        return await self._page(
            query,
            notifications.c.created_at,
            notifications.c.id,
            page,
            notification_of,
            Notification.key,
        )

    async def unread_count(self, user_id: UUID) -> int:
        query = select(func.count()).where(
            notifications.c.user_id == user_id, notifications.c.read_at.is_(None)
        )
        return int(await self._conn.scalar(query) or 0)

    async def unread_counts(self, user_ids: Sequence[UUID]) -> dict[UUID, int]:
        counts = dict.fromkeys(user_ids, 0)
        for chunk in _chunks(list(counts), _IN_CHUNK):
            query = (
                select(notifications.c.user_id, func.count())
                .where(notifications.c.user_id.in_(chunk), notifications.c.read_at.is_(None))
                .group_by(notifications.c.user_id)
            )
            for user_id, count in await self._conn.execute(query):
                counts[user_id] = int(count)
        return counts

    async def created_for(
        self, source_event_id: UUID, kind: NotificationKind, user_ids: Sequence[UUID]
    ) -> list[Notification]:
        """By the `(user_id, source_event_id, kind)` unique index: one probe per user."""
        found: list[Notification] = []
        for chunk in _chunks(list(dict.fromkeys(user_ids)), _IN_CHUNK):
            query = select(notifications).where(
                notifications.c.user_id.in_(chunk),
                notifications.c.source_event_id == source_event_id,
                notifications.c.kind == kind.value,
            )
            found.extend(notification_of(row) for row in await self._conn.execute(query))
        return found

    async def mark_read(self, user_id: UUID, ids: Sequence[UUID], now: datetime) -> int:
        if not ids:
            return 0
        return await self._mark(user_id, now, notifications.c.id.in_(list(set(ids))))

    async def mark_all_read(self, user_id: UUID, now: datetime) -> int:
        return await self._mark(user_id, now, true())

    async def _mark(self, user_id: UUID, now: datetime, which: ColumnElement[bool]) -> int:
        result = await self._conn.execute(
            update(notifications)
            .where(notifications.c.user_id == user_id, notifications.c.read_at.is_(None), which)
            .values(read_at=now)
            .returning(notifications.c.id)
        )
        return len(result.all())


class SqlPreferencesRepository(SqlRepository):
    async def get(self, user_id: UUID) -> Preferences:
        kinds = await self._conn.scalars(
            select(notification_muted_kinds.c.kind).where(
                notification_muted_kinds.c.user_id == user_id
            )
        )
        entities = await self._conn.scalars(
            select(notification_muted_entities.c.entity_id).where(
                notification_muted_entities.c.user_id == user_id
            )
        )
        return Preferences(
            user_id=user_id,
            muted_kinds=frozenset(NotificationKind(k) for k in kinds),
            muted_entities=frozenset(entities),
        )

    async def put(self, preferences: Preferences) -> None:
        user_id = preferences.user_id
        for table in (notification_muted_kinds, notification_muted_entities):
            await self._conn.execute(delete(table).where(table.c.user_id == user_id))
        if preferences.muted_kinds:
            await self._conn.execute(
                insert(notification_muted_kinds),
                [{"user_id": user_id, "kind": k.value} for k in preferences.muted_kinds],
            )
        if preferences.muted_entities:
            await self._conn.execute(
                insert(notification_muted_entities),
                [{"user_id": user_id, "entity_id": e} for e in preferences.muted_entities],
            )
