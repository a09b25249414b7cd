"""Run a coroutine's first step at once, in the caller, and make a task only if it must wait.

A send to a healthy socket never waits: the frame goes into the transport's buffer and the
coroutine returns. For such sends a task per socket is pure overhead, and at 10,000 sockets
waking 10,000 writer tasks was most of a burst's time (docs/benchmarks.md). Python 3.12 has
eager tasks for this; on 3.11 (which the project supports) `start` steps the coroutine
itself and, if it suspends, hands the rest to a task that drives it the way `asyncio.Task`
would: wait for the future it yielded, resume it, and on cancellation cancel that future so
the coroutine sees `CancelledError` where it waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


def start(coro: Coroutine[Any, Any, T], name: str | None = None) -> asyncio.Task[T] | None:
    """None when `coro` finished in its first step (an exception it raised is raised here),
    else the task that runs the rest of it."""
    try:
        yielded = coro.send(None)
    except StopIteration:
        return None
    return asyncio.get_running_loop().create_task(_rest(coro, yielded), name=name)


async def _rest(coro: Coroutine[Any, Any, T], yielded: Any) -> T:
    loop = asyncio.get_running_loop()
    while True:
        if yielded is None:  # a bare yield (`asyncio.sleep(0)`): one loop iteration
            await asyncio.sleep(0)
        else:
            # Wait for what the coroutine waits on through its done callback, as a Task
            # does: it may be an awaitable of the server's own (granian's Rust futures) that
            # must not be awaited a second time.
            yielded._asyncio_future_blocking = False
            woken: asyncio.Future[None] = loop.create_future()
            yielded.add_done_callback(partial(_wake, woken))
            try:
                await woken
            except asyncio.CancelledError:
                if not yielded.done():  # this task was cancelled: so is what it waits on
                    yielded.cancel()
                else:  # cancelled just as it completed: the coroutine hears of it
                    try:
                        yielded = coro.throw(asyncio.CancelledError())
                    except StopIteration as stop:
                        return stop.value  # type: ignore[no-any-return]
                    continue
        # Resuming makes the coroutine read the outcome where it awaited it.
        try:
            yielded = coro.send(None)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


def _wake(woken: asyncio.Future[None], _: object) -> None:
    if not woken.done():
        woken.set_result(None)
