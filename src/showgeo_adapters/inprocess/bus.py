"""An EventBus inside one process, with the delivery rules of the JetStream bus.

- Subjects are matched with NATS wildcards: `*` is one token, `>` one or more trailing tokens.
- A message id seen within `duplicate_window` seconds (and among the last `max_recent` ids) is
  dropped, like JetStream's duplicate window: a relay re-sending after a crash delivers once.
- Each subscription has its own queue and task, so handlers run outside the publisher's
  transaction (the relay must not wait for consumers) and in publish order per subscription.
- A handler that raises is retried after `backoff[attempt - 1]` seconds (the last value
  repeats), up to `max_deliver` attempts in all; then the message goes to `dead_letters` with
  the reason and the subscription moves on.

What it does not do: nothing is kept across a restart, and a subscription only receives what
is published after it was made (a JetStream durable consumer also receives what the stream
already holds). Consumers are registered at start, before the relay runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from showgeo_domain.shared.messaging import Handler, OutboxMessage

log = logging.getLogger(__name__)


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `a.*.c` matches `a.b.c`; `a.>` matches `a.b` and `a.b.c`."""
    want, got = pattern.split("."), subject.split(".")
    for i, part in enumerate(want):
        if part == ">":
            return len(got) > i
        if i >= len(got) or (part != "*" and part != got[i]):
            return False
    return len(got) == len(want)


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    message: OutboxMessage
    reason: str
    attempts: int


class _Subscription:
    def __init__(
        self, consumer: str, subjects: str, handler: Handler, *, durable: bool = True
    ) -> None:
        self.consumer = consumer
        self.subjects = subjects
        self.handler = handler
        self.durable = durable
        """False for a listener: one attempt, no dead letter."""
        self.queue: asyncio.Queue[OutboxMessage] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None


class InProcessBus:
    def __init__(
        self,
        *,
        duplicate_window: float = 120.0,
        max_recent: int = 100_000,
        max_deliver: int = 5,
        backoff: Sequence[float] = (0.05, 0.2, 1.0, 5.0),
    ) -> None:
        self._window = duplicate_window
        self._max_recent = max_recent
        self._max_deliver = max_deliver
        self._backoff = tuple(backoff) or (0.0,)
        self._recent: OrderedDict[UUID, float] = OrderedDict()
        self._subscriptions: list[_Subscription] = []
        self.dead_letters: list[DeadLetter] = []

    async def connect(self) -> None:
        """Nothing to connect; here so both buses start the same way."""

    async def publish(self, message: OutboxMessage) -> None:
        if self._seen(message.id):
            return
        for subscription in self._subscriptions:
            if subject_matches(subscription.subjects, message.subject):
                subscription.queue.put_nowait(message)
                if subscription.task is None:
                    subscription.task = asyncio.create_task(
                        self._deliver(subscription), name=f"showgeo-bus-{subscription.consumer}"
                    )

    async def subscribe(self, consumer: str, subjects: str, handler: Handler) -> None:
        """Delivery starts with the first matching publish, on the publisher's event loop."""
        self._subscriptions.append(_Subscription(consumer, subjects, handler))

    async def listen(self, subjects: str, handler: Handler) -> None:
        """Like a subscription, but a failing handler is not retried (see `EventBus.listen`)."""
        name = f"listener-{len(self._subscriptions)}"
        self._subscriptions.append(_Subscription(name, subjects, handler, durable=False))

    def on_reconnect(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Never called: an in-process bus has no connection to lose."""

    async def ping(self) -> bool:
        return True

    async def idle(self) -> None:
        """Wait until every published message has been handled or dead-lettered (tests)."""
        for subscription in list(self._subscriptions):
            await subscription.queue.join()

    async def close(self) -> None:
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            if subscription.task is not None:
                subscription.task.cancel()
        for subscription in subscriptions:
            if subscription.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await subscription.task

    def _seen(self, message_id: UUID) -> bool:
        now = time.monotonic()
        while self._recent:  # forget what left the window (oldest first)
            oldest, at = next(iter(self._recent.items()))
            if now - at < self._window and len(self._recent) <= self._max_recent:
                break
            del self._recent[oldest]
        if message_id in self._recent:
            return True
        self._recent[message_id] = now
        return False

    async def _deliver(self, subscription: _Subscription) -> None:
        while True:
            message = await subscription.queue.get()
            try:
                await self._handle(subscription, message)
            finally:
                subscription.queue.task_done()

    async def _handle(self, subscription: _Subscription, message: OutboxMessage) -> None:
        if not subscription.durable:
            try:
                await subscription.handler(message)
            except Exception:
                log.exception("listener %s failed on %s", subscription.consumer, message.id)
            return
        for attempt in range(1, self._max_deliver + 1):
            try:
                await subscription.handler(message)
                return
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "consumer %s failed on %s (attempt %d/%d): %s",
                    subscription.consumer,
                    message.id,
                    attempt,
                    self._max_deliver,
                    reason,
                )
                if attempt == self._max_deliver:
                    self.dead_letters.append(
                        DeadLetter(subscription.consumer, message, reason, attempt)
                    )
                    return
                await asyncio.sleep(self._backoff[min(attempt, len(self._backoff)) - 1])
