"""The EventBus on NATS JetStream.

One stream (`SHOWGEO`) holds every subject under `<prefix>.>`. Domain subjects are written
`showgeo.<context>.<event>`; with another `subject_prefix` (tests, several deployments on one
server) the first token is replaced on the wire and restored for handlers, so handlers and
subscription patterns always use `showgeo.…`.

- publish: `Nats-Msg-Id` = the event id, so the server drops a re-send within the stream's
  `duplicate_window` (a `PubAck` with `duplicate=True` counts as published). `publish_many`
  sends a whole window before waiting for its acks (the relay's fast path).
- subscribe: a durable pull consumer named after the consumer (dots become `_`), filtered
  on the subjects, and a task fetching batches. A handler that returns acks the message;
  one that raises naks it with a growing delay; on the `max_deliver`-th failure the message
  is republished to `<prefix>.dlq.<consumer>` with the header `Showgeo-Dead-Reason` and
  terminated. While a batch is being handled, its messages not yet acked are reported in
  progress every third of `ack_wait`: only a consumer that died (its worker killed mid-job)
  has its messages delivered again, however long a job (an image's variants) takes.
- listen: a plain (core) subscription per process, for the realtime gateway.
- close: stop the tasks, unsubscribe the pull subscriptions (before drain, which otherwise
  times out), drain the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import msgspec
import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from showgeo_domain.shared.messaging import Handler, OutboxMessage

log = logging.getLogger(__name__)

DOMAIN_PREFIX = "showgeo"
MSG_ID_HEADER = "Nats-Msg-Id"
OCCURRED_AT_HEADER = "Showgeo-Occurred-At"
DEAD_REASON_HEADER = "Showgeo-Dead-Reason"
DEAD_EVENT_ID_HEADER = "Showgeo-Event-Id"
DEAD_SUBJECT_HEADER = "Showgeo-Subject"


def durable_name(consumer: str) -> str:
    """The JetStream durable name of a consumer: ours are dotted (`notifications.live_now`),
    and NATS forbids `.`, `*`, `>` and whitespace in names."""
    return "".join("_" if c in ".*> \t" else c for c in consumer)


class DeliveryObserver(Protocol):
    """Told what happened to a consumer's deliveries, for metrics (the API counts them;
    this adapter knows nothing of how)."""

    def redelivered(self, consumer: str) -> None:
        """A message came to `consumer` again (an earlier attempt failed or timed out)."""
        ...

    def dead_lettered(self, consumer: str) -> None:
        """`consumer` failed a message `max_deliver` times: it went to the dead letters."""
        ...


class _OccurredAt(msgspec.Struct):
    occurred_at: datetime


class _Batch:
    """Fetched messages handled in order; `done` of them are acked or refused."""

    def __init__(self, messages: Sequence[Msg]) -> None:
        self.messages = messages
        self.done = 0

    async def keep_alive(self, period: float) -> None:
        """Tell the server every `period` that the messages still waiting are being worked
        on (`+WPI`), which restarts their `ack_wait`."""
        while True:
            await asyncio.sleep(period)
            for msg in self.messages[self.done :]:
                try:
                    await msg.in_progress()
                except Exception:  # a lost connection: redelivery is the fallback
                    log.debug("in-progress for a message failed", exc_info=True)


class JetStreamBus:
    def __init__(
        self,
        url: str,
        *,
        stream: str = "SHOWGEO",
        subject_prefix: str = DOMAIN_PREFIX,
        duplicate_window: float = 120.0,
        max_deliver: int = 5,
        backoff: Sequence[float] = (0.5, 2.0, 10.0, 30.0),
        ack_wait: float = 30.0,
        batch: int = 50,
        fetch_timeout: float = 1.0,
        publish_timeout: float = 10.0,
        observer: DeliveryObserver | None = None,
    ) -> None:
        self.url = url
        self.stream = stream
        self.prefix = subject_prefix
        self._duplicate_window = duplicate_window
        self._max_deliver = max_deliver
        self._backoff = tuple(backoff) or (0.0,)
        self._ack_wait = ack_wait
        self._batch = batch
        self._fetch_timeout = fetch_timeout
        self._publish_timeout = publish_timeout
        self._observer = observer
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._subscriptions: list[JetStreamContext.PullSubscription] = []
        self._listeners: list[Subscription] = []
        self._on_reconnect: list[Callable[[], Awaitable[None]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    async def connect(self) -> None:
        if self._nc is not None:
            return
        self._stopping = asyncio.Event()  # connectable again after close()
        self._nc = await nats.connect(
            self.url,
            name="showgeo",
            connect_timeout=5,
            max_reconnect_attempts=-1,  # a NATS restart must never end the process's bus
            reconnected_cb=self._reconnected,
        )
        self._js = self._nc.jetstream()
        await self._ensure_stream()

    async def close(self) -> None:
        self._stopping.set()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            with contextlib.suppress(Exception):
                await listener.unsubscribe()
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            try:
                await nc.drain()
            except Exception:  # a broken connection: close it anyway
                log.warning("draining the NATS connection failed", exc_info=True)
                await nc.close()

    def on_reconnect(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` after each reconnection: listeners may have missed messages while
        the connection was down (the realtime gateway re-sends unread counts)."""
        self._on_reconnect.append(callback)

    async def _reconnected(self) -> None:
        log.info("reconnected to NATS at %s", self.url)
        for callback in self._on_reconnect:
            try:
                await callback()
            except Exception:
                log.exception("a reconnect callback failed")

    async def ping(self) -> bool:
        if self._nc is None or not self._nc.is_connected or self._js is None:
            return False
        try:
            await self._js.stream_info(self.stream)
        except Exception:
            return False
        return True

    async def _ensure_stream(self) -> None:
        config = StreamConfig(
            name=self.stream,
            subjects=[f"{self.prefix}.>"],
            duplicate_window=self._duplicate_window,
        )
        js = self._jetstream()
        try:
            await js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            await js.add_stream(config)
        else:
            await js.update_stream(config)

    # -- publishing --------------------------------------------------------------------------

    async def publish(self, message: OutboxMessage) -> None:
        ack = await self._jetstream().publish(
            self._wire(message.subject), message.payload, headers=self._headers(message)
        )
        if ack.duplicate:
            log.debug("the stream already had %s: dropped as a duplicate", message.id)

    async def publish_many(self, messages: Sequence[OutboxMessage], acked: list[UUID]) -> None:
        """Send every message, in order, without waiting for acks in between (nats-py's
        `publish_async`), then wait for the acks: several times the rate of `publish`
        one by one, which waits a round trip each (docs/benchmarks.md). One connection keeps
        the order. Appends to `acked` the ids acked before the first failure, then raises
        that failure."""
        js = self._jetstream()
        sent: list[asyncio.Future[Any]] = []
        failure: BaseException | None = None
        try:
            for message in messages:
                sent.append(
                    await js.publish_async(
                        self._wire(message.subject),
                        message.payload,
                        headers=self._headers(message),
                    )
                )
        except Exception as exc:  # what was sent before may still be acked
            failure = exc
        if sent:
            await asyncio.wait(sent, timeout=self._publish_timeout)
        for message, future in zip(messages, sent, strict=False):
            if not future.done():
                for late in sent:
                    late.cancel()
                raise nats.errors.TimeoutError
            if future.exception() is not None:
                for late in sent:
                    late.cancel()
                raise future.exception()  # type: ignore[misc]
            acked.append(message.id)
        if failure is not None:
            raise failure

    def _headers(self, message: OutboxMessage) -> dict[str, str]:
        return {
            MSG_ID_HEADER: str(message.id),
            OCCURRED_AT_HEADER: message.occurred_at.isoformat(),
        }

    # -- consuming ---------------------------------------------------------------------------

    async def subscribe(self, consumer: str, subjects: str, handler: Handler) -> None:
        js = self._jetstream()
        config = ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._ack_wait,
            max_deliver=self._max_deliver,
        )
        subscription = await js.pull_subscribe(
            self._wire(subjects), durable=durable_name(consumer), stream=self.stream, config=config
        )
        self._subscriptions.append(subscription)
        self._tasks.append(
            asyncio.create_task(
                self._consume(consumer, subscription, handler), name=f"showgeo-nats-{consumer}"
            )
        )

    async def listen(self, subjects: str, handler: Handler) -> None:
        """A core NATS subscription on the stream's subjects: what the relay publishes to
        JetStream is also delivered to every plain subscriber, so each process hears it
        without a consumer of its own on the server. nats-py subscribes again after a
        reconnect."""

        async def hear(msg: Msg) -> None:
            try:
                await handler(self._message(msg))
            except Exception:
                log.exception("listener on %s failed on %s", subjects, msg.subject)

        self._listeners.append(await self._client().subscribe(self._wire(subjects), cb=hear))

    async def _consume(
        self, consumer: str, subscription: JetStreamContext.PullSubscription, handler: Handler
    ) -> None:
        outage = _Outage(consumer)
        while not self._stopping.is_set():
            try:
                messages = await subscription.fetch(self._batch, timeout=self._fetch_timeout)
            except nats.errors.TimeoutError:
                outage.over()
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                outage.failed(exc)
                await asyncio.sleep(self._fetch_timeout)
                continue
            outage.over()
            batch = _Batch(messages)
            keepalive = asyncio.create_task(
                batch.keep_alive(self._ack_wait / 3), name=f"showgeo-nats-{consumer}-working"
            )
            try:
                for msg in messages:
                    await self._handle(consumer, msg, handler)
                    batch.done += 1
            finally:
                keepalive.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keepalive

    async def _handle(self, consumer: str, msg: Msg, handler: Handler) -> None:
        if self._observer is not None and msg.metadata.num_delivered > 1:
            self._observer.redelivered(consumer)
        try:
            message = self._message(msg)
            await handler(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            attempt = msg.metadata.num_delivered
            log.warning(
                "consumer %s failed on %s (attempt %d/%d): %s",
                consumer,
                msg.headers.get(MSG_ID_HEADER) if msg.headers else None,
                attempt,
                self._max_deliver,
                reason,
            )
            if attempt >= self._max_deliver:
                await self._dead_letter(consumer, msg, reason)
                await msg.term()
                if self._observer is not None:
                    self._observer.dead_lettered(consumer)
            else:
                await msg.nak(delay=self._backoff[min(attempt, len(self._backoff)) - 1])
            return
        await msg.ack()

    async def _dead_letter(self, consumer: str, msg: Msg, reason: str) -> None:
        headers: dict[str, Any] = dict(msg.headers or {})
        event_id = headers.pop(MSG_ID_HEADER, "")
        headers[DEAD_EVENT_ID_HEADER] = event_id
        headers[DEAD_SUBJECT_HEADER] = self._domain(msg.subject)
        headers[DEAD_REASON_HEADER] = reason[:1000]
        # Its own id: the event id would be dropped as a duplicate of the original.
        headers[MSG_ID_HEADER] = f"dlq:{consumer}:{event_id}"
        await self._jetstream().publish(f"{self.prefix}.dlq.{consumer}", msg.data, headers=headers)

    def _message(self, msg: Msg) -> OutboxMessage:
        headers = msg.headers or {}
        occurred = headers.get(OCCURRED_AT_HEADER)
        occurred_at = (
            datetime.fromisoformat(occurred)
            if occurred
            else msgspec.json.decode(msg.data, type=_OccurredAt).occurred_at
        )
        return OutboxMessage(
            id=UUID(headers[MSG_ID_HEADER]),
            subject=self._domain(msg.subject),
            payload=msg.data,
            occurred_at=occurred_at,
        )

    # -- subjects ----------------------------------------------------------------------------

    def _wire(self, subject: str) -> str:
        head, _, rest = subject.partition(".")
        return f"{self.prefix}.{rest}" if head == DOMAIN_PREFIX and rest else subject

    def _domain(self, subject: str) -> str:
        head, _, rest = subject.partition(".")
        return f"{DOMAIN_PREFIX}.{rest}" if head == self.prefix and rest else subject

    def _client(self) -> Client:
        if self._nc is None:
            raise RuntimeError("JetStreamBus.connect() has not been awaited")
        return self._nc

    def _jetstream(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("JetStreamBus.connect() has not been awaited")
        return self._js


class _Outage:
    """A consumer's failed fetches, told once when they start, every minute while they last
    and once when they end: while NATS is down every consumer fails a fetch a second, and a
    traceback each time buried everything else in the log (the traceback is at DEBUG)."""

    REMIND_EVERY = 60.0

    def __init__(self, consumer: str) -> None:
        self._consumer = consumer
        self._since: float | None = None
        self._told = 0.0
        self._failures = 0

    def failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._failures += 1
        log.debug("fetching for consumer %s failed", self._consumer, exc_info=exc)
        if self._since is None:
            self._since = self._told = now
            log.warning("consumer %s cannot fetch: %s: %s", self._consumer, type(exc).__name__, exc)
        elif now - self._told >= self.REMIND_EVERY:
            self._told = now
            log.warning(
                "consumer %s still cannot fetch after %.0f s (%d attempts): %s",
                self._consumer,
                now - self._since,
                self._failures,
                type(exc).__name__,
            )

    def over(self) -> None:
        if self._since is None:
            return
        log.warning(
            "consumer %s fetches again after %.0f s (%d failed attempts)",
            self._consumer,
            time.monotonic() - self._since,
            self._failures,
        )
        self._since, self._failures = None, 0
