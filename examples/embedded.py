"""Showgeo in-process, without HTTP: the platform's use cases as plain async calls.

Run it with `python examples/embedded.py` (everything in memory), or point it at a database:
`DATABASE_URL=postgresql://postgres@127.0.0.1/showgeo python examples/embedded.py`.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

from showgeo_api import Settings, bootstrap
from showgeo_api.processes.consumers import known_consumers, register_consumers
from showgeo_api.wiring.container import start, stop
from showgeo_domain.entities.model import EntityKind
from showgeo_domain.events.model import EventPhase
from showgeo_domain.events.services import EventDetails
from showgeo_domain.shared.pagination import PageRequest


async def main() -> list[str]:
    settings = Settings(database_url=os.environ.get("DATABASE_URL", "memory://"), auto_migrate=True)
    platform = bootstrap(settings)
    await start(platform)  # migrations (SQLite), bus connection
    await register_consumers(platform, known_consumers())  # notifications react to events
    try:
        auth = platform.authentication()
        ana = await auth.register(email="ana@example.com", username="ana", password="s3cret-pw")
        ben = await auth.register(email="ben@example.com", username="ben", password="s3cret-pw")
        owls = await platform.entities().create(
            ana.user.as_actor(), name="The Night Owls", slug="night-owls", kind=EntityKind.CREATOR
        )
        await platform.follows().follow(ben.user.as_actor(), owls.id)
        show = await platform.events().create(
            ana.user.as_actor(),
            owls.id,
            EventDetails(title="Live at the Harbour", starts_at=datetime.now(UTC) + timedelta(1)),
        )
        await platform.events().move(ana.user.as_actor(), show.id, EventPhase.LIVE)

        # An API process relays the outbox continuously; here we do it by hand, then give the
        # consumers a moment to handle what was published. Going live raises two events
        # (the phase change and "live now"), handled by two consumers in either order.
        await platform.relay().relay_once()
        inbox = platform.notifications()
        for _ in range(200):
            page = await inbox.list(ben.user.as_actor(), PageRequest(), unread_only=True)
            if {"LIVE_NOW", "PHASE_UPDATE"} <= {n.kind.value for n in page.items}:
                break
            await asyncio.sleep(0.05)
        return [f"{n.kind.value}: {n.title}" for n in page.items]
    finally:
        await stop(platform)


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
