"""`GET /metrics`: everything this process (or, in multiprocess mode, every process sharing
`PROMETHEUS_MULTIPROC_DIR`) counted, plus the gauges read from the database at scrape time,
in Prometheus' text format (docs/metrics.md).

Guarded by METRICS_TOKEN: when it is set, a scrape must send `Authorization: Bearer <it>`
(401 otherwise); when it is not, the page is open in development and test, and absent (404)
in production, so a production deployment exposes nothing it did not choose to.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import nats.errors
from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException, NotFoundException
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from showgeo_adapters.nats import JetStreamBus
from showgeo_adapters.nats.operations import BusOperations, StreamStatus
from showgeo_adapters.sqlalchemy.outbox_backlog import OutboxBacklog, outbox_backlog
from showgeo_api.settings import Settings

log = logging.getLogger(__name__)

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
OUTBOX_READ_SECONDS = 5.0
"""A scrape waits this long for the outbox gauges (and the consumers' lag) before answering
without them."""


def process_registry() -> CollectorRegistry:
    """The registry to expose: the sum over every process's files in multiprocess mode,
    else this process's default registry (which also carries its process and GC metrics)."""
    if not os.environ.get(MULTIPROC_DIR):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


class OutboxCollector(Collector):
    """The relay's backlog as read once for this scrape (the same read as `showgeo bus
    status`): the same for every process, so it is not summed across them."""

    def __init__(self, backlog: OutboxBacklog, now: datetime) -> None:
        self._backlog = backlog
        self._now = now

    def collect(self) -> Iterator[Metric]:
        oldest = self._backlog.oldest_occurred_at
        age = 0.0 if oldest is None else max(0.0, (self._now - oldest).total_seconds())
        yield GaugeMetricFamily(
            "showgeo_outbox_unpublished_events",
            "Events written to the outbox and not yet published on the bus.",
            value=self._backlog.unpublished,
        )
        yield GaugeMetricFamily(
            "showgeo_outbox_oldest_unpublished_age_seconds",
            "How long ago the oldest unpublished event happened (0 when none waits).",
            value=age,
        )


async def outbox_registry(engine: AsyncEngine, now: datetime) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OutboxCollector(await outbox_backlog(engine), now))
    return registry


class BusCollector(Collector):
    """Each durable consumer's lag and the dead letters waiting, as JetStream reports them
    at scrape time (`showgeo bus status` shows the same); the same for every process."""

    def __init__(self, status: StreamStatus) -> None:
        self._status = status

    def collect(self) -> Iterator[Metric]:
        pending = GaugeMetricFamily(
            "showgeo_consumer_pending_messages",
            "Messages of a durable consumer's subjects not delivered yet (its lag).",
            labels=["durable"],
        )
        in_flight = GaugeMetricFamily(
            "showgeo_consumer_in_flight_messages",
            "Messages delivered to a durable consumer, neither acked nor refused yet.",
            labels=["durable"],
        )
        for consumer in self._status.consumers:
            pending.add_metric([consumer.name], consumer.pending)
            in_flight.add_metric([consumer.name], consumer.in_flight)
        dead = GaugeMetricFamily(
            "showgeo_dead_letters",
            "Dead letters waiting to be replayed, by consumer.",
            labels=["consumer"],
        )
        for name, count in self._status.dead_letters.items():
            dead.add_metric([name], count)
        yield from (pending, in_flight, dead)


async def bus_registry(bus: JetStreamBus) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BusCollector(await BusOperations.of_bus(bus).status()))
    return registry


def forget_this_process() -> None:
    """In multiprocess mode, drop this process's live gauges (open sockets) from the sum when
    it stops; its counters stay, so totals never go backwards."""
    if os.environ.get(MULTIPROC_DIR):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def _check_token(request: Request[Any, Any, Any], settings: Settings) -> None:
    expected = settings.metrics_token
    if expected is None:
        if settings.is_production:
            raise NotFoundException()
        return
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    # Compared as bytes: `compare_digest` refuses str with non-ASCII characters (a 500).
    matches = hmac.compare_digest(given.strip().encode(), expected.encode())
    if scheme.lower() != "bearer" or not matches:
        raise NotAuthorizedException(
            "/metrics needs 'Authorization: Bearer <METRICS_TOKEN>'",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )


@get(
    "/metrics",
    include_in_schema=False,
    opt={"exclude_from_auth": True},  # the metrics token is not an access token
)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    container = request.app.state.container
    _check_token(request, container.settings())
    engine: AsyncEngine | None = container.engine()
    body = generate_latest(process_registry())
    if engine is not None:
        try:
            outbox = await asyncio.wait_for(
                outbox_registry(engine, container.clock().now()), OUTBOX_READ_SECONDS
            )
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            # The database is down or slow: the process's own metrics matter most then.
            log.warning("/metrics without the outbox gauges: %s: %s", type(exc).__name__, exc)
        else:
            body += generate_latest(outbox)
    bus = container.bus()
    if isinstance(bus, JetStreamBus):
        try:
            lag = await asyncio.wait_for(bus_registry(bus), OUTBOX_READ_SECONDS)
        except (nats.errors.Error, OSError, TimeoutError) as exc:
            log.warning("/metrics without the consumers' lag: %s: %s", type(exc).__name__, exc)
        else:
            body += generate_latest(lag)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
