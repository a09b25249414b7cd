"""LiveKit webhooks: the `Authorization` header is a JWT signed with the API secret whose
`sha256` claim is the body's hash; `WebhookReceiver` checks both before we read a field."""

from __future__ import annotations

from datetime import UTC, datetime

from livekit.api import TokenVerifier, WebhookReceiver
from livekit.protocol.models import ParticipantInfo
from livekit.protocol.webhook import WebhookEvent

from showgeo_domain.orders.errors import InvalidWebhookSignature
from showgeo_domain.streaming.ports import Participant, StreamNotice, StreamNoticeKind

_KINDS = {kind.value: kind for kind in StreamNoticeKind if kind is not StreamNoticeKind.IGNORED}


def _instant(seconds: int, millis: int = 0) -> datetime | None:
    if millis:
        return datetime.fromtimestamp(millis / 1000, UTC)
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


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
    room = event.room.name or event.ingress_info.room_name or None
    return StreamNotice(
        event_ref=event.id,
        kind=kind,
        room=room,
        at=_instant(event.created_at) or received_at,
        participant=participant_of(event.participant) if event.HasField("participant") else None,
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
