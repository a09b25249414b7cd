"""Subscribing the domain's event consumers to the bus.

Each context that reacts to events lists its consumers as `(consumer name, subject pattern,
work)`; `register_consumers` wraps every work in `idempotent_consumer` (the inbox makes a
redelivered event a no-op) and subscribes it under its durable name. Several processes
subscribing the same name share the work on JetStream (one durable consumer).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from showgeo_api.container import Container
from showgeo_domain.shared.messaging import Work, idempotent_consumer

Consumer = tuple[str, str, Work]

# Modules that may define `CONSUMERS: list[Consumer]`. A context without consumers (or not
# installed in this build) is skipped; an error *inside* such a module is not hidden.
CONSUMER_MODULES = ("showgeo_domain.notifications.handlers",)


def known_consumers() -> list[Consumer]:
    found: list[Consumer] = []
    for name in CONSUMER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue
            raise
        found.extend(getattr(module, "CONSUMERS", []))
    return found


async def register_consumers(container: Container, consumers: Sequence[Consumer]) -> None:
    bus, uow, clock = container.bus(), container.uow(), container.clock()
    for name, subjects, work in consumers:
        await bus.subscribe(name, subjects, idempotent_consumer(uow, clock, name, work))
