"""How domain events leave a transaction and reach consumers: outbox → relay → bus → handlers.

The unit of work writes events to the outbox with the change that raised them. The relay
publishes unpublished rows in order on the bus (JetStream subject `showgeo.<context>.<name>`,
de-duplicated by the event id) and marks them published; a crash between the two re-sends
rows the bus then drops as duplicates. Consumers are idempotent through the inbox: a handler
runs for `(consumer, event_id)` once even when the message arrives twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar, runtime_checkable
from uuid import UUID

import msgspec

from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.unit_of_work import UnitOfWork, UnitOfWorkFactory


class OutboxMessage(msgspec.Struct, frozen=True):
    """An event as stored and as published: its JSON is the public, documented payload."""

    id: UUID
    subject: str
    payload: bytes
    occurred_at: datetime


class OutboxReader(Protocol):
    async def unpublished(self, limit: int) -> list[OutboxMessage]:
        """The oldest unpublished messages, in the order they were written. On PostgreSQL
        rows are locked (`FOR UPDATE SKIP LOCKED`) so concurrent relays split the work."""
        ...

    async def mark_published(self, ids: Sequence[UUID], at: datetime) -> None: ...


class ConsumerInbox(Protocol):
    async def claim(self, consumer: str, event_id: UUID, at: datetime) -> bool:
        """True the first time `consumer` sees `event_id`, in the handler's transaction: if
        the handler's work rolls back, so does the claim, and a redelivery runs it again."""
        ...


class OutboxUnitOfWork(UnitOfWork, Protocol):
    """What the relay needs of a unit of work."""

    outbox: OutboxReader


class ConsumerUnitOfWork(UnitOfWork, Protocol):
    """What `idempotent_consumer` needs of a unit of work, besides what its work needs."""

    consumer_inbox: ConsumerInbox


Handler = Callable[[OutboxMessage], Awaitable[None]]


class EventBus(Protocol):
    async def publish(self, message: OutboxMessage) -> None:
        """Deliver at least once; the bus drops a re-sent message with the same id."""
        ...

    async def subscribe(self, consumer: str, subjects: str, handler: Handler) -> None:
        """A durable consumer named `consumer` over `subjects` (a NATS wildcard such as
        `showgeo.events.>`): the handler acks by returning; raising means redeliver."""
        ...

    async def listen(self, subjects: str, handler: Handler) -> None:
        """This process hears every message on `subjects` published from now on, besides the
        durable consumers: no ack, no redelivery, nothing kept while no one listens, and a
        re-sent message may be heard twice. For the realtime gateway, which serves only the
        sockets it holds right now (each API process listens for itself). A handler error
        is logged and the message skipped."""
        ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


@runtime_checkable
class BatchPublisher(Protocol):
    """A bus that can send a window of messages before waiting for their acks."""

    async def publish_many(self, messages: Sequence[OutboxMessage], acked: list[UUID]) -> None:
        """Publish `messages` in order; append to `acked` the ids of those acked before the
        first failure, then raise that failure."""
        ...


RELAY_WINDOW = 500
"""Messages the deployed relay (API and worker) publishes at once: see `OutboxRelay`."""


class OutboxRelay:
    """Moves committed events from the outbox to the bus, oldest first.

    Publishing happens before marking, so a crash in between re-publishes on the next run;
    the bus drops those duplicates by id, and consumers' inboxes catch any that slip past.
    A message that cannot be published stops the batch (order matters more than progress):
    what was published before it is marked, the rest waits for the next run.

    `window` publishes that many messages at once and then waits for all their acks, instead
    of one round trip per message (see docs/benchmarks.md): through the bus's `publish_many`
    when it has one (`JetStreamBus`: every message written, in order, then the acks awaited),
    otherwise as concurrent `publish` calls started in order (a bus sends each before its
    first await, as `InProcessBus` does), so the bus sees them in outbox order. Only
    the messages before the first failure of a window are marked; the ones after it that did
    get through are sent again next time and dropped by the bus as duplicates. With
    `window=1` (the default) nothing after a failure has been sent at all.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory[OutboxUnitOfWork],
        bus: EventBus,
        clock: Clock,
        window: int = 1,
    ) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self._uow = uow
        self._bus = bus
        self._clock = clock
        self._window = window

    async def relay_once(self, limit: int = 500) -> int:
        """Publish up to `limit` waiting messages; returns how many were published."""
        async with self._uow() as uow:
            waiting = await uow.outbox.unpublished(limit)
            published: list[UUID] = []
            try:
                for start in range(0, len(waiting), self._window):
                    await self._publish(waiting[start : start + self._window], published)
            finally:
                if published:
                    await uow.outbox.mark_published(published, self._clock.now())
                    await uow.commit()
            return len(published)

    async def drain(self, limit: int = 500, max_batches: int = 100) -> int:
        """`relay_once` until the outbox is empty (or `max_batches` batches), with the
        database work of one batch done while the next is published.

        Batch k+1 reads (and locks) its rows while batch k is being published: k's rows are
        locked, so `SKIP LOCKED` hands k+1 the rows after them. k+1 publishes only once every
        message of k has been acked, so the bus still sees outbox order, and not at all if k
        failed (it rolls back; its rows wait for the next run). Meanwhile k marks its rows and
        commits. At most two batches are in flight. Returns how many were published."""
        total = 0
        running: list[asyncio.Task[int]] = []
        before: asyncio.Future[bool] | None = None
        taken: set[UUID] = set()
        try:
            for _ in range(max_batches):
                loop = asyncio.get_running_loop()
                read: asyncio.Future[int] = loop.create_future()
                sent: asyncio.Future[bool] = loop.create_future()
                ids: set[UUID] = set()
                batch = self._pipelined_batch(limit, read, before, sent, taken, ids)
                running.append(asyncio.create_task(batch))
                before, taken = sent, ids
                rows = await _settled(read, running[-1])
                if len(running) == 2:
                    total += await running.pop(0)  # raises what stopped that batch
                if rows < limit:
                    break
        except BaseException:  # a failed batch, or the relay stopped: end the others now
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            raise
        outcomes = await asyncio.gather(*running, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
            total += outcome
        return total

    async def _pipelined_batch(
        self,
        limit: int,
        read: asyncio.Future[int],
        before: asyncio.Future[bool] | None,
        sent: asyncio.Future[bool],
        taken: set[UUID],
        ids: set[UUID],
    ) -> int:
        """One batch of `drain`: read (leaving out the batch before's rows, `taken`, for an
        outbox that does not lock them; tell `read`, own ids in `ids`), wait until the
        batch `before` has all its messages acked, publish, tell `sent`, mark and commit."""
        published: list[UUID] = []
        try:
            async with self._uow() as uow:
                waiting = [m for m in await uow.outbox.unpublished(limit) if m.id not in taken]
                ids.update(m.id for m in waiting)
                read.set_result(len(waiting))
                if before is not None and not await asyncio.shield(before):
                    return 0  # the batch before failed: nothing of this one goes out of order
                try:
                    for start in range(0, len(waiting), self._window):
                        await self._publish(waiting[start : start + self._window], published)
                finally:
                    sent.set_result(len(published) == len(waiting))
                    if published:
                        await uow.outbox.mark_published(published, self._clock.now())
                        await uow.commit()
                return len(published)
        finally:
            if not read.done():
                read.set_result(0)
            if not sent.done():
                sent.set_result(False)

    async def _publish(self, window: list[OutboxMessage], published: list[UUID]) -> None:
        """Publish `window`; append to `published` the ids acked before the first failure,
        then raise that failure."""
        if len(window) == 1:
            await self._bus.publish(window[0])
            published.append(window[0].id)
            return
        if isinstance(self._bus, BatchPublisher):
            await self._bus.publish_many(window, published)
            return
        outcomes = await asyncio.gather(
            *(self._bus.publish(message) for message in window), return_exceptions=True
        )
        for message, outcome in zip(window, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                raise outcome
            published.append(message.id)


async def _settled(read: asyncio.Future[int], task: asyncio.Task[int]) -> int:
    """How many rows the batch `task` read, once it has (or 0 if it ended before)."""
    await asyncio.wait([read, task], return_when=asyncio.FIRST_COMPLETED)
    return read.result() if read.done() else 0


U = TypeVar("U", bound=UnitOfWork)
C = TypeVar("C", bound=ConsumerUnitOfWork)

Work = Callable[[U, OutboxMessage], Awaitable[None]]
"""A consumer's work, inside the unit of work its context declares: `Work[AnalyticsUnitOfWork]`."""


def idempotent_consumer(
    uow: UnitOfWorkFactory[C], clock: Clock, consumer: str, work: Work[C]
) -> Handler:
    """Wrap `work` so it runs once per event for `consumer`: the inbox claim and the work
    commit together, so a crash before commit leaves the event unclaimed for redelivery."""

    async def handle(message: OutboxMessage) -> None:
        async with uow() as unit:
            if not await unit.consumer_inbox.claim(consumer, message.id, clock.now()):
                return
            await work(unit, message)
            await unit.commit()

    return handle
