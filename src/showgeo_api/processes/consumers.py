"""Subscribing the domain's event consumers to the bus.

Each context that reacts to events lists its consumers as `(consumer name, subject pattern,
work)`; `register_consumers` wraps every work in `idempotent_consumer` (the inbox makes a
redelivered event a no-op), counts and times it (`consumer_metrics.counted`) and subscribes
it under its durable name. Several processes
subscribing the same name share the work on JetStream (one durable consumer).
"""

from __future__ import annotations

from collections.abc import Sequence

from showgeo_adapters.unit_of_work import PlatformUnitOfWork
from showgeo_api.processes.consumer_metrics import counted
from showgeo_api.wiring.container import Container
from showgeo_domain.analytics.handlers import CONSUMERS as analytics_consumers
from showgeo_domain.assets.handlers import handlers as asset_handlers
from showgeo_domain.mail.handlers import consumers as mail_consumers
from showgeo_domain.notifications.handlers import CONSUMERS as notification_consumers
from showgeo_domain.shared.messaging import Work, idempotent_consumer
from showgeo_domain.streaming.handlers import consumers as streaming_consumers

Consumer = tuple[str, str, Work[PlatformUnitOfWork]]


def known_consumers() -> list[Consumer]:
    """Every consumer of every context that reacts to events (add a context's list here)."""
    return [*notification_consumers, *analytics_consumers]


def bound_consumers(container: Container) -> list[Consumer]:
    """Consumers whose work drives an adapter beyond the unit of work (streaming's rooms on
    the media server), built for this container."""
    return [*streaming_consumers(container.stream_rooms())]


async def register_consumers(container: Container, consumers: Sequence[Consumer]) -> None:
    """Subscribe `consumers` plus this container's `bound_consumers`."""
    bus, uow, clock = container.bus(), container.uow(), container.clock()
    for name, subjects, work in [*consumers, *bound_consumers(container)]:
        await bus.subscribe(
            name, subjects, counted(name, idempotent_consumer(uow, clock, name, work))
        )
    # Handlers idempotent on their own, that must not run inside a unit of work (see
    # showgeo_domain.assets.handlers): subscribed as they are.
    for name, subjects, handler in asset_handlers(container.assets()):
        await bus.subscribe(name, subjects, counted(name, handler))
    # Mail: idempotent through the sent-mail record, and sending outside any transaction.
    for name, subjects, handler in mail_consumers(
        container.mail_delivery(), container.password_reset_mail()
    ):
        await bus.subscribe(name, subjects, counted(name, handler))
