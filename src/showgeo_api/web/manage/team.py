"""An entity's team: add a member by username, change a role, remove one or leave."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from showgeo_api.routes.entities import MemberIn, MemberRoleIn
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode, form_values
from showgeo_api.web.manage.common import EntityRef, Refused, require_team
from showgeo_domain.entities.model import Entity, MemberRole
from showgeo_domain.entities.services import Entities
from showgeo_domain.identity.services import UserNotFound


class ManageTeamPages(Controller):
    path = "/app/manage"

    @get("/entities/{ref:str}/team")
    async def team(
        self, ref: EntityRef, ui: NamedDependency[Ui], entities: NamedDependency[Entities]
    ) -> Template:
        entity = await entities.get(ref)
        return await _team_page(ui, entities, entity, {}, FormErrors())

    @post("/entities/{ref:str}/team")
    async def add_member(
        self,
        request: Request[Any, Any, Any],
        ref: EntityRef,
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
    ) -> Template | Redirect:
        """As `POST /entities/{ref}/members`: adds the user, or sets their role when they are
        already a member."""
        actor = ui.require()
        entity = await entities.get(ref)
        values = await form_values(request)
        try:
            data = decode(values, MemberIn)
            await entities.add_member(actor, entity.id, username=data.username, role=data.role)
        except Refused as exc:
            errors = FormErrors.of(exc)
            if isinstance(exc, UserNotFound):  # the API names no field: it is the username
                errors.fields.setdefault("username", exc.detail)
            return await _team_page(ui, entities, entity, values, errors)
        return Redirect(path=_team_path(entity), status_code=303)

    @post("/entities/{ref:str}/team/{user_id:uuid}/role")
    async def change_member_role(
        self,
        request: Request[Any, Any, Any],
        ref: EntityRef,
        user_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
    ) -> Template | Redirect:
        """As `PATCH /entities/{ref}/members/{user_id}`."""
        actor = ui.require()
        entity = await entities.get(ref)
        values = await form_values(request)
        try:
            data = decode(values, MemberRoleIn)
            await entities.change_member_role(actor, entity.id, user_id, data.role)
        except Refused as exc:
            return await _team_page(
                ui, entities, entity, {}, FormErrors(), user_id, FormErrors.of(exc)
            )
        return Redirect(path=_team_path(entity), status_code=303)

    @post("/entities/{ref:str}/team/{user_id:uuid}/remove")
    async def remove_member(
        self,
        ref: EntityRef,
        user_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
    ) -> Template | Redirect:
        """As `DELETE /entities/{ref}/members/{user_id}`; a member who leaves goes to their
        dashboard (the team page is no longer theirs)."""
        actor = ui.require()
        entity = await entities.get(ref)
        try:
            await entities.remove_member(actor, entity.id, user_id)
        except Refused as exc:
            return await _team_page(
                ui, entities, entity, {}, FormErrors(), user_id, FormErrors.of(exc)
            )
        if user_id == actor.user_id:
            return Redirect(path="/app/dashboard", status_code=303)
        return Redirect(path=_team_path(entity), status_code=303)


def _team_path(entity: Entity) -> str:
    return f"/app/manage/entities/{entity.slug}/team"


async def _team_page(
    ui: Ui,
    entities: Entities,
    entity: Entity,
    values: dict[str, str],
    errors: FormErrors,
    row: UUID | None = None,
    row_errors: FormErrors | None = None,
) -> Template:
    """The team with a role form and a remove button per member, and the form adding one;
    `errors` are the adding form's, `row_errors` those of the member `row`'s forms."""
    entity = await require_team(ui, entities, str(entity.id))
    members = await entities.members(entity.id)
    return await ui.render(
        "manage_team.html",
        entity=entity,
        members=members,
        errors=errors,
        row=row,
        row_errors=row_errors or FormErrors(),
        values={"role": MemberRole.COLLABORATOR.value, **values},
        roles=[(r.value, r.value.capitalize()) for r in MemberRole],
    )
