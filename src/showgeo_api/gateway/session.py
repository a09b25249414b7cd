"""One `/notifications` socket from accept to close: the protocol of ARCHITECTURE.md §5.

The token comes in the query (browsers cannot set headers on a WebSocket handshake) and is
checked after accepting, so a refused client sees close code 4401 rather than a failed
handshake. The socket ends when the token expires unless the client sends a fresh one
(`auth` {token}, answered by `authenticated` {expires_at}); it also ends when the client has
been silent for `idle_timeout` seconds, which is how dead connections are found: clients
send `ping` (answered by `pong`) every 30 s or so.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Protocol

import msgspec

from showgeo_api.gateway import frames
from showgeo_api.gateway.hub import Connection, SocketHub
from showgeo_domain.identity.errors import InvalidAccessToken
from showgeo_domain.identity.model import Actor
from showgeo_domain.identity.services import Authentication
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import DomainError

log = logging.getLogger(__name__)

UNAUTHORIZED = 4401
IDLE = 4408
_decode_frame = msgspec.json.Decoder(frames.ClientFrame)


class Disconnected(Exception):
    """The client closed the socket."""


class Socket(Protocol):
    """What the session needs from a WebSocket (Litestar's, adapted in `socket_route.py`)."""

    async def receive(self) -> str: ...

    async def send(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


class Gateway:
    def __init__(
        self,
        hub: SocketHub,
        authentication: Authentication,
        notifications: Notifications,
        clock: Clock,
        idle_timeout: float = 90.0,
    ) -> None:
        self.hub = hub
        self._authentication = authentication
        self._notifications = notifications
        self._clock = clock
        self._idle_timeout = idle_timeout

    async def serve(self, socket: Socket, token: str | None) -> None:
        try:
            actor, expires_at = self._authentication.authenticate_until(token or "")
        except InvalidAccessToken as exc:
            await socket.close(UNAUTHORIZED, str(exc)[:120] or "invalid token")
            return
        connection = self.hub.open(actor.user_id, socket.send, socket.close)
        try:
            count = await self._notifications.unread_count(actor)
            connection.start(frames.connected(actor.user_id, count, expires_at))
            await self._converse(socket, connection, actor, expires_at)
        except Disconnected:
            pass
        finally:
            self.hub.forget(connection)
            await connection.shut(1000, "bye")

    async def _converse(
        self, socket: Socket, connection: Connection, actor: Actor, expires_at: datetime
    ) -> None:
        while not connection.closed.is_set():
            left = (expires_at - self._clock.now()).total_seconds()
            if left <= 0:
                await connection.shut(UNAUTHORIZED, "token expired")
                return
            try:
                text = await asyncio.wait_for(socket.receive(), min(left, self._idle_timeout))
            except TimeoutError:
                if (expires_at - self._clock.now()).total_seconds() > 0:
                    await connection.shut(IDLE, f"silent for {self._idle_timeout:g} s")
                    return
                continue  # the expiry check above closes it
            expires_at = await self._answer(connection, actor, expires_at, text)

    async def _answer(
        self, connection: Connection, actor: Actor, expires_at: datetime, text: str
    ) -> datetime:
        """Handle one client frame; returns the (possibly extended) token expiry."""
        try:
            message = _decode_frame.decode(text)
        except msgspec.DecodeError as exc:
            connection.offer(frames.error("bad_frame", str(exc)))
            return expires_at
        try:
            match message.event:
                case "ping":
                    connection.offer(frames.frame("pong", {}))
                case "mark_read":
                    ids = msgspec.convert(message.data, frames.MarkRead).ids
                    await self._notifications.mark_read(actor, ids)
                    await self._send_count(actor)
                case "mark_all_read":
                    await self._notifications.mark_all_read(actor)
                    await self._send_count(actor)
                case "auth":
                    token = msgspec.convert(message.data, frames.Reauthenticate).token
                    return self._reauthenticate(connection, actor, expires_at, token)
                case other:
                    connection.offer(frames.error("unknown_event", f"no such event: {other}"))
        except msgspec.ValidationError as exc:
            connection.offer(frames.error("bad_frame", str(exc)))
        except DomainError as exc:
            connection.offer(frames.error(exc.code, str(exc)))
        return expires_at

    async def _send_count(self, actor: Actor) -> None:
        """This process's sockets of the user at once; other processes hear of the read
        through the bus (and these sockets get the same count again then)."""
        self.hub.push(
            actor.user_id, frames.unread_count(await self._notifications.unread_count(actor))
        )

    def _reauthenticate(
        self, connection: Connection, actor: Actor, expires_at: datetime, token: str
    ) -> datetime:
        try:
            fresh, until = self._authentication.authenticate_until(token)
        except InvalidAccessToken as exc:
            connection.offer(frames.error("invalid_token", str(exc)))
            return expires_at
        if fresh.user_id != actor.user_id:
            connection.offer(frames.error("wrong_user", "the token is for another user"))
            return expires_at
        connection.offer(frames.frame("authenticated", {"expires_at": until}))
        return max(until, expires_at)
