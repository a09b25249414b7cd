"""The hub on its own: frames go out in order through each socket's writer, `connected`
first; a socket that falls a queue behind is dropped with 1013 without slowing the others."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from showgeo_api.gateway.hub import TOO_SLOW, SocketHub


class FakeSocket:
    def __init__(self, *, stuck: bool = False) -> None:
        self.sent: list[str] = []
        self.closed_with: int | None = None
        self._gate = asyncio.Event()
        if not stuck:
            self._gate.set()

    async def send(self, text: str) -> None:
        await self._gate.wait()  # a stuck client never reads
        self.sent.append(text)

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = code


async def drain() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_connected_goes_first_then_frames_in_order() -> None:
    hub, user = SocketHub(queue_size=8), uuid4()
    socket = FakeSocket()
    connection = hub.open(user, socket.send, socket.close)
    assert hub.push(user, "early") == 1  # before `connected`: held back
    connection.start("connected")
    hub.push(user, "later")
    await drain()
    assert socket.sent == ["connected", "early", "later"]
    assert hub.socket_count() == 1
    assert hub.users() == [user]


async def test_every_socket_of_a_user_gets_each_frame_and_others_none() -> None:
    hub, user, other = SocketHub(), uuid4(), uuid4()
    tabs = [FakeSocket() for _ in range(3)]
    for tab in tabs:
        hub.open(user, tab.send, tab.close).start("connected")
    stranger = FakeSocket()
    hub.open(other, stranger.send, stranger.close).start("connected")
    assert hub.push(user, "n1") == 3
    await drain()
    assert all(tab.sent == ["connected", "n1"] for tab in tabs)
    assert stranger.sent == ["connected"]


async def test_a_stuck_socket_is_dropped_and_never_stalls_the_others() -> None:
    hub, user = SocketHub(queue_size=2), uuid4()
    stuck, healthy = FakeSocket(stuck=True), FakeSocket()
    slow = hub.open(user, stuck.send, stuck.close)
    slow.start("connected")
    hub.open(user, healthy.send, healthy.close).start("connected")
    for n in range(6):
        hub.push(user, f"n{n}")
        await drain()
    assert healthy.sent == ["connected"] + [f"n{n}" for n in range(6)]
    assert slow.closed.is_set()
    assert stuck.closed_with == TOO_SLOW
    assert stuck.sent == []
    assert not slow.offer("after")  # a dropped socket takes nothing more


async def test_forget_and_close_all() -> None:
    hub, user = SocketHub(), uuid4()
    first, second = FakeSocket(), FakeSocket()
    one = hub.open(user, first.send, first.close)
    hub.open(user, second.send, second.close)
    hub.forget(one)
    assert hub.socket_count() == 1
    await hub.close_all()
    assert second.closed_with == 1001
    assert hub.users() == []
    assert not hub.holds(user)
