"""A media server in memory: rooms, participants and ingresses in dictionaries, tokens and
webhooks as signed JSON (HMAC-SHA256), for domain tests and in-process users that have no
LiveKit. The same contract suite runs it and the LiveKit adapter."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

import msgspec

from showgeo_domain.orders.errors import InvalidWebhookSignature
from showgeo_domain.streaming.model import RecordingReport, RecordingStatus
from showgeo_domain.streaming.policy import StreamRole
from showgeo_domain.streaming.ports import (
    Ingress,
    IngressProtocol,
    Participant,
    StreamNotice,
    TokenRequest,
)

_STOPPABLE = frozenset({RecordingStatus.STARTING, RecordingStatus.ACTIVE})


class MemoryToken(msgspec.Struct, frozen=True):
    room: str
    identity: str
    name: str
    can_publish: bool
    expires_at: datetime


@dataclass
class MemoryMedia:
    """`sign(notice)` makes a webhook body and header `verify_webhook` accepts."""

    name: str = "memory-media"
    url: str = "memory://media"
    secret: bytes = b"memory-media-secret"
    rooms: set[str] = field(default_factory=set)
    participants: dict[str, list[Participant]] = field(default_factory=dict)
    ingresses: list[tuple[str, Ingress]] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    records: bool = False
    """Whether rooms are recorded (as with a storage configured for LiveKit's egress)."""
    bucket: str = "memory-recordings"
    recordings: dict[str, RecordingReport] = field(default_factory=dict)
    """Recordings by egress id, as last reported."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _paths: dict[str, str] = field(default_factory=dict)

    def issue_token(self, request: TokenRequest) -> str:
        token = MemoryToken(
            room=request.room,
            identity=request.identity,
            name=request.name,
            can_publish=request.role is StreamRole.HOST,
            expires_at=datetime.now(UTC) + request.ttl,
        )
        body = msgspec.json.encode(token)
        return f"{base64.urlsafe_b64encode(body).decode()}.{self._mac(body)}"

    def read_token(self, token: str) -> MemoryToken:
        encoded, _, mac = token.partition(".")
        body = base64.urlsafe_b64decode(encoded)
        if not hmac.compare_digest(mac, self._mac(body)):
            raise ValueError("bad token signature")
        return msgspec.json.decode(body, type=MemoryToken)

    def sign(self, notice: StreamNotice) -> tuple[bytes, str]:
        body = msgspec.json.encode(notice)
        return body, self._mac(body)

    def verify_webhook(self, body: bytes, authorization: str | None) -> StreamNotice:
        if not authorization or not hmac.compare_digest(authorization, self._mac(body)):
            raise InvalidWebhookSignature("the webhook's signature does not verify")
        return msgspec.json.decode(body, type=StreamNotice)

    async def create_room(self, room: str) -> None:
        self.calls.append(("create_room", room))
        self.rooms.add(room)

    async def list_participants(self, room: str) -> list[Participant] | None:
        self.calls.append(("list_participants", room))
        return list(self.participants.get(room, [])) if room in self.rooms else []

    async def remove_participant(self, room: str, identity: str) -> None:
        self.calls.append(("remove_participant", room))
        present = self.participants.get(room, [])
        self.participants[room] = [p for p in present if p.identity != identity]

    async def delete_room(self, room: str) -> None:
        self.calls.append(("delete_room", room))
        self.rooms.discard(room)
        self.participants.pop(room, None)

    async def create_ingress(
        self, room: str, identity: str, name: str, protocol: IngressProtocol
    ) -> Ingress:
        self.calls.append(("create_ingress", room))
        n = next(self._ids)
        url = "rtmp://memory/live" if protocol is IngressProtocol.RTMP else "http://memory/whip"
        ingress = Ingress(f"IN_memory{n}", url, f"sk_memory{n}")
        self.ingresses.append((room, ingress))
        return ingress

    async def start_recording(self, room: str, filepath: str) -> RecordingReport | None:
        self.calls.append(("start_recording", room))
        if not self.records:
            return None
        report = RecordingReport(
            egress_id=f"EG_memory{next(self._ids)}",
            room=room,
            status=RecordingStatus.STARTING,
            location=None,
            started_at=datetime.now(UTC),
        )
        self.recordings[report.egress_id] = report
        self._paths[report.egress_id] = filepath
        return report

    async def stop_recording(self, egress_id: str) -> RecordingReport | None:
        self.calls.append(("stop_recording", egress_id))
        known = self.recordings.get(egress_id)
        if known is None or known.status not in _STOPPABLE:
            return None
        self.recordings[egress_id] = msgspec.structs.replace(known, status=RecordingStatus.ENDING)
        return self.recordings[egress_id]

    def finish_recording(self, egress_id: str) -> RecordingReport:
        """The file is written (the test plays the media server's part): what the
        `egress_ended` notice carries."""
        known = self.recordings[egress_id]
        now = datetime.now(UTC)
        done = msgspec.structs.replace(
            known,
            status=RecordingStatus.COMPLETE,
            location=f"s3://{self.bucket}/{self._paths[egress_id]}",
            ended_at=now,
            duration_seconds=(now - (known.started_at or now)).total_seconds(),
            size_bytes=1024,
        )
        self.recordings[egress_id] = done
        return done

    def join(self, room: str, identity: str, *, publisher: bool = False) -> Participant:
        """Someone connects (the test plays the media server's part)."""
        participant = Participant(
            f"PA_memory{next(self._ids)}", identity, datetime.now(UTC), publisher
        )
        self.participants.setdefault(room, []).append(participant)
        return participant

    def _mac(self, body: bytes) -> str:
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()
