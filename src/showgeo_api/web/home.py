"""Home: recommended entities and upcoming events (the popular list for people with nothing
to go on yet, and for visitors who are not signed in)."""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import File, Template

from showgeo_api.web.context import Ui
from showgeo_domain.entities.ports import EntitySearch
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.shared.pagination import PageRequest

SHOWN = 8
FAVICON = Path(__file__).parent / "static" / "favicon.svg"


class HomePage(Controller):
    path = "/"

    @get("/")
    async def home(self, ui: NamedDependency[Ui]) -> Template:
        container = ui.container
        now = container.clock().now()
        upcoming = await container.events().search(EventQuery(starts_from=now, limit=SHOWN))
        suggested = []
        if ui.actor is not None:
            analytics = container.analytics()
            recommended = await analytics.recommended_entities(ui.actor, SHOWN)
            entities = [(r.entity, r.reason) for r in recommended]
            suggested = [r.event for r in await analytics.recommended_events(ui.actor, None, SHOWN)]
        else:
            found = await container.entities().search(EntitySearch(), PageRequest(limit=SHOWN))
            entities = [(e, "popular") for e in found.items]
        return await ui.render(
            "home.html",
            entities=entities,
            suggested=suggested,
            events=[hit.event for hit in upcoming.items],
        )

    @get("/favicon.ico", cache_control=None)
    async def favicon(self) -> File:
        """Browsers ask for /favicon.ico on pages that name no icon (localpay's checkout)."""
        return File(FAVICON, media_type="image/svg+xml", content_disposition_type="inline")
