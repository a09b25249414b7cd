"""The sockets this process holds, by user, each with its own bounded send queue.

Pushing never awaits a client: a frame goes into the socket's queue and the socket's writer
task sends it. A client that falls `queue_size` frames behind is cut off (close code 1013,
"try again later") rather than allowed to hold memory or stall anyone else; when it
reconnects, `connected` brings its unread count up to date and the inbox has everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

log = logging.getLogger(__name__)

TOO_SLOW = 1013
Send = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]


class Connection:
    """One open socket. Frames offered before `start` wait, so `connected` always goes first."""

    def __init__(self, user_id: UUID, send: Send, close: Close, queue_size: int) -> None:
        self.user_id = user_id
        self._send = send
        self._close = close
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self._early: list[str] = []
        self._writer: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.close_code: int | None = None

    def start(self, first: str) -> None:
        self._writer = asyncio.create_task(self._write(first), name=f"ws-{self.user_id}")

    def offer(self, text: str) -> bool:
        """Queue a frame; False (and the socket is being dropped) when the client is too slow."""
        if self.closed.is_set():
            return False
        if self._writer is None:
            self._early.append(text)
            return True
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            log.info("dropping a socket of %s: %d frames behind", self.user_id, self._queue.qsize())
            asyncio.get_running_loop().create_task(self.shut(TOO_SLOW, "too slow"))
            return False
        return True

    async def shut(self, code: int, reason: str) -> None:
        """Close the socket (once) and stop writing."""
        if self.closed.is_set():
            return
        self.closed.set()
        self.close_code = code
        if self._writer is not None and self._writer is not asyncio.current_task():
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._close(code, reason), timeout=5)

    async def _write(self, first: str) -> None:
        try:
            await self._send(first)
            for text in self._early:
                await self._send(text)
            self._early.clear()
            while True:
                await self._send(await self._queue.get())
        except asyncio.CancelledError:
            raise
        except Exception:  # the client went away: the reader notices and unregisters
            self.closed.set()


class SocketHub:
    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self._by_user: dict[UUID, set[Connection]] = {}

    def open(self, user_id: UUID, send: Send, close: Close) -> Connection:
        connection = Connection(user_id, send, close, self.queue_size)
        self._by_user.setdefault(user_id, set()).add(connection)
        return connection

    def forget(self, connection: Connection) -> None:
        held = self._by_user.get(connection.user_id)
        if held is not None:
            held.discard(connection)
            if not held:
                del self._by_user[connection.user_id]

    def users(self) -> list[UUID]:
        return list(self._by_user)

    def holds(self, user_id: UUID) -> bool:
        return user_id in self._by_user

    def push(self, user_id: UUID, text: str) -> int:
        """Offer `text` to every socket of `user_id` here; how many took it."""
        return sum(c.offer(text) for c in list(self._by_user.get(user_id, ())))

    def socket_count(self) -> int:
        return sum(len(held) for held in self._by_user.values())

    async def close_all(self, code: int = 1001, reason: str = "server shutting down") -> None:
        connections = [c for held in self._by_user.values() for c in held]
        await asyncio.gather(*(c.shut(code, reason) for c in connections))
        self._by_user.clear()
