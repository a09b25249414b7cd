"""The `MediaServer` port: the memory fake and the LiveKit adapter (against a local fake of
LiveKit's Twirp API) give the same answers; LiveKit's tokens and webhooks are checked with
livekit-api's own verifier."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta

import jwt
import pytest
from livekit.api import TokenVerifier
from livekit.protocol import models

from showgeo_adapters.livekit import LiveKitMedia
from showgeo_adapters.memory.media import MemoryMedia
from showgeo_domain.orders.errors import InvalidWebhookSignature
from showgeo_domain.streaming.errors import MediaServerUnavailable
from showgeo_domain.streaming.policy import StreamRole
from showgeo_domain.streaming.ports import (
    IngressProtocol,
    MediaServer,
    StreamNoticeKind,
    TokenRequest,
)
from tests.support.fake_livekit import API_KEY, API_SECRET, FakeLiveKit, fake_livekit
from tests.support.fake_livekit import webhook_event as lk_event

ROOM = "showgeo-event-3f1c4a52-8f1e-4a43-9d7e-6f1b2b4c9a10"


@dataclass
class Media:
    server: MediaServer
    join: Callable[..., object]


@pytest.fixture(params=["memory", "livekit"])
async def media(request: pytest.FixtureRequest) -> AsyncIterator[Media]:
    if request.param == "memory":
        fake = MemoryMedia()
        yield Media(fake, fake.join)
        return
    async with fake_livekit() as server:
        adapter = LiveKitMedia(server.url, API_KEY, API_SECRET)
        try:
            yield Media(adapter, server.join)
        finally:
            await adapter.aclose()


async def test_rooms_and_participants(media: Media):
    server = media.server
    await server.create_room(ROOM)
    await server.create_room(ROOM)  # idempotent
    assert await server.list_participants(ROOM) == []
    media.join(ROOM, "ana")
    media.join(ROOM, "host-1", publisher=True)
    listed = await server.list_participants(ROOM)
    assert listed is not None
    assert sorted((p.identity, p.is_publisher) for p in listed) == [
        ("ana", False),
        ("host-1", True),
    ]
    assert all(p.sid and p.joined_at is not None for p in listed)
    await server.remove_participant(ROOM, "ana")
    await server.remove_participant(ROOM, "nobody")  # not an error
    assert [p.identity for p in await server.list_participants(ROOM) or []] == ["host-1"]
    await server.delete_room(ROOM)
    await server.delete_room(ROOM)  # not an error
    assert await server.list_participants(ROOM) == []


async def test_ingress(media: Media):
    await media.server.create_room(ROOM)
    rtmp = await media.server.create_ingress(ROOM, "ingress-x", "Show", IngressProtocol.RTMP)
    whip = await media.server.create_ingress(ROOM, "ingress-x", "Show", IngressProtocol.WHIP)
    assert rtmp.url.startswith("rtmp://")
    assert rtmp.stream_key
    assert whip.url.startswith("http")
    assert whip.ingress_id != rtmp.ingress_id


# -- LiveKit only: what goes over the wire and what the tokens say ----------------------


@pytest.fixture
async def livekit() -> AsyncIterator[tuple[FakeLiveKit, LiveKitMedia]]:
    async with fake_livekit() as server:
        adapter = LiveKitMedia("wss://live.example.test", API_KEY, API_SECRET, api_url=server.url)
        try:
            yield server, adapter
        finally:
            await adapter.aclose()


async def test_room_calls_carry_the_grants_livekit_checks(livekit):
    server, adapter = livekit
    await adapter.create_room(ROOM)
    await adapter.list_participants(ROOM)
    await adapter.create_ingress(ROOM, "ingress-x", "Show", IngressProtocol.RTMP)
    assert server.methods() == ["CreateRoom", "ListParticipants", "CreateIngress"]
    assert server.calls[0].request.empty_timeout > 0
    ingress = server.calls[2].request
    assert (ingress.room_name, ingress.participant_identity) == (ROOM, "ingress-x")


async def test_a_refusing_server_is_a_media_server_error(livekit):
    server, adapter = livekit
    server.fail_with = (403, "permission_denied")
    with pytest.raises(MediaServerUnavailable):
        await adapter.create_room(ROOM)


async def test_an_unreachable_server_is_a_media_server_error():
    adapter = LiveKitMedia("http://127.0.0.1:9", API_KEY, API_SECRET, timeout_seconds=2)
    try:
        with pytest.raises(MediaServerUnavailable):
            await adapter.create_room(ROOM)
    finally:
        await adapter.aclose()


async def test_without_a_server_room_calls_are_skipped_with_a_log_line(caplog):
    adapter = LiveKitMedia("http://127.0.0.1:9", "devkey", "secret", manage_rooms=False)
    with caplog.at_level(logging.INFO, logger="showgeo.livekit"):
        await adapter.create_room(ROOM)
        assert await adapter.list_participants(ROOM) is None
        await adapter.remove_participant(ROOM, "ana")
        await adapter.delete_room(ROOM)
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 3  # listing is logged at DEBUG: the reconciler lists every 30 s
    with pytest.raises(MediaServerUnavailable):
        await adapter.create_ingress(ROOM, "x", "Show", IngressProtocol.RTMP)
    # tokens need no server
    assert adapter.issue_token(
        TokenRequest(
            room=ROOM, identity="u", name="U", role=StreamRole.VIEWER, ttl=timedelta(minutes=1)
        )
    )


@pytest.mark.parametrize("role", list(StreamRole))
def test_tokens_verified_by_livekit(role):
    adapter = LiveKitMedia("wss://live.example.test", API_KEY, API_SECRET)
    token = adapter.issue_token(
        TokenRequest(room=ROOM, identity="user-1", name="Ana", role=role, ttl=timedelta(minutes=5))
    )
    claims = TokenVerifier(API_KEY, API_SECRET).verify(token)
    assert (claims.identity, claims.name) == ("user-1", "Ana")
    video = claims.video
    assert video is not None
    assert (video.room_join, video.room) == (True, ROOM)
    assert video.can_subscribe
    assert video.can_publish_data
    assert video.can_publish is (role is StreamRole.HOST)
    assert not video.room_admin
    assert not video.room_create
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert 290 <= exp - time.time() <= 300
    with pytest.raises(jwt.InvalidSignatureError):
        TokenVerifier(API_KEY, "another-secret-entirely-0123456789").verify(token)


def _joined(server: FakeLiveKit, *, publisher: bool = False) -> models.ParticipantInfo:
    return server.join(ROOM, "user-1", publisher=publisher)


async def test_webhooks_are_verified_and_read(livekit):
    server, adapter = livekit
    who = _joined(server)
    body, auth = server.signed(
        lk_event(
            "participant_joined", ROOM, event_id="EV_1", created_at=1_700_000_000, participant=who
        )
    )
    notice = adapter.verify_webhook(body, auth)
    assert notice.kind is StreamNoticeKind.PARTICIPANT_JOINED
    assert (notice.event_ref, notice.room) == ("EV_1", ROOM)
    assert notice.at.timestamp() == 1_700_000_000
    assert notice.participant is not None
    assert (notice.participant.sid, notice.participant.identity) == (who.sid, "user-1")
    assert not notice.participant.is_publisher
    host = _joined(server, publisher=True)
    body, auth = server.signed(
        lk_event("participant_left", ROOM, event_id="EV_2", created_at=1, participant=host)
    )
    assert adapter.verify_webhook(body, f"Bearer {auth}").participant.is_publisher
    body, auth = server.signed(lk_event("track_published", ROOM, event_id="EV_3", created_at=1))
    assert adapter.verify_webhook(body, auth).kind is StreamNoticeKind.IGNORED


async def test_webhooks_with_a_bad_signature_are_refused(livekit):
    server, adapter = livekit
    event = lk_event("room_started", ROOM, event_id="EV_1", created_at=1)
    body, auth = server.signed(event, secret="not-the-secret-0123456789-0123456789")
    with pytest.raises(InvalidWebhookSignature):
        adapter.verify_webhook(body, auth)
    body, auth = server.signed(event)
    with pytest.raises(InvalidWebhookSignature):
        adapter.verify_webhook(body.replace(b"room_started", b"room_finished"), auth)
    with pytest.raises(InvalidWebhookSignature):
        adapter.verify_webhook(body, None)
