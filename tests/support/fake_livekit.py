"""A local stand-in for LiveKit's server API and LiveKit's webhook signing, for tests that must
not reach the network (no LiveKit server can be installed here).

The server speaks Twirp as LiveKit does: `POST /twirp/livekit.<Service>/<Method>` with a
protobuf body (or JSON with `Content-Type: application/json`), a Bearer token signed with the
API secret whose video grants must allow the call, answers in the request's encoding, and
errors as Twirp JSON (`{"code": "not_found", "msg": ...}`). It keeps rooms, participants,
ingresses and egresses (recordings) in memory and records every call.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from google.protobuf import json_format
from google.protobuf.message import Message
from livekit.api import AccessToken, TokenVerifier
from livekit.protocol import egress as proto_egress
from livekit.protocol import ingress as proto_ingress
from livekit.protocol import models
from livekit.protocol import room as proto_room
from livekit.protocol.webhook import WebhookEvent

API_KEY = "lk-test-key"
API_SECRET = "lk-test-secret-that-is-long-enough-0123456789"


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    request: Message
    identity_grants: dict[str, Any]


class TwirpFailure(Exception):
    def __init__(self, status: int, code: str, msg: str) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


@dataclass
class FakeLiveKit:
    api_key: str = API_KEY
    api_secret: str = API_SECRET
    url: str = ""
    rooms: dict[str, models.Room] = field(default_factory=dict)
    participants: dict[str, list[models.ParticipantInfo]] = field(default_factory=dict)
    ingresses: list[proto_ingress.IngressInfo] = field(default_factory=list)
    egresses: dict[str, proto_egress.EgressInfo] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    fail_with: tuple[int, str] | None = None
    """(HTTP status, Twirp code) for every call while set."""
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    def join(self, room: str, identity: str, *, publisher: bool = False) -> models.ParticipantInfo:
        """Someone connects to a room (the test plays LiveKit's part)."""
        n = next(self._ids)
        info = models.ParticipantInfo(
            sid=f"PA_fake{n}",
            identity=identity,
            joined_at=int(time.time()),
            permission=models.ParticipantPermission(
                can_subscribe=True, can_publish=publisher, can_publish_data=True
            ),
        )
        self.participants.setdefault(room, []).append(info)
        return info

    def finish_egress(
        self, egress_id: str, *, failed: str | None = None
    ) -> proto_egress.EgressInfo:
        """The egress wrote (or failed to write) its file: the EgressInfo of `egress_ended`."""
        info = self.egresses[egress_id]
        now = time.time_ns()
        info.status = (
            proto_egress.EgressStatus.EGRESS_FAILED
            if failed
            else proto_egress.EgressStatus.EGRESS_COMPLETE
        )
        info.ended_at = now
        if failed:
            info.error = failed
        else:
            output = info.room_composite.file_outputs[0]
            del info.file_results[:]
            info.file_results.append(
                proto_egress.FileInfo(
                    filename=output.filepath,
                    started_at=info.started_at,
                    ended_at=now,
                    duration=now - info.started_at,
                    size=4_096_000,
                    location=f"https://{output.s3.bucket}.s3.amazonaws.com/{output.filepath}",
                )
            )
        return info

    # -- the Twirp methods -------------------------------------------------------------

    def _handle(self, service: str, method: str, body: Message, grants: Any) -> Message:
        if self.fail_with is not None:
            raise TwirpFailure(self.fail_with[0], self.fail_with[1], "injected failure")
        if service == "RoomService" and method == "CreateRoom":
            self._need(grants.room_create, "room_create")
            assert isinstance(body, proto_room.CreateRoomRequest)
            room = self.rooms.setdefault(
                body.name,
                models.Room(
                    sid=f"RM_fake{next(self._ids)}",
                    name=body.name,
                    empty_timeout=body.empty_timeout,
                    creation_time=int(time.time()),
                ),
            )
            return room
        if service == "RoomService" and method == "DeleteRoom":
            self._need(grants.room_create, "room_create")
            assert isinstance(body, proto_room.DeleteRoomRequest)
            if body.room not in self.rooms:
                raise TwirpFailure(404, "not_found", "requested room does not exist")
            del self.rooms[body.room]
            self.participants.pop(body.room, None)
            return proto_room.DeleteRoomResponse()
        if service == "RoomService" and method == "ListParticipants":
            assert isinstance(body, proto_room.ListParticipantsRequest)
            self._need(grants.room_admin and grants.room == body.room, "room_admin")
            if body.room not in self.rooms:
                raise TwirpFailure(404, "not_found", "requested room does not exist")
            return proto_room.ListParticipantsResponse(
                participants=self.participants.get(body.room, [])
            )
        if service == "RoomService" and method == "RemoveParticipant":
            assert isinstance(body, proto_room.RoomParticipantIdentity)
            self._need(grants.room_admin and grants.room == body.room, "room_admin")
            present = self.participants.get(body.room, [])
            kept = [p for p in present if p.identity != body.identity]
            if len(kept) == len(present):
                raise TwirpFailure(404, "not_found", "participant not found")
            self.participants[body.room] = kept
            return proto_room.RemoveParticipantResponse()
        if service == "Ingress" and method == "CreateIngress":
            self._need(grants.ingress_admin, "ingress_admin")
            assert isinstance(body, proto_ingress.CreateIngressRequest)
            n = next(self._ids)
            whip = body.input_type == proto_ingress.IngressInput.WHIP_INPUT
            info = proto_ingress.IngressInfo(
                ingress_id=f"IN_fake{n}",
                name=body.name,
                stream_key=f"sk_fake{n}",
                url="http://127.0.0.1:8080/w" if whip else "rtmp://127.0.0.1:1935/x",
                input_type=body.input_type,
                room_name=body.room_name,
                participant_identity=body.participant_identity,
                participant_name=body.participant_name,
            )
            self.ingresses.append(info)
            return info
        if service == "Egress":
            self._need(grants.room_record, "room_record")
            return self._egress(method, body)
        raise TwirpFailure(404, "bad_route", f"no handler for {service}/{method}")

    def _egress(self, method: str, body: Message) -> Message:
        if method == "StartRoomCompositeEgress":
            assert isinstance(body, proto_egress.RoomCompositeEgressRequest)
            if body.room_name not in self.rooms:
                raise TwirpFailure(404, "not_found", "requested room does not exist")
            info = proto_egress.EgressInfo(
                egress_id=f"EG_fake{next(self._ids)}",
                room_id=self.rooms[body.room_name].sid,
                room_name=body.room_name,
                status=proto_egress.EgressStatus.EGRESS_STARTING,
                started_at=time.time_ns(),
                room_composite=body,
            )
            self.egresses[info.egress_id] = info
            return info
        if method == "StopEgress":
            assert isinstance(body, proto_egress.StopEgressRequest)
            info = self.egresses.get(body.egress_id)
            if info is None:
                raise TwirpFailure(404, "not_found", "egress not found")
            if info.status not in (
                proto_egress.EgressStatus.EGRESS_STARTING,
                proto_egress.EgressStatus.EGRESS_ACTIVE,
            ):
                raise TwirpFailure(412, "failed_precondition", "egress is not active")
            info.status = proto_egress.EgressStatus.EGRESS_ENDING
            return info
        if method == "ListEgress":
            assert isinstance(body, proto_egress.ListEgressRequest)
            return proto_egress.ListEgressResponse(
                items=[
                    e
                    for e in self.egresses.values()
                    if not body.room_name or e.room_name == body.room_name
                ]
            )
        raise TwirpFailure(404, "bad_route", f"no handler for Egress/{method}")

    @staticmethod
    def _need(granted: Any, what: str) -> None:
        if not granted:
            raise TwirpFailure(401, "unauthenticated", f"permissions denied: needs {what}")

    async def _twirp(self, request: web.Request) -> web.Response:
        service = request.match_info["service"]
        method = request.match_info["method"]
        kinds = REQUESTS.get((service, method))
        if kinds is None:
            return _error(TwirpFailure(404, "bad_route", f"no such method {service}/{method}"))
        auth = request.headers.get("Authorization", "")
        try:
            claims = TokenVerifier(self.api_key, self.api_secret).verify(
                auth.removeprefix("Bearer ")
            )
        except Exception:
            return _error(TwirpFailure(401, "unauthenticated", "invalid token"))
        raw = await request.read()
        as_json = request.content_type == "application/json"
        body = kinds()
        if as_json:
            json_format.Parse(raw.decode(), body)
        else:
            body.ParseFromString(raw)
        self.calls.append(Call(service, method, body, vars(claims.video or {})))
        try:
            answer = self._handle(service, method, body, claims.video)
        except TwirpFailure as failure:
            return _error(failure)
        if as_json:
            return web.Response(
                text=json_format.MessageToJson(answer), content_type="application/json"
            )
        return web.Response(body=answer.SerializeToString(), content_type="application/protobuf")

    # -- webhooks ----------------------------------------------------------------------

    def signed(self, event: WebhookEvent, *, secret: str | None = None) -> tuple[bytes, str]:
        """The body and `Authorization` header LiveKit would send for `event`."""
        body = json_format.MessageToJson(event).encode()
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        token = AccessToken(self.api_key, secret or self.api_secret).with_sha256(digest).to_jwt()
        return body, token


REQUESTS: dict[tuple[str, str], type[Message]] = {
    ("RoomService", "CreateRoom"): proto_room.CreateRoomRequest,
    ("RoomService", "DeleteRoom"): proto_room.DeleteRoomRequest,
    ("RoomService", "ListParticipants"): proto_room.ListParticipantsRequest,
    ("RoomService", "RemoveParticipant"): proto_room.RoomParticipantIdentity,
    ("Ingress", "CreateIngress"): proto_ingress.CreateIngressRequest,
    ("Egress", "StartRoomCompositeEgress"): proto_egress.RoomCompositeEgressRequest,
    ("Egress", "StopEgress"): proto_egress.StopEgressRequest,
    ("Egress", "ListEgress"): proto_egress.ListEgressRequest,
}


def _error(failure: TwirpFailure) -> web.Response:
    return web.json_response({"code": failure.code, "msg": failure.msg}, status=failure.status)


@asynccontextmanager
async def fake_livekit(**kwargs: Any) -> AsyncIterator[FakeLiveKit]:
    """A running fake on a free local port; `fake.url` is its `http://127.0.0.1:<port>`.

    It serves from its own thread and event loop, so it answers even while the test's loop
    is blocked (an app under `AsyncTestClient` runs on another loop that the test may wait
    on synchronously)."""
    fake = FakeLiveKit(**kwargs)
    loop = asyncio.new_event_loop()
    runner: list[web.AppRunner] = []
    ready = threading.Event()

    async def setup() -> None:
        app = web.Application()
        app.router.add_post("/twirp/livekit.{service}/{method}", fake._twirp)
        runner.append(web.AppRunner(app))
        await runner[0].setup()
        site = web.TCPSite(runner[0], "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        fake.url = f"http://127.0.0.1:{port}"

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(setup())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="fake-livekit", daemon=True)
    thread.start()
    assert ready.wait(10), "the fake LiveKit did not start"
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(runner[0].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def webhook_event(
    kind: str,
    room: str,
    *,
    event_id: str,
    created_at: int,
    participant: models.ParticipantInfo | None = None,
    egress: proto_egress.EgressInfo | None = None,
    ingress: proto_ingress.IngressInfo | None = None,
) -> WebhookEvent:
    """As LiveKit sends them: egress and ingress events carry their info and no room."""
    event = WebhookEvent(event=kind, id=event_id, created_at=created_at)
    if egress is None and ingress is None:
        event.room.CopyFrom(models.Room(name=room))
    if participant is not None:
        event.participant.CopyFrom(participant)
    if egress is not None:
        event.egress_info.CopyFrom(egress)
    if ingress is not None:
        event.ingress_info.CopyFrom(ingress)
    return event
