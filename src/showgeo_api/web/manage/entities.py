"""Create and edit an entity (its owner is whoever creates it)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from showgeo_api.routes.entities import EntityIn, EntityPatch
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode_nested, form_values
from showgeo_api.web.manage.common import EntityRef, Refused, require_team
from showgeo_domain.entities.model import Entity, EntityKind
from showgeo_domain.entities.services import Entities


class ManageEntityPages(Controller):
    path = "/app/manage"

    @get("/entities/new")
    async def new_entity_form(self, ui: NamedDependency[Ui]) -> Template:
        ui.require()
        return await _entity_form(ui, None, {"kind": EntityKind.CREATOR.value}, FormErrors())

    @post("/entities/new")
    async def new_entity(
        self,
        request: Request[Any, Any, Any],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
    ) -> Template | Redirect:
        """As `POST /entities`: the creator becomes its owner."""
        actor = ui.require()
        values = await form_values(request)
        try:
            data = decode_nested(values, EntityIn)
            entity = await entities.create(
                actor, name=data.name, slug=data.slug, kind=data.kind, bio=data.bio
            )
        except Refused as exc:
            return await _entity_form(ui, None, values, FormErrors.of(exc))
        return Redirect(path=f"/app/dashboard/{entity.slug}", status_code=303)

    @get("/entities/{ref:str}/edit")
    async def edit_entity_form(
        self, ref: EntityRef, ui: NamedDependency[Ui], entities: NamedDependency[Entities]
    ) -> Template:
        entity = await require_team(ui, entities, ref)
        values = {"name": entity.name, "slug": entity.slug, "bio": entity.bio or ""}
        return await _entity_form(ui, entity, values, FormErrors())

    @post("/entities/{ref:str}/edit")
    async def edit_entity(
        self,
        request: Request[Any, Any, Any],
        ref: EntityRef,
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
    ) -> Template | Redirect:
        """As `PATCH /entities/{ref}` with name, slug and bio; an empty bio clears it."""
        actor = ui.require()
        entity = await entities.get(ref)
        values = await form_values(request)
        typed = {
            "name": values.get("name", "").strip(),
            "slug": values.get("slug", "").strip(),
            "bio": values.get("bio", "").strip() or None,
        }
        try:
            data = msgspec.convert(typed, EntityPatch, strict=False)
            entity = await entities.update(actor, entity.id, data.to_changes())
        except Refused as exc:
            return await _entity_form(ui, entity, values, FormErrors.of(exc))
        return Redirect(path=f"/app/dashboard/{entity.slug}", status_code=303)


async def _entity_form(
    ui: Ui, entity: Entity | None, values: dict[str, str], errors: FormErrors
) -> Template:
    kinds = [(k.value, k.value.capitalize()) for k in EntityKind]
    return await ui.render(
        "manage_entity.html", entity=entity, values=values, errors=errors, kinds=kinds
    )
