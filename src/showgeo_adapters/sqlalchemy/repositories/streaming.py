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
from showgeo_adapters.sqlalchemy.tables import (
    events,
    stream_ingresses,
    stream_recordings,
    stream_sessions,
    streams,
    tickets,
)
from showgeo_domain.events.model import EventPhase
from showgeo_domain.streaming.model import (
    AccessLevel,
    Geofence,
    IngressStatus,
    RecordingStatus,
    Stream,
    StreamIngress,
    StreamRecording,
    ViewerSession,
)


def _stream(row: Any) -> Stream:
    return Stream(
        event_id=row.event_id,
        entity_id=row.entity_id,
        access_level=AccessLevel(row.access_level),
        geofence=msgspec.json.decode(row.geofence, type=Geofence),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _recording(row: Any) -> StreamRecording:
    return StreamRecording(
        egress_id=row.egress_id,
        event_id=row.event_id,
        status=RecordingStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        location=row.location,
        error=row.error,
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_seconds=row.duration_seconds,
        size_bytes=row.size_bytes,
    )


def _recording_values(recording: StreamRecording) -> dict[str, Any]:
    return {
        "status": recording.status.value,
        "location": recording.location,
        "error": recording.error,
        "started_at": recording.started_at,
        "ended_at": recording.ended_at,
        "duration_seconds": recording.duration_seconds,
        "size_bytes": recording.size_bytes,
        "updated_at": recording.updated_at,
    }


def _ingress(row: Any) -> StreamIngress:
    return StreamIngress(
        ingress_id=row.ingress_id,
        event_id=row.event_id,
        protocol=row.protocol,
        name=row.name,
        status=IngressStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        error=row.error,
        started_at=row.started_at,
        ended_at=row.ended_at,
        reported_at=row.reported_at,
    )


def _ingress_values(ingress: StreamIngress) -> dict[str, Any]:
    return {
        "status": ingress.status.value,
        "error": ingress.error,
        "started_at": ingress.started_at,
        "ended_at": ingress.ended_at,
        "reported_at": ingress.reported_at,
        "updated_at": ingress.updated_at,
    }


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

    async def get_recording(
        self, egress_id: str, *, for_update: bool = False
    ) -> StreamRecording | None:
        query = select(stream_recordings).where(stream_recordings.c.egress_id == egress_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _recording(row) if row else None

    async def add_recording(self, recording: StreamRecording) -> bool:
        t = stream_recordings
        result = await self._conn.execute(
            self._insert_ignoring_conflicts(t)
            .values(
                egress_id=recording.egress_id,
                event_id=recording.event_id,
                created_at=recording.created_at,
                **_recording_values(recording),
            )
            .returning(t.c.egress_id)
        )
        return result.first() is not None

    async def update_recording(self, recording: StreamRecording) -> None:
        t = stream_recordings
        await self._conn.execute(
            update(t)
            .where(t.c.egress_id == recording.egress_id)
            .values(**_recording_values(recording))
        )

    async def recordings(self, event_id: UUID) -> list[StreamRecording]:
        t = stream_recordings
        rows = await self._conn.execute(
            select(t).where(t.c.event_id == event_id).order_by(t.c.created_at, t.c.egress_id)
        )
        return [_recording(row) for row in rows]

    async def get_ingress(
        self, ingress_id: str, *, for_update: bool = False
    ) -> StreamIngress | None:
        query = select(stream_ingresses).where(stream_ingresses.c.ingress_id == ingress_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _ingress(row) if row else None

    async def add_ingress(self, ingress: StreamIngress) -> bool:
        t = stream_ingresses
        result = await self._conn.execute(
            self._insert_ignoring_conflicts(t)
            .values(
                ingress_id=ingress.ingress_id,
                event_id=ingress.event_id,
                protocol=ingress.protocol,
                name=ingress.name,
                created_at=ingress.created_at,
                **_ingress_values(ingress),
            )
            .returning(t.c.ingress_id)
        )
        return result.first() is not None

    async def update_ingress(self, ingress: StreamIngress) -> None:
        t = stream_ingresses
        await self._conn.execute(
            update(t).where(t.c.ingress_id == ingress.ingress_id).values(**_ingress_values(ingress))
        )

    async def ingresses(self, event_id: UUID) -> list[StreamIngress]:
        t = stream_ingresses
        rows = await self._conn.execute(
            select(t).where(t.c.event_id == event_id).order_by(t.c.created_at, t.c.ingress_id)
        )
        return [_ingress(row) for row in rows]


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
