"""Entity page: who they are, the follow button with its live count (htmx), their events,
products, and the team for its members."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from msgspec import Meta

from showgeo_api.web.context import Ui
from showgeo_domain.entities.model import Entity
from showgeo_domain.entities.services import Entities
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.events.services import Events
from showgeo_domain.follow.model import FollowStatus
from showgeo_domain.follow.services import Follows
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.services import Store

EntityRef = Annotated[str, Meta(min_length=1, max_length=64)]
LISTED = 20


class EntityPages(Controller):
    path = "/app/entities/{ref:str}"

    @get("/")
    async def entity(
        self,
        ref: EntityRef,
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        events: NamedDependency[Events],
        store: NamedDependency[Store],
        follows: NamedDependency[Follows],
    ) -> Template:
        entity = await entities.get(ref)
        found = await events.search(EventQuery(entity_id=entity.id, limit=LISTED))
        products = await store.list_for_entity(entity.id, ui.actor, PageRequest(limit=LISTED))
        members = await entities.members(entity.id)
        is_member = ui.actor is not None and any(m.user.id == ui.actor.user_id for m in members)
        return await ui.render(
            "entity.html",
            entity=entity,
            follow=await _status(ui, follows, entity),
            events=[hit.event for hit in found.items],
            products=products.items,
            members=members if is_member else [],
        )

    @get("/follow")
    async def follow_widget(
        self,
        ref: EntityRef,
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        follows: NamedDependency[Follows],
    ) -> Template:
        """The follow button and count alone: htmx polls it so the count stays live."""
        entity = await entities.get(ref)
        status = await _status(ui, follows, entity)
        return Template("partials/follow.html", context={"entity": entity, "follow": status})

    @post("/follow", status_code=200)
    async def follow(
        self,
        request: Request[Any, Any, Any],
        ref: EntityRef,
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        follows: NamedDependency[Follows],
    ) -> Template | Redirect:
        status = await follows.follow(ui.require(), ref)
        return await _answer(request, entities, ref, status)

    @post("/unfollow", status_code=200)
    async def unfollow(
        self,
        request: Request[Any, Any, Any],
        ref: EntityRef,
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        follows: NamedDependency[Follows],
    ) -> Template | Redirect:
        status = await follows.unfollow(ui.require(), ref)
        return await _answer(request, entities, ref, status)


async def _status(ui: Ui, follows: Follows, entity: Entity) -> FollowStatus:
    if ui.actor is None:
        return FollowStatus(following=False, follower_count=entity.follower_count)
    return await follows.status(ui.actor, entity.id)


async def _answer(
    request: Request[Any, Any, Any], entities: Entities, ref: str, status: FollowStatus
) -> Template | Redirect:
    """htmx swaps the widget in place; without JavaScript the form posts and comes back."""
    if request.headers.get("hx-request"):
        entity = await entities.get(ref)
        return Template("partials/follow.html", context={"entity": entity, "follow": status})
    return Redirect(path=f"/app/entities/{ref}", status_code=303)
