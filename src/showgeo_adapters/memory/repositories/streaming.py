"""Streams and viewer sessions in memory: the same answers as the SQL adapter's tables."""

from __future__ import annotations

import copy
from datetime import datetime
from uuid import UUID

from showgeo_adapters.memory.repositories._base import MemoryRepository
from showgeo_domain.events.model import EventPhase
from showgeo_domain.streaming.model import (
    Stream,
    StreamIngress,
    StreamRecording,
    ViewerSession,
)


def _stored(stream: Stream) -> Stream:
    kept = copy.deepcopy(stream)
    kept.pending_events = []
    return kept


class MemoryStreamRepository(MemoryRepository):
    async def get(self, event_id: UUID, *, for_update: bool = False) -> Stream | None:
        stream = self.state.streams.get(event_id)
        return copy.deepcopy(stream) if stream is not None else None

    async def add(self, stream: Stream) -> None:
        if stream.event_id in self.state.streams:
            raise ValueError(f"event {stream.event_id} already has a stream")
        self.state.streams[stream.event_id] = _stored(stream)
        self._events.track(stream)

    async def update(self, stream: Stream) -> None:
        self.state.streams[stream.event_id] = _stored(stream)
        self._events.track(stream)

    async def live(self) -> list[Stream]:
        return [
            copy.deepcopy(s)
            for s in self.state.streams.values()
            if (event := self.state.events.get(s.event_id)) is not None
            and event.phase is EventPhase.LIVE
        ]

    async def holds_valid_ticket(self, user_id: UUID, event_id: UUID) -> bool:
        return any(
            t.holder_id == user_id and t.event_id == event_id and t.is_valid
            for t in self.state.tickets.values()
        )

    async def get_recording(
        self, egress_id: str, *, for_update: bool = False
    ) -> StreamRecording | None:
        return copy.deepcopy(self.state.stream_recordings.get(egress_id))

    async def add_recording(self, recording: StreamRecording) -> bool:
        if recording.egress_id in self.state.stream_recordings:
            return False
        self.state.stream_recordings[recording.egress_id] = copy.deepcopy(recording)
        return True

    async def update_recording(self, recording: StreamRecording) -> None:
        self.state.stream_recordings[recording.egress_id] = copy.deepcopy(recording)

    async def recordings(self, event_id: UUID) -> list[StreamRecording]:
        found = [r for r in self.state.stream_recordings.values() if r.event_id == event_id]
        return copy.deepcopy(sorted(found, key=lambda r: (r.created_at, r.egress_id)))

    async def get_ingress(
        self, ingress_id: str, *, for_update: bool = False
    ) -> StreamIngress | None:
        return copy.deepcopy(self.state.stream_ingresses.get(ingress_id))

    async def add_ingress(self, ingress: StreamIngress) -> bool:
        if ingress.ingress_id in self.state.stream_ingresses:
            return False
        self.state.stream_ingresses[ingress.ingress_id] = copy.deepcopy(ingress)
        return True

    async def update_ingress(self, ingress: StreamIngress) -> None:
        self.state.stream_ingresses[ingress.ingress_id] = copy.deepcopy(ingress)

    async def ingresses(self, event_id: UUID) -> list[StreamIngress]:
        found = [i for i in self.state.stream_ingresses.values() if i.event_id == event_id]
        return copy.deepcopy(sorted(found, key=lambda i: (i.created_at, i.ingress_id)))


class MemoryViewerSessionRepository(MemoryRepository):
    async def joined(self, event_id: UUID, sid: str, identity: str, at: datetime) -> bool:
        session = self.state.viewer_sessions.setdefault(
            (event_id, sid), ViewerSession(event_id, sid, identity)
        )
        if session.joined_at is not None:
            return False
        session.joined_at = at
        return True

    async def left(self, event_id: UUID, sid: str, identity: str, at: datetime) -> bool:
        session = self.state.viewer_sessions.setdefault(
            (event_id, sid), ViewerSession(event_id, sid, identity)
        )
        if session.left_at is not None:
            return False
        session.left_at = at
        return True

    async def close_open(
        self,
        event_id: UUID,
        at: datetime,
        *,
        keep: frozenset[str],
        joined_before: datetime | None = None,
    ) -> int:
        closed = 0
        for (event, sid), session in self.state.viewer_sessions.items():
            if (
                event == event_id
                and session.is_watching
                and sid not in keep
                and (
                    joined_before is None
                    or (session.joined_at is not None and session.joined_at <= joined_before)
                )
            ):
                session.left_at = at
                closed += 1
        return closed

    async def sessions(self, event_id: UUID) -> list[ViewerSession]:
        return [
            copy.copy(s)
            for (event, _), s in self.state.viewer_sessions.items()
            if event == event_id
        ]
