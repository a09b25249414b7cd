"""`MediaServer` on LiveKit.

Tokens and webhook checks are local crypto and always work. Room calls (RoomService, Ingress,
Egress) go over HTTP to `url` only when `manage_rooms` is on; otherwise (the embedded
default: dev keys, no server) each is skipped with a log line, so the platform runs without a
media server and clients still get tokens they can use against `livekit-server --dev`.
Recording is a room-composite egress to an MP4 file in an S3 bucket, when `recording` says
which bucket.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import aiohttp
from livekit.api import LiveKitAPI, TwirpError
from livekit.protocol.egress import (
    EncodedFileOutput,
    EncodedFileType,
    RoomCompositeEgressRequest,
    S3Upload,
    StopEgressRequest,
)
from livekit.protocol.ingress import CreateIngressRequest, IngressInput
from livekit.protocol.room import (
    CreateRoomRequest,
    DeleteRoomRequest,
    ListParticipantsRequest,
    RoomParticipantIdentity,
)

from showgeo_adapters.livekit.tokens import issue_token
from showgeo_adapters.livekit.webhooks import LiveKitWebhooks, participant_of, recording_of
from showgeo_domain.streaming.errors import MediaServerUnavailable
from showgeo_domain.streaming.model import RecordingReport
from showgeo_domain.streaming.ports import (
    Ingress,
    IngressProtocol,
    Participant,
    StreamNotice,
    TokenRequest,
)

log = logging.getLogger("showgeo.livekit")

T = TypeVar("T")

EMPTY_TIMEOUT_SECONDS = 600
"""A room nobody is in closes after this long (hosts may step away mid-show)."""

_INPUTS = {
    IngressProtocol.RTMP: IngressInput.RTMP_INPUT,
    IngressProtocol.WHIP: IngressInput.WHIP_INPUT,
}


@dataclass(frozen=True)
class S3Recording:
    """Where LiveKit's egress uploads recordings. Empty keys: the egress server's own
    credentials (its environment or instance role)."""

    bucket: str
    prefix: str = "recordings"
    region: str = ""
    endpoint: str = ""
    access_key: str = ""
    secret: str = field(default="", repr=False)
    force_path_style: bool = False

    def filepath(self, name: str) -> str:
        return f"{self.prefix.strip('/')}/{name}" if self.prefix.strip("/") else name

    def upload(self) -> S3Upload:
        return S3Upload(
            bucket=self.bucket,
            region=self.region,
            endpoint=self.endpoint,
            access_key=self.access_key,
            secret=self.secret,
            force_path_style=self.force_path_style,
        )


class LiveKitMedia:
    name = "livekit"

    def __init__(
        self,
        url: str,
        api_key: str,
        api_secret: str,
        *,
        manage_rooms: bool = True,
        api_url: str | None = None,
        timeout_seconds: float = 10.0,
        recording: S3Recording | None = None,
    ) -> None:
        """`url` is what clients connect to; `api_url` (default: the same) is where the
        server-side API is called, for deployments that reach LiveKit on a private address."""
        self.url = url
        self._api_url = api_url or url
        self._key = api_key
        self._secret = api_secret
        self.manage_rooms = manage_rooms
        self._timeout = timeout_seconds
        self._webhooks = LiveKitWebhooks(api_key, api_secret)
        self._api: LiveKitAPI | None = None
        self._recording = recording

    @property
    def records(self) -> bool:
        return self.manage_rooms and self._recording is not None

    def issue_token(self, request: TokenRequest) -> str:
        return issue_token(self._key, self._secret, request)

    def verify_webhook(self, body: bytes, authorization: str | None) -> StreamNotice:
        return self._webhooks.verify(body, authorization, datetime.now(UTC))

    async def create_room(self, room: str) -> None:
        if not self._skipped("create room", room):
            await self._call(
                lambda api: api.room.create_room(
                    CreateRoomRequest(name=room, empty_timeout=EMPTY_TIMEOUT_SECONDS)
                ),
                "create room",
            )

    async def list_participants(self, room: str) -> list[Participant] | None:
        if self._skipped("list participants", room, level=logging.DEBUG):  # every reconcile
            return None
        found = await self._call(
            lambda api: api.room.list_participants(ListParticipantsRequest(room=room)),
            "list participants",
            missing_ok=True,
        )
        if found is None:
            return []  # no such room: nobody in it
        return [participant_of(p) for p in found.participants]

    async def remove_participant(self, room: str, identity: str) -> None:
        if not self._skipped("remove participant", room):
            await self._call(
                lambda api: api.room.remove_participant(
                    RoomParticipantIdentity(room=room, identity=identity)
                ),
                "remove participant",
                missing_ok=True,
            )

    async def delete_room(self, room: str) -> None:
        if not self._skipped("delete room", room):
            await self._call(
                lambda api: api.room.delete_room(DeleteRoomRequest(room=room)),
                "delete room",
                missing_ok=True,
            )

    async def create_ingress(
        self, room: str, identity: str, name: str, protocol: IngressProtocol
    ) -> Ingress:
        if not self.manage_rooms:
            log.info("no media server configured: refused to create ingress for %s", room)
            raise MediaServerUnavailable(
                "ingress needs a LiveKit server: set LIVEKIT_URL, LIVEKIT_API_KEY and "
                "LIVEKIT_API_SECRET"
            )
        info = await self._call(
            lambda api: api.ingress.create_ingress(
                CreateIngressRequest(
                    input_type=_INPUTS[protocol],
                    name=name,
                    room_name=room,
                    participant_identity=identity,
                    participant_name=name,
                )
            ),
            "create ingress",
        )
        assert info is not None  # missing_ok is off: a 404 raised
        return Ingress(info.ingress_id, info.url, info.stream_key)

    async def start_recording(self, room: str, filepath: str) -> RecordingReport | None:
        storage = self._recording
        if storage is None or self._skipped("start recording", room):
            return None
        info = await self._call(
            lambda api: api.egress.start_room_composite_egress(
                RoomCompositeEgressRequest(
                    room_name=room,
                    layout="speaker",
                    file_outputs=[
                        EncodedFileOutput(
                            file_type=EncodedFileType.MP4,
                            filepath=storage.filepath(filepath),
                            s3=storage.upload(),
                        )
                    ],
                )
            ),
            "start recording",
        )
        assert info is not None  # missing_ok is off: a 404 raised
        return recording_of(info)

    async def stop_recording(self, egress_id: str) -> RecordingReport | None:
        if not self.manage_rooms:
            return None
        info = await self._call(
            lambda api: api.egress.stop_egress(StopEgressRequest(egress_id=egress_id)),
            "stop recording",
            missing_ok=True,
        )
        return recording_of(info) if info is not None else None

    async def aclose(self) -> None:
        if self._api is not None:
            await self._api.aclose()
            self._api = None

    def _client(self) -> LiveKitAPI:
        """Created on first use: `LiveKitAPI` opens an aiohttp session, which needs the
        running loop."""
        if self._api is None:
            self._api = LiveKitAPI(
                self._api_url,
                self._key,
                self._secret,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            )
        return self._api

    def _skipped(self, what: str, room: str, *, level: int = logging.INFO) -> bool:
        if not self.manage_rooms:
            log.log(level, "no media server configured: skipped %s for %s", what, room)
        return not self.manage_rooms

    async def _call(
        self, call: Callable[[LiveKitAPI], Awaitable[T]], what: str, *, missing_ok: bool = False
    ) -> T | None:
        """The call's answer; None when the room or participant is missing and that is
        fine. Failures become MediaServerUnavailable."""
        try:
            return await call(self._client())
        except TwirpError as exc:
            # 404: no such room, participant or egress; 412 (failed_precondition): an egress
            # that already ended
            if missing_ok and exc.status in (404, 412):
                return None
            raise MediaServerUnavailable(f"LiveKit refused to {what}: {exc.message}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise MediaServerUnavailable(f"LiveKit could not be reached to {what}") from exc
