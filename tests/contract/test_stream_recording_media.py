"""Recording through the `MediaServer` port: the memory fake and the LiveKit adapter (Egress
over Twirp, against the local fake LiveKit) start and stop a room-composite recording alike;
LiveKit's egress and ingress webhooks are read into the domain's reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from livekit.protocol import egress as proto_egress
from livekit.protocol import ingress as proto_ingress

from showgeo_adapters.livekit import LiveKitMedia
from showgeo_adapters.livekit.media import S3Recording
from showgeo_adapters.memory.media import MemoryMedia
from showgeo_domain.streaming.errors import MediaServerUnavailable
from showgeo_domain.streaming.model import IngressStatus, RecordingStatus
from showgeo_domain.streaming.ports import MediaServer, StreamNoticeKind
from tests.support.fake_livekit import API_KEY, API_SECRET, FakeLiveKit, fake_livekit
from tests.support.fake_livekit import webhook_event as lk_event

ROOM = "showgeo-event-3f1c4a52-8f1e-4a43-9d7e-6f1b2b4c9a10"
STORAGE = S3Recording(
    bucket="show-recordings",
    prefix="recordings",
    region="eu-west-1",
    access_key="AKIA-test",
    secret="s3-secret-test",
)


@dataclass
class Recorder:
    server: MediaServer
    fake: FakeLiveKit | None = None


@pytest.fixture(params=["memory", "livekit"])
async def recorder(request: pytest.FixtureRequest) -> AsyncIterator[Recorder]:
    if request.param == "memory":
        yield Recorder(MemoryMedia(records=True))
        return
    async with fake_livekit() as fake:
        adapter = LiveKitMedia(
            "wss://live.example.test", API_KEY, API_SECRET, api_url=fake.url, recording=STORAGE
        )
        try:
            yield Recorder(adapter, fake)
        finally:
            await adapter.aclose()


async def test_a_recording_starts_and_stops_once(recorder: Recorder) -> None:
    media = recorder.server
    assert media.records
    await media.create_room(ROOM)
    started = await media.start_recording(ROOM, "event-1/20261204T210000Z.mp4")
    assert started is not None
    assert started.egress_id
    assert started.status is RecordingStatus.STARTING
    assert started.room == ROOM
    assert started.location is None  # known once the file is written
    stopping = await media.stop_recording(started.egress_id)
    assert stopping is not None
    assert stopping.egress_id == started.egress_id
    assert stopping.status is RecordingStatus.ENDING
    assert await media.stop_recording(started.egress_id) is None  # already ending
    assert await media.stop_recording("EG_unknown") is None


async def test_without_storage_nothing_is_recorded() -> None:
    memory = MemoryMedia()
    assert not memory.records
    assert await memory.start_recording(ROOM, "x.mp4") is None
    async with fake_livekit() as fake:
        no_bucket = LiveKitMedia("wss://x", API_KEY, API_SECRET, api_url=fake.url)
        unmanaged = LiveKitMedia(
            "wss://x", API_KEY, API_SECRET, api_url=fake.url, manage_rooms=False, recording=STORAGE
        )
        try:
            assert not no_bucket.records
            assert not unmanaged.records
            assert await no_bucket.start_recording(ROOM, "x.mp4") is None
            assert await unmanaged.start_recording(ROOM, "x.mp4") is None
            assert await unmanaged.stop_recording("EG_1") is None
            assert fake.calls == []
        finally:
            await no_bucket.aclose()
            await unmanaged.aclose()


async def test_livekit_gets_a_room_composite_mp4_to_the_bucket_with_record_grants() -> None:
    async with fake_livekit() as fake:
        adapter = LiveKitMedia("wss://x", API_KEY, API_SECRET, api_url=fake.url, recording=STORAGE)
        try:
            await adapter.create_room(ROOM)
            started = await adapter.start_recording(ROOM, "event-1/20261204T210000Z.mp4")
            assert started is not None
            call = fake.calls[-1]
            assert (call.service, call.method) == ("Egress", "StartRoomCompositeEgress")
            assert call.identity_grants["room_record"] is True
            request = call.request
            assert isinstance(request, proto_egress.RoomCompositeEgressRequest)
            assert request.room_name == ROOM
            output = request.file_outputs[0]
            assert output.file_type == proto_egress.EncodedFileType.MP4
            assert output.filepath == "recordings/event-1/20261204T210000Z.mp4"
            assert (output.s3.bucket, output.s3.region) == ("show-recordings", "eu-west-1")
            assert (output.s3.access_key, output.s3.secret) == ("AKIA-test", "s3-secret-test")
            assert started.started_at is not None
            assert started.started_at.year >= 2024  # nanoseconds read as such

            fake.fail_with = (503, "unavailable")
            with pytest.raises(MediaServerUnavailable):
                await adapter.start_recording(ROOM, "again.mp4")
        finally:
            await adapter.aclose()
    assert "s3-secret-test" not in repr(STORAGE)


async def test_egress_webhooks_carry_the_recording() -> None:
    async with fake_livekit() as fake:
        adapter = LiveKitMedia("wss://x", API_KEY, API_SECRET, api_url=fake.url, recording=STORAGE)
        try:
            await adapter.create_room(ROOM)
            started = await adapter.start_recording(ROOM, "event-1/a.mp4")
            assert started is not None
            ended = fake.finish_egress(started.egress_id)
            body, auth = fake.signed(
                lk_event(
                    "egress_ended", ROOM, event_id="EV_e1", created_at=1_800_000_000, egress=ended
                )
            )
            notice = adapter.verify_webhook(body, auth)
            assert notice.kind is StreamNoticeKind.EGRESS_ENDED
            assert notice.room == ROOM  # from the egress info: egress events carry no room
            report = notice.recording
            assert report is not None
            assert report.egress_id == started.egress_id
            assert report.status is RecordingStatus.COMPLETE
            assert report.location == (
                "https://show-recordings.s3.amazonaws.com/recordings/event-1/a.mp4"
            )
            assert report.size_bytes == 4_096_000
            assert report.duration_seconds is not None
            assert report.duration_seconds >= 0
            assert report.ended_at is not None

            failed = fake.finish_egress(started.egress_id, failed="upload refused")
            body, auth = fake.signed(
                lk_event("egress_ended", ROOM, event_id="EV_e2", created_at=1, egress=failed)
            )
            report = adapter.verify_webhook(body, auth).recording
            assert report is not None
            assert report.status is RecordingStatus.FAILED
            assert report.error == "upload refused"
        finally:
            await adapter.aclose()


async def test_ingress_webhooks_carry_the_encoders_state() -> None:
    async with fake_livekit() as fake:
        adapter = LiveKitMedia("wss://x", API_KEY, API_SECRET, api_url=fake.url)
        info = proto_ingress.IngressInfo(
            ingress_id="IN_1",
            name="Moonrise",
            room_name=ROOM,
            input_type=proto_ingress.IngressInput.RTMP_INPUT,
            state=proto_ingress.IngressState(
                status=proto_ingress.IngressState.ENDPOINT_PUBLISHING,
                started_at=1_800_000_000_000_000_000,
            ),
        )
        body, auth = fake.signed(
            lk_event("ingress_started", ROOM, event_id="EV_i1", created_at=1, ingress=info)
        )
        notice = adapter.verify_webhook(body, auth)
        assert notice.kind is StreamNoticeKind.INGRESS_STARTED
        assert notice.room == ROOM
        report = notice.ingress
        assert report is not None
        assert (report.ingress_id, report.protocol, report.name) == ("IN_1", "RTMP", "Moonrise")
        assert report.status is IngressStatus.PUBLISHING
        assert report.started_at is not None
        assert report.started_at.timestamp() == 1_800_000_000
        info.state.status = proto_ingress.IngressState.ENDPOINT_ERROR
        info.state.error = "bad codec"
        body, auth = fake.signed(
            lk_event("ingress_ended", ROOM, event_id="EV_i2", created_at=2, ingress=info)
        )
        ended = adapter.verify_webhook(body, auth).ingress
        assert ended is not None
        assert (ended.status, ended.error) == (IngressStatus.ERROR, "bad codec")
        await adapter.aclose()
