"""The `/notifications` WebSocket route: Litestar's socket adapted to the gateway session.

It shares its path with `GET /notifications` (HTTP), and is left out of the bearer-token
middleware: the session checks the token itself after accepting, to close with 4401."""

from __future__ import annotations

from typing import cast

from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.types import Send

from showgeo_api.gateway.session import Disconnected, Gateway

RAW_SEND = "showgeo.raw_send"
"""Scope key of the server's own `send` (set by `showgeo_api.asgi.ServerSend`)."""


class LitestarSocket:
    def __init__(self, socket: WebSocket) -> None:  # type: ignore[type-arg]
        self._socket = socket
        raw = cast("Send | None", socket.scope.get(RAW_SEND))
        self._send: Send = raw or socket.send

    async def receive(self) -> str:
        try:
            return await self._socket.receive_text()
        except WebSocketDisconnect as exc:
            raise Disconnected from exc

    async def send(self, text: str) -> None:
        """The ASGI event itself, to the server's own `send` when the entry point provided it
        (a frame is neither an accept nor a close, which is all Litestar's wrappers watch):
        a burst sends one per socket (docs/benchmarks.md)."""
        await self._send({"type": "websocket.send", "bytes": None, "text": text})

    async def close(self, code: int, reason: str) -> None:
        await self._socket.close(code=code, reason=reason)


@websocket("/notifications", opt={"exclude_from_auth": True})
async def notifications_socket(
    socket: WebSocket,  # type: ignore[type-arg]
    gateway: NamedDependency[Gateway],
) -> None:
    await socket.accept()
    await gateway.serve(LitestarSocket(socket), socket.query_params.get("token"))
