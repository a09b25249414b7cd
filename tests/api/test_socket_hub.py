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


class SlowSocket(FakeSocket):
    """A client that reads one frame per `release`: each send waits until released."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = 0
        self._released = asyncio.Semaphore(0)

    async def send(self, text: str) -> None:
        self.waiting += 1
        try:
            await self._released.acquire()
        finally:
            self.waiting -= 1
        self.sent.append(text)

    def release(self, frames: int = 1) -> None:
        for _ in range(frames):
            self._released.release()


async def test_a_keeping_up_socket_is_sent_to_in_the_pushers_step_without_a_task() -> None:
    hub, user = SocketHub(queue_size=4), uuid4()
    socket = FakeSocket()
    connection = hub.open(user, socket.send, socket.close)
    connection.start("connected")
    assert socket.sent == ["connected"]  # before any other task ran
    before = len(asyncio.all_tasks())
    for n in range(10):  # far more than the queue holds: nothing queues on the direct path
        assert hub.push(user, f"n{n}") == 1
    assert socket.sent == ["connected"] + [f"n{n}" for n in range(10)]
    assert len(asyncio.all_tasks()) == before
    assert not connection.lagging


async def test_a_lagging_socket_queues_in_order_catches_up_then_goes_direct_again() -> None:
    hub, user = SocketHub(queue_size=4), uuid4()
    slow = SlowSocket()
    connection = hub.open(user, slow.send, slow.close)
    connection.start("connected")  # waits: the socket now has a writer task
    assert connection.lagging
    for n in range(3):
        assert hub.push(user, f"n{n}") == 1
    await drain()
    assert slow.sent == []
    assert slow.waiting == 1
    slow.release(4)  # the client reads everything that waited
    await drain()
    assert slow.sent == ["connected", "n0", "n1", "n2"]
    assert not connection.lagging  # caught up: the writer task is gone
    slow.release(1)  # the next frame does not wait either
    hub.push(user, "n3")
    assert slow.sent[-1] == "n3"  # sent in the pusher's own step
    assert not connection.lagging
    assert not connection.closed.is_set()


async def test_a_slow_socket_never_stalls_others_and_is_closed_1013_when_its_queue_fills() -> None:
    hub, user = SocketHub(queue_size=3), uuid4()
    slow = SlowSocket()
    lagging = hub.open(user, slow.send, slow.close)
    lagging.start("connected")
    healthy = [FakeSocket() for _ in range(50)]
    audience = [user]
    for socket in healthy:
        audience.append(uuid4())
        hub.open(audience[-1], socket.send, socket.close).start("connected")
    for n in range(3):  # within the slow socket's queue
        assert sum(hub.push(u, f"n{n}") for u in audience) == 51
    slow.release(2)  # it reads a little, not enough
    await drain()
    assert slow.sent == ["connected", "n0"]
    for n in range(3, 6):
        hub.push(user, f"n{n}")  # n3, n4 fit again; n5 overflows
        for socket_user in audience[1:]:
            hub.push(socket_user, f"n{n}")
    await drain()
    assert all(s.sent == ["connected"] + [f"n{n}" for n in range(6)] for s in healthy)
    assert lagging.closed.is_set()
    assert slow.closed_with == TOO_SLOW
    assert lagging.close_code == TOO_SLOW
    assert not lagging.lagging  # its writer task was cancelled and awaited
    assert slow.waiting == 0
    assert not lagging.offer("after")


async def test_a_socket_whose_send_fails_is_marked_closed_and_takes_nothing_more() -> None:
    hub, user = SocketHub(), uuid4()

    async def gone(text: str) -> None:
        raise ConnectionResetError("client went away")

    async def close(code: int, reason: str) -> None:
        return None

    connection = hub.open(user, gone, close)
    connection.start("connected")
    assert connection.closed.is_set()
    assert hub.push(user, "n0") == 0
