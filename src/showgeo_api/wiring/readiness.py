"""What `/health/ready` reports: each dependency the API cannot serve without."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from showgeo_adapters.inprocess import InProcessBus
from showgeo_adapters.nats import JetStreamBus
from showgeo_adapters.sqlalchemy.health import database_ready

Bus = InProcessBus | JetStreamBus


class ReadinessProbe:
    """The database (when there is one) and the bus, each checked on every call."""

    def __init__(self, engine: AsyncEngine | None, bus: Bus) -> None:
        self._engine = engine
        self._bus = bus

    async def check(self) -> dict[str, bool]:
        return {
            "database": self._engine is None or await database_ready(self._engine),
            "bus": await self._bus.ping(),
        }
