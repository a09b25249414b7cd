"""Streams and viewer sessions on the `streams` and `stream_sessions` tables.

Sessions are written with guarded statements: a join is recorded by an upsert that only fills
`joined_at` while it is NULL, a leave likewise for `left_at`, so a repeated or late webhook
is a no-op in the database itself, whatever order deliveries arrive in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import and_, select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import events, stream_sessions, streams, tickets
from showgeo_domain.events.model import EventPhase
from showgeo_domain.streaming.model import AccessLevel, Geofence, Stream, ViewerSession


def _stream(row: Any) -> Stream:
    return Stream(
        event_id=row.event_id,
        entity_id=row.entity_id,
        access_level=AccessLevel(row.access_level),
        geofence=msgspec.json.decode(row.geofence, type=Geofence),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _config(stream: Stream) -> dict[str, Any]:
    return {
        "access_level": stream.access_level.value,
        "geofence": msgspec.json.encode(stream.geofence).decode(),
        "updated_at": stream.updated_at,
    }


class SqlStreamRepository(SqlRepository):
    async def get(self, event_id: UUID, *, for_update: bool = False) -> Stream | None:
        query = select(streams).where(streams.c.event_id == event_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _stream(row) if row else None

    async def add(self, stream: Stream) -> None:
        await self._conn.execute(
            streams.insert().values(
                event_id=stream.event_id,
                entity_id=stream.entity_id,
                created_at=stream.created_at,
                **_config(stream),
            )
        )
        self._events.track(stream)

    async def update(self, stream: Stream) -> None:
        await self._conn.execute(
            update(streams).where(streams.c.event_id == stream.event_id).values(**_config(stream))
        )
        self._events.track(stream)

    async def live(self) -> list[Stream]:
        rows = await self._conn.execute(
            select(streams)
            .join(events, events.c.id == streams.c.event_id)
            .where(events.c.phase == EventPhase.LIVE.value)
            .order_by(streams.c.event_id)
        )
        return [_stream(row) for row in rows]

    async def holds_valid_ticket(self, user_id: UUID, event_id: UUID) -> bool:
        found = await self._conn.scalar(
            select(tickets.c.id)
            .where(
                tickets.c.holder_id == user_id,
                tickets.c.event_id == event_id,
                tickets.c.voided_at.is_(None),
            )
            .limit(1)
        )
        return found is not None


class SqlViewerSessionRepository(SqlRepository):
    async def joined(self, event_id: UUID, sid: str, identity: str, at: datetime) -> bool:
        return await self._mark(event_id, sid, identity, "joined_at", at)

    async def left(self, event_id: UUID, sid: str, identity: str, at: datetime) -> bool:
        return await self._mark(event_id, sid, identity, "left_at", at)

    async def _mark(
        self, event_id: UUID, sid: str, identity: str, column: str, at: datetime
    ) -> bool:
        """Insert the session with this end, or fill this end of an existing one only while
        it is still NULL; True when a row changed."""
        t = stream_sessions
        insert = self._dialect_insert(t).values(
            event_id=event_id, participant_sid=sid, identity=identity, **{column: at}
        )
        result = await self._conn.execute(
            insert.on_conflict_do_update(
                index_elements=[t.c.event_id, t.c.participant_sid],
                set_={column: at},
                where=t.c[column].is_(None),
            ).returning(t.c.participant_sid)
        )
        return result.first() is not None

    async def close_open(
        self,
        event_id: UUID,
        at: datetime,
        *,
        keep: frozenset[str],
        joined_before: datetime | None = None,
    ) -> int:
        t = stream_sessions
        condition = and_(
            t.c.event_id == event_id, t.c.joined_at.is_not(None), t.c.left_at.is_(None)
        )
        if keep:
            condition = and_(condition, t.c.participant_sid.not_in(sorted(keep)))
        if joined_before is not None:
            condition = and_(condition, t.c.joined_at <= joined_before)
        result = await self._conn.execute(
            update(t).where(condition).values(left_at=at).returning(t.c.participant_sid)
        )
        return len(result.all())

    async def sessions(self, event_id: UUID) -> list[ViewerSession]:
        t = stream_sessions
        rows = await self._conn.execute(
            select(t).where(t.c.event_id == event_id).order_by(t.c.participant_sid)
        )
        return [
            ViewerSession(r.event_id, r.participant_sid, r.identity, r.joined_at, r.left_at)
            for r in rows
        ]
