"""The sockets this process holds, by user; a writer task and a bounded queue only for a
socket that is behind.

Pushing never awaits a client. A frame for a socket that is keeping up is sent at once, in
the pusher's own step (`eager.start`): a healthy socket's send only puts bytes in its
transport's buffer, so a burst to 10,000 sockets is one pass with no task per socket (a task
per socket was most of a burst's time: docs/benchmarks.md). Only when a send has to wait
(the client reads slowly and the transport pushes back) does that socket get a writer task,
and frames for it wait in its queue, in order, until it catches up; then it is back on the
direct path. A client that falls `queue_size` frames behind is cut off (close code 1013,
"try again later") rather than allowed to hold memory or stall anyone else; when it
reconnects, `connected` brings its unread count up to date and the inbox has everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from uuid import UUID

from showgeo_api.gateway import eager
from showgeo_api.gateway.metrics import (
    FRAMES_DROPPED,
    FRAMES_SENT,
    OPEN_SOCKETS,
    SLOW_SOCKETS_CLOSED,
)

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
        self._queue_size = queue_size
        self._backlog: deque[str] = deque()
        self._early: list[str] | None = []  # None once started
        self._writer: asyncio.Task[None] | None = None  # only while the socket is behind
        self.closed = asyncio.Event()
        self.close_code: int | None = None

    @property
    def lagging(self) -> bool:
        """A send is waiting on the client: new frames queue behind it."""
        return self._writer is not None

    def start(self, first: str) -> None:
        early, self._early = self._early or [], None
        for text in (first, *early):
            self._put(text)

    def offer(self, text: str) -> bool:
        """Send or queue a frame; False when the socket is gone or being dropped as too slow."""
        if self.closed.is_set():
            return False
        if self._early is not None:
            self._early.append(text)
            return True
        return self._put(text)

    def _put(self, text: str) -> bool:
        if self._writer is None:
            self._writer = eager.start(self._write(text), name=f"ws-{self.user_id}")
            return not self.closed.is_set()
        if len(self._backlog) >= self._queue_size:
            log.info("dropping a socket of %s: %d frames behind", self.user_id, len(self._backlog))
            SLOW_SOCKETS_CLOSED.inc()
            asyncio.get_running_loop().create_task(self.shut(TOO_SLOW, "too slow"))
            return False
        self._backlog.append(text)
        return True

    async def shut(self, code: int, reason: str) -> None:
        """Close the socket (once) and stop writing."""
        if self.closed.is_set():
            return
        self.closed.set()
        self.close_code = code
        writer = self._writer
        if writer is not None and writer is not asyncio.current_task():
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
        self._backlog.clear()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._close(code, reason), timeout=5)

    async def _write(self, text: str) -> None:
        """Send `text`, then whatever queued meanwhile. Runs to its end in the caller's step
        when the client keeps up; becomes the socket's writer task when a send waits."""
        try:
            await self._send(text)
            while self._backlog and not self.closed.is_set():
                await self._send(self._backlog.popleft())
        except asyncio.CancelledError:
            raise
        except Exception:  # the client went away: the reader notices and unregisters
            self.closed.set()
        finally:
            self._writer = None


class SocketHub:
    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self._by_user: dict[UUID, set[Connection]] = {}

    def open(self, user_id: UUID, send: Send, close: Close) -> Connection:
        connection = Connection(user_id, send, close, self.queue_size)
        self._by_user.setdefault(user_id, set()).add(connection)
        OPEN_SOCKETS.inc()
        return connection

    def forget(self, connection: Connection) -> None:
        held = self._by_user.get(connection.user_id)
        if held is not None and connection in held:
            held.discard(connection)
            OPEN_SOCKETS.dec()
            if not held:
                del self._by_user[connection.user_id]

    def users(self) -> list[UUID]:
        return list(self._by_user)

    def holds(self, user_id: UUID) -> bool:
        return user_id in self._by_user

    def push(self, user_id: UUID, text: str) -> int:
        """Offer `text` to every socket of `user_id` here; how many took it."""
        held = self._by_user.get(user_id)
        if not held:
            return 0
        offered = list(held)
        taken = sum(c.offer(text) for c in offered)
        FRAMES_SENT.inc(taken)
        if taken < len(offered):
            FRAMES_DROPPED.inc(len(offered) - taken)
        return taken

    def socket_count(self) -> int:
        return sum(len(held) for held in self._by_user.values())

    async def close_all(self, code: int = 1001, reason: str = "server shutting down") -> None:
        connections = [c for held in self._by_user.values() for c in held]
        await asyncio.gather(*(c.shut(code, reason) for c in connections))
        OPEN_SOCKETS.dec(sum(len(held) for held in self._by_user.values()))
        self._by_user.clear()
