"""Home: recommended entities and upcoming events (the popular list for people with nothing
to go on yet, and for visitors who are not signed in)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import File, Template

from showgeo_api.web.context import Ui
from showgeo_domain.analytics.services import Analytics
from showgeo_domain.entities.ports import EntitySearch
from showgeo_domain.entities.services import Entities
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.events.services import Events
from showgeo_domain.shared.pagination import PageRequest

SHOWN = 8
FAVICON = Path(__file__).parent / "static" / "favicon.svg"


class HomePage(Controller):
    path = "/"

    @get("/")
    async def home(
        self,
        ui: NamedDependency[Ui],
        events: NamedDependency[Events],
        entities: NamedDependency[Entities],
        analytics: NamedDependency[Analytics],
        now: NamedDependency[datetime],
    ) -> Template:
        upcoming = await events.search(EventQuery(starts_from=now, limit=SHOWN))
        suggested = []
        if ui.actor is not None:
            recommended = await analytics.recommended_entities(ui.actor, SHOWN)
            listed = [(r.entity, r.reason) for r in recommended]
            suggested = [r.event for r in await analytics.recommended_events(ui.actor, None, SHOWN)]
        else:
            found = await entities.search(EntitySearch(), PageRequest(limit=SHOWN))
            listed = [(e, "popular") for e in found.items]
        return await ui.render(
            "home.html",
            entities=listed,
            suggested=suggested,
            events=[hit.event for hit in upcoming.items],
        )

    @get("/favicon.ico", cache_control=None)
    async def favicon(self) -> File:
        """Browsers ask for /favicon.ico on pages that name no icon (localpay's checkout)."""
        return File(FAVICON, media_type="image/svg+xml", content_disposition_type="inline")
