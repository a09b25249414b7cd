"""`gateway.eager.start`: a coroutine that does not wait runs to its end in the caller with
no task; one that waits continues in a task exactly as it would have, results, errors and
cancellation included."""

from __future__ import annotations

import asyncio

import pytest

from showgeo_api.gateway import eager


async def test_a_coroutine_that_never_waits_finishes_in_the_callers_step() -> None:
    done: list[int] = []

    async def ready() -> int:
        return 1

    async def quick() -> None:
        done.append(await ready())  # an await that does not suspend

    assert eager.start(quick()) is None
    assert done == [1]


async def test_an_error_in_the_first_step_is_raised_in_the_caller() -> None:
    async def broken() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        eager.start(broken())


async def test_a_coroutine_that_waits_continues_in_a_task_with_its_result() -> None:
    gate = asyncio.Event()
    steps: list[str] = []

    async def waits() -> str:
        steps.append("before")
        await gate.wait()
        await asyncio.sleep(0)  # a bare yield too
        steps.append("after")
        return "result"

    task = eager.start(waits())
    assert task is not None
    assert steps == ["before"]  # the first step ran in the caller
    await asyncio.sleep(0)
    assert not task.done()
    gate.set()
    assert await task == "result"
    assert steps == ["before", "after"]


async def test_an_error_after_waiting_fails_the_task() -> None:
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def waits() -> int:
        return await future

    task = eager.start(waits())
    assert task is not None
    future.set_exception(KeyError("k"))
    with pytest.raises(KeyError):
        await task


async def test_cancelling_the_task_raises_cancelled_where_the_coroutine_waits() -> None:
    gate = asyncio.Event()
    cleaned: list[bool] = []

    async def waits() -> None:
        try:
            await gate.wait()
        finally:
            cleaned.append(True)

    task = eager.start(waits())
    assert task is not None
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == [True]
    assert task.cancelled()
    assert not gate._waiters  # Event.wait removed its cancelled waiter


class ServerAwaitable:
    """Like granian's Rust futures: its own iterator, yields itself once while pending,
    wakes its waiter through `add_done_callback`, and must not be polled again until done."""

    _asyncio_future_blocking = False

    def __init__(self) -> None:
        self._done = False
        self._polled = False
        self._callbacks: list = []

    def __await__(self) -> ServerAwaitable:
        return self

    def __iter__(self) -> ServerAwaitable:
        return self

    def __next__(self) -> ServerAwaitable:
        if self._done:
            raise StopIteration("sent")
        if self._polled:
            raise RuntimeError("polled again while pending")
        self._polled = True
        self._asyncio_future_blocking = True
        return self

    def done(self) -> bool:
        return self._done

    def cancel(self) -> bool:
        return False

    def add_done_callback(self, callback, **_: object) -> None:
        self._callbacks.append(callback)

    def finish(self) -> None:
        self._done = True
        for callback in self._callbacks:
            asyncio.get_running_loop().call_soon(callback, self)


async def test_a_servers_own_awaitable_is_waited_for_through_its_callback() -> None:
    pending = ServerAwaitable()

    async def send() -> str:
        return await pending  # type: ignore[misc]

    task = eager.start(send())
    assert task is not None
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert not task.done()
    pending.finish()
    assert await task == "sent"
