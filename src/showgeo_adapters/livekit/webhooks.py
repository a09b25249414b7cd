"""LiveKit webhooks: the `Authorization` header is a JWT signed with the API secret whose
`sha256` claim is the body's hash; `WebhookReceiver` checks both before we read a field."""

from __future__ import annotations

from datetime import UTC, datetime

from livekit.api import TokenVerifier, WebhookReceiver
from livekit.protocol.egress import EgressInfo, EgressStatus
from livekit.protocol.ingress import IngressInfo, IngressInput, IngressState
from livekit.protocol.models import ParticipantInfo
from livekit.protocol.webhook import WebhookEvent

from showgeo_domain.orders.errors import InvalidWebhookSignature
from showgeo_domain.streaming.model import (
    IngressReport,
    IngressStatus,
    RecordingReport,
    RecordingStatus,
)
from showgeo_domain.streaming.ports import Participant, StreamNotice, StreamNoticeKind

_KINDS = {kind.value: kind for kind in StreamNoticeKind if kind is not StreamNoticeKind.IGNORED}


def _instant(seconds: int, millis: int = 0) -> datetime | None:
    if millis:
        return datetime.fromtimestamp(millis / 1000, UTC)
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


def _epoch(value: int) -> datetime | None:
    """LiveKit's times are Unix time in nanoseconds (egress, ingress), milliseconds or
    seconds, depending on the message; told apart by size (any of them is a date after
    1973 and before 2286 in exactly one unit)."""
    if value <= 0:
        return None
    for unit in (1_000_000_000, 1_000_000, 1_000, 1):
        if value >= 100_000_000 * unit:
            return datetime.fromtimestamp(value / unit, UTC)
    return datetime.fromtimestamp(value, UTC)


_EGRESS_STATUS = {
    EgressStatus.EGRESS_STARTING: RecordingStatus.STARTING,
    EgressStatus.EGRESS_ACTIVE: RecordingStatus.ACTIVE,
    EgressStatus.EGRESS_ENDING: RecordingStatus.ENDING,
    EgressStatus.EGRESS_COMPLETE: RecordingStatus.COMPLETE,
    EgressStatus.EGRESS_LIMIT_REACHED: RecordingStatus.COMPLETE,  # a file, cut at the limit
    EgressStatus.EGRESS_FAILED: RecordingStatus.FAILED,
    EgressStatus.EGRESS_ABORTED: RecordingStatus.FAILED,
}

_INGRESS_STATUS = {
    IngressState.ENDPOINT_INACTIVE: IngressStatus.INACTIVE,
    IngressState.ENDPOINT_BUFFERING: IngressStatus.BUFFERING,
    IngressState.ENDPOINT_PUBLISHING: IngressStatus.PUBLISHING,
    IngressState.ENDPOINT_ERROR: IngressStatus.ERROR,
    IngressState.ENDPOINT_COMPLETE: IngressStatus.COMPLETE,
}

_INGRESS_PROTOCOL = {
    IngressInput.RTMP_INPUT: "RTMP",
    IngressInput.WHIP_INPUT: "WHIP",
    IngressInput.URL_INPUT: "URL",
}


def recording_of(info: EgressInfo) -> RecordingReport:
    """The file's location, size and length come from `file_results` (or the older single
    `file` field) once the egress has ended."""
    files = list(info.file_results) or ([info.file] if info.HasField("file") else [])
    done = files[0] if files else None
    return RecordingReport(
        egress_id=info.egress_id,
        room=info.room_name or None,
        status=_EGRESS_STATUS.get(info.status, RecordingStatus.STARTING),
        location=(done.location or None) if done else None,
        error=info.error or None,
        started_at=_epoch(info.started_at),
        ended_at=_epoch(info.ended_at),
        duration_seconds=done.duration / 1e9 if done and done.duration else None,
        size_bytes=done.size if done and done.size else None,
    )


def ingress_of(info: IngressInfo) -> IngressReport:
    state = info.state
    return IngressReport(
        ingress_id=info.ingress_id,
        room=info.room_name or None,
        status=_INGRESS_STATUS.get(state.status, IngressStatus.INACTIVE),
        protocol=_INGRESS_PROTOCOL.get(info.input_type),
        name=info.name or None,
        error=state.error or None,
        started_at=_epoch(state.started_at),
        ended_at=_epoch(state.ended_at),
    )


def participant_of(info: ParticipantInfo) -> Participant:
    """Anyone who may publish (hosts, ingress, egress, agents) is not a viewer."""
    return Participant(
        sid=info.sid,
        identity=info.identity,
        joined_at=_instant(info.joined_at, info.joined_at_ms),
        is_publisher=info.permission.can_publish or info.kind != ParticipantInfo.Kind.STANDARD,
    )


def notice_of(event: WebhookEvent, received_at: datetime) -> StreamNotice:
    kind = _KINDS.get(event.event, StreamNoticeKind.IGNORED)
    room = event.room.name or event.ingress_info.room_name or event.egress_info.room_name or None
    return StreamNotice(
        event_ref=event.id,
        kind=kind,
        room=room,
        at=_instant(event.created_at) or received_at,
        participant=participant_of(event.participant) if event.HasField("participant") else None,
        recording=recording_of(event.egress_info) if event.HasField("egress_info") else None,
        ingress=ingress_of(event.ingress_info) if event.HasField("ingress_info") else None,
    )


class LiveKitWebhooks:
    def __init__(self, api_key: str, api_secret: str) -> None:
        self._receiver = WebhookReceiver(TokenVerifier(api_key, api_secret))

    def verify(self, body: bytes, authorization: str | None, now: datetime) -> StreamNotice:
        if not authorization:
            raise InvalidWebhookSignature("the webhook carries no Authorization header")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            event = self._receiver.receive(body.decode("utf-8"), token)
        except Exception as exc:  # the library raises bare Exceptions and jwt errors alike
            raise InvalidWebhookSignature("the webhook's signature does not verify") from exc
        if not event.id:
            raise InvalidWebhookSignature("the webhook has no event id")
        return notice_of(event, now)
