"""Per-consumer metrics: messages handled, failed, redelivered and dead-lettered, and how
long a handler took (a notification fan-out, an analytics update, a variant job).

Counted here, around the handlers `register_consumers` subscribes, and by the JetStream bus
through its `DeliveryObserver` hook, because the domain's `idempotent_consumer` knows no
metrics library. "Handled" counts handler runs that returned, an event the inbox had already
seen included (that run is a no-op and acks the redelivery).
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram

from showgeo_domain.shared.messaging import Handler, OutboxMessage

HANDLED = Counter(
    "showgeo_consumer_handled",
    "Messages a consumer's handler took to the end (acked).",
    ["consumer"],
)
FAILED = Counter(
    "showgeo_consumer_failed",
    "Handler runs that raised (the message is delivered again, or dead-lettered).",
    ["consumer"],
)
REDELIVERED = Counter(
    "showgeo_consumer_redelivered",
    "Messages delivered to a consumer again after a failed or timed-out attempt (JetStream).",
    ["consumer"],
)
DEAD_LETTERED = Counter(
    "showgeo_consumer_dead_lettered",
    "Messages moved to the dead letters after the last allowed attempt (JetStream).",
    ["consumer"],
)
HANDLE_DURATION = Histogram(
    "showgeo_consumer_handle_duration_seconds",
    "Time a consumer's handler took on one message, whatever the outcome.",
    ["consumer"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)


def counted(consumer: str, handler: Handler) -> Handler:
    """`handler`, its runs counted and timed under `consumer`."""
    handled, failed = HANDLED.labels(consumer), FAILED.labels(consumer)
    duration = HANDLE_DURATION.labels(consumer)

    async def handle(message: OutboxMessage) -> None:
        started = time.perf_counter()
        try:
            await handler(message)
        except Exception:
            failed.inc()
            raise
        finally:
            duration.observe(time.perf_counter() - started)
        handled.inc()

    return handle


class ConsumerMetrics:
    """The JetStream bus's `DeliveryObserver`: redeliveries and dead letters by consumer."""

    def redelivered(self, consumer: str) -> None:
        REDELIVERED.labels(consumer).inc()

    def dead_lettered(self, consumer: str) -> None:
        DEAD_LETTERED.labels(consumer).inc()
