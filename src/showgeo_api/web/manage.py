"""Creator management pages: create and edit an entity, run its team, create and edit its
events and their ticket types, create and edit products and publish them (the drop). Each
form is decoded with the struct the JSON route decodes (`EntityIn`, `EntityPatch`,
`MemberIn`, `MemberRoleIn`, `EventIn`, `EventPatch`, `TicketTypeIn`, `ProductIn`,
`ProductPatch`) and handed to the same use case, which decides who may do what; a refusal
comes back as the form with the problem's messages beside the fields.

The forms' only conversions are of what people type: prices in major units and local times
with a time zone (`web.inputs`)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from msgspec import UNSET, Meta

from showgeo_api.routes.entities import EntityIn, EntityPatch, MemberIn, MemberRoleIn
from showgeo_api.routes.events import EventIn, EventPatch, TicketTypeIn, VenueIn, utc
from showgeo_api.routes.schemas import MoneyIn
from showgeo_api.routes.store import ProductIn, ProductPatch
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode, decode_nested, form_values, nest
from showgeo_api.web.inputs import DEFAULT_ZONE, instants, minor_units, zone
from showgeo_domain.entities.model import Entity, EntityKind, MemberRole
from showgeo_domain.entities.services import EntityChanges
from showgeo_domain.events.model import Event
from showgeo_domain.events.services import EventChanges, EventDetails, TicketTypeDetails
from showgeo_domain.identity.services import UserNotFound
from showgeo_domain.shared.errors import DomainError, InvalidInput, PermissionDenied
from showgeo_domain.store.model import Product, ProductKind, Visibility
from showgeo_domain.store.services import ProductChanges, ProductDetails

EntityRef = Annotated[str, Meta(min_length=1, max_length=64)]
ZoneName = Annotated[str, Meta(max_length=64)]
VENUE_FIELDS = ("venue.name", "venue.lat", "venue.lon", "venue.country")
Refused = (DomainError, msgspec.ValidationError)


async def require_team(ui: Ui, ref: str) -> Entity:
    """The entity, for a member of its team or an admin: the management forms are not shown
    to anyone else (the use cases check again, with each member's role, when a form posts)."""
    actor = ui.require()
    entity = await ui.container.entities().get(ref)
    members = await ui.container.entities().members(entity.id)
    if not actor.is_admin and all(m.user.id != actor.user_id for m in members):
        raise PermissionDenied(f"only the team of {entity.name} can manage it")
    return entity


class ManagePages(Controller):
    path = "/app/manage"

    # --- entities ------------------------------------------------------------------------

    @get("/entities/new")
    async def new_entity_form(self, ui: NamedDependency[Ui]) -> Template:
        ui.require()
        return await _entity_form(ui, None, {"kind": EntityKind.CREATOR.value}, FormErrors())

    @post("/entities/new")
    async def new_entity(
        self, request: Request[Any, Any, Any], ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        """As `POST /entities`: the creator becomes its owner."""
        actor = ui.require()
        values = await form_values(request)
        try:
            data = decode_nested(values, EntityIn)
            entity = await ui.container.entities().create(
                actor, name=data.name, slug=data.slug, kind=data.kind, bio=data.bio
            )
        except Refused as exc:
            return await _entity_form(ui, None, values, FormErrors.of(exc))
        return Redirect(path=f"/app/dashboard/{entity.slug}", status_code=303)

    @get("/entities/{ref:str}/edit")
    async def edit_entity_form(self, ref: EntityRef, ui: NamedDependency[Ui]) -> Template:
        entity = await require_team(ui, ref)
        values = {"name": entity.name, "slug": entity.slug, "bio": entity.bio or ""}
        return await _entity_form(ui, entity, values, FormErrors())

    @post("/entities/{ref:str}/edit")
    async def edit_entity(
        self, request: Request[Any, Any, Any], ref: EntityRef, ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        """As `PATCH /entities/{ref}` with name, slug and bio; an empty bio clears it."""
        actor = ui.require()
        entity = await ui.container.entities().get(ref)
        values = await form_values(request)
        typed = {
            "name": values.get("name", "").strip(),
            "slug": values.get("slug", "").strip(),
            "bio": values.get("bio", "").strip() or None,
        }
        try:
            data = msgspec.convert(typed, EntityPatch, strict=False)
            changes = EntityChanges(
                name=None if data.name is UNSET else data.name,
                slug=None if data.slug is UNSET else data.slug,
                bio=None if data.bio is UNSET else data.bio,
                clear_bio=data.bio is None,
            )
            entity = await ui.container.entities().update(actor, entity.id, changes)
        except Refused as exc:
            return await _entity_form(ui, entity, values, FormErrors.of(exc))
        return Redirect(path=f"/app/dashboard/{entity.slug}", status_code=303)

    # --- team ----------------------------------------------------------------------------

    @get("/entities/{ref:str}/team")
    async def team(self, ref: EntityRef, ui: NamedDependency[Ui]) -> Template:
        entity = await ui.container.entities().get(ref)
        return await _team_page(ui, entity, {}, FormErrors())

    @post("/entities/{ref:str}/team")
    async def add_member(
        self, request: Request[Any, Any, Any], ref: EntityRef, ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        """As `POST /entities/{ref}/members`: adds the user, or sets their role when they are
        already a member."""
        actor = ui.require()
        entity = await ui.container.entities().get(ref)
        values = await form_values(request)
        try:
            data = decode(values, MemberIn)
            await ui.container.entities().add_member(
                actor, entity.id, username=data.username, role=data.role
            )
        except Refused as exc:
            errors = FormErrors.of(exc)
            if isinstance(exc, UserNotFound):  # the API names no field: it is the username
                errors.fields.setdefault("username", exc.detail)
            return await _team_page(ui, entity, values, errors)
        return Redirect(path=_team_path(entity), status_code=303)

    @post("/entities/{ref:str}/team/{user_id:uuid}/role")
    async def change_member_role(
        self,
        request: Request[Any, Any, Any],
        ref: EntityRef,
        user_id: FromPath[UUID],
        ui: NamedDependency[Ui],
    ) -> Template | Redirect:
        """As `PATCH /entities/{ref}/members/{user_id}`."""
        actor = ui.require()
        entity = await ui.container.entities().get(ref)
        values = await form_values(request)
        try:
            data = decode(values, MemberRoleIn)
            await ui.container.entities().change_member_role(actor, entity.id, user_id, data.role)
        except Refused as exc:
            return await _team_page(ui, entity, {}, FormErrors(), user_id, FormErrors.of(exc))
        return Redirect(path=_team_path(entity), status_code=303)

    @post("/entities/{ref:str}/team/{user_id:uuid}/remove")
    async def remove_member(
        self, ref: EntityRef, user_id: FromPath[UUID], ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        """As `DELETE /entities/{ref}/members/{user_id}`; a member who leaves goes to their
        dashboard (the team page is no longer theirs)."""
        actor = ui.require()
        entity = await ui.container.entities().get(ref)
        try:
            await ui.container.entities().remove_member(actor, entity.id, user_id)
        except Refused as exc:
            return await _team_page(ui, entity, {}, FormErrors(), user_id, FormErrors.of(exc))
        if user_id == actor.user_id:
            return Redirect(path="/app/dashboard", status_code=303)
        return Redirect(path=_team_path(entity), status_code=303)

    # --- events and ticket types -----------------------------------------------------------

    @get("/entities/{ref:str}/events/new")
    async def new_event_form(self, ref: EntityRef, ui: NamedDependency[Ui]) -> Template:
        entity = await require_team(ui, ref)
        values = {"time_zone": DEFAULT_ZONE}
        return await ui.render(
            "manage_event_new.html", entity=entity, values=values, errors=FormErrors()
        )

    @post("/entities/{ref:str}/events/new")
    async def new_event(
        self, request: Request[Any, Any, Any], ref: EntityRef, ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        """As `POST /entities/{ref}/events`; times are read in the form's time zone."""
        actor = ui.require()
        entity = await ui.container.entities().get(ref)
        values = await form_values(request)
        try:
            typed = instants(values, ("starts_at", "ends_at"))
            if "venue.country" in typed:
                typed["venue.country"] = typed["venue.country"].upper()
            data = decode_nested(typed, EventIn)
            details = EventDetails(
                title=data.title,
                description=data.description,
                starts_at=data.starts_at.astimezone(UTC),
                ends_at=utc(data.ends_at),
                venue=data.venue.to_venue() if data.venue else None,
            )
            event = await ui.container.events().create(actor, entity.id, details)
        except Refused as exc:
            return await ui.render(
                "manage_event_new.html", entity=entity, values=values, errors=FormErrors.of(exc)
            )
        return Redirect(path=f"/app/manage/events/{event.id}", status_code=303)

    @get("/events/{event_id:uuid}")
    async def event(self, event_id: FromPath[UUID], ui: NamedDependency[Ui]) -> Template:
        return await _event_page(ui, event_id, {"price.currency": "EUR"}, FormErrors())

    @post("/events/{event_id:uuid}/ticket-types")
    async def add_ticket_type(
        self, request: Request[Any, Any, Any], event_id: FromPath[UUID], ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        """As `POST /events/{id}/ticket-types`, the price typed in major units."""
        actor = ui.require()
        values = await form_values(request)
        try:
            typed = minor_units(instants(values, ("sales_start", "sales_end")))
            data = decode_nested(typed, TicketTypeIn)
            details = TicketTypeDetails(
                name=data.name,
                price=data.price.to_money(),
                quota=data.quota,
                sales_start=utc(data.sales_start),
                sales_end=utc(data.sales_end),
            )
            await ui.container.events().add_ticket_type(actor, event_id, details)
        except Refused as exc:
            return await _event_page(ui, event_id, values, FormErrors.of(exc))
        return Redirect(path=f"/app/manage/events/{event_id}", status_code=303)

    @get("/events/{event_id:uuid}/edit")
    async def edit_event_form(
        self,
        event_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        time_zone: FromQuery[ZoneName] = DEFAULT_ZONE,
    ) -> Template:
        """The event's fields, its times shown in `time_zone` (UTC unless the page's small
        form names another: the API keeps no zone per event)."""
        event = await ui.container.events().get(event_id)
        errors = FormErrors()
        try:
            zone(time_zone)
        except InvalidInput as exc:
            errors = FormErrors(f"{exc.detail}; the times are shown in UTC")
            time_zone = DEFAULT_ZONE
        return await _event_form(ui, event, _event_values(event, time_zone), errors)

    @post("/events/{event_id:uuid}/edit")
    async def edit_event(
        self, request: Request[Any, Any, Any], event_id: FromPath[UUID], ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        """As `PATCH /events/{id}` with every field of the form, times read in its time zone:
        an empty description, end or venue clears it."""
        actor = ui.require()
        values = await form_values(request)
        try:
            data = msgspec.convert(_event_patch(values), EventPatch, strict=False)
            changes = EventChanges(
                title=None if data.title is UNSET else data.title,
                description=None if data.description is UNSET else data.description,
                clear_description=data.description is None,
                starts_at=None if data.starts_at is UNSET else utc(data.starts_at),
                ends_at=None if data.ends_at is UNSET else utc(data.ends_at),
                clear_ends_at=data.ends_at is None,
                venue=data.venue.to_venue() if isinstance(data.venue, VenueIn) else None,
                clear_venue=data.venue is None,
            )
            await ui.container.events().update(actor, event_id, changes)
        except Refused as exc:
            event = await ui.container.events().get(event_id)
            return await _event_form(ui, event, values, FormErrors.of(exc))
        return Redirect(path=f"/app/manage/events/{event_id}", status_code=303)

    # --- products ------------------------------------------------------------------------

    @get("/entities/{ref:str}/products/new")
    async def new_product_form(self, ref: EntityRef, ui: NamedDependency[Ui]) -> Template:
        entity = await require_team(ui, ref)
        values = {
            "kind": ProductKind.DIGITAL.value,
            "visibility": Visibility.PUBLIC.value,
            "price.currency": "EUR",
        }
        return await _product_form(ui, entity, values, FormErrors())

    @post("/entities/{ref:str}/products/new")
    async def new_product(
        self, request: Request[Any, Any, Any], ref: EntityRef, ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        """As `POST /entities/{ref}/products`: a draft, published now or later from the
        dashboard (publishing is the drop: followers who may see it are told)."""
        actor = ui.require()
        entity = await ui.container.entities().get(ref)
        values = await form_values(request)
        store = ui.container.store()
        try:
            data = decode_nested(
                minor_units({k: v for k, v in values.items() if k != "drop"}), ProductIn
            )
            details = ProductDetails(
                title=data.title,
                kind=data.kind,
                price=data.price.to_money(),
                visibility=data.visibility,
                description=data.description,
                stock=data.stock,
                asset_id=None,
            )
            product = await store.create(actor, entity.id, details)
            if values.get("drop") == "now":
                await store.publish(actor, product.id)
        except Refused as exc:
            return await _product_form(ui, entity, values, FormErrors.of(exc))
        return Redirect(path=f"/app/products/{product.id}", status_code=303)

    @get("/products/{product_id:uuid}/edit")
    async def edit_product_form(
        self, product_id: FromPath[UUID], ui: NamedDependency[Ui]
    ) -> Template:
        product = await ui.container.store().get(product_id, ui.require())
        return await _product_edit_form(ui, product, _product_values(product), FormErrors())

    @post("/products/{product_id:uuid}/edit")
    async def edit_product(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[UUID],
        ui: NamedDependency[Ui],
    ) -> Template | Redirect:
        """As `PATCH /products/{id}` with every field of the form, the price in major units:
        an empty description clears it, an empty stock makes it unlimited (physical products
        only: the form of a digital one has no stock)."""
        actor = ui.require()
        values = await form_values(request)
        store = ui.container.store()
        try:
            data = msgspec.convert(_product_patch(values), ProductPatch, strict=False)
            changes = ProductChanges(
                title=None if data.title is UNSET else data.title,
                description=None if data.description is UNSET else data.description,
                clear_description=data.description is None,
                price=data.price.to_money() if isinstance(data.price, MoneyIn) else None,
                stock=None if data.stock is UNSET else data.stock,
                unlimited_stock=data.stock is None,
                visibility=None if data.visibility is UNSET else data.visibility,
            )
            product = await store.update(actor, product_id, changes)
        except Refused as exc:
            errors = FormErrors.of(exc)
            if "price" in errors.fields:  # the domain names the whole price: it is the amount
                errors.fields.setdefault("price.amount", errors.fields.pop("price"))
            product = await store.get(product_id, actor)
            return await _product_edit_form(ui, product, values, errors)
        return Redirect(path=f"/app/products/{product.id}", status_code=303)

    @post("/products/{product_id:uuid}/publish")
    async def publish(self, product_id: FromPath[UUID], ui: NamedDependency[Ui]) -> Redirect:
        """As `POST /products/{id}/publish` (a refusal is the error page)."""
        await ui.container.store().publish(ui.require(), product_id)
        return Redirect(path=f"/app/products/{product_id}", status_code=303)


async def _entity_form(
    ui: Ui, entity: Entity | None, values: dict[str, str], errors: FormErrors
) -> Template:
    kinds = [(k.value, k.value.capitalize()) for k in EntityKind]
    return await ui.render(
        "manage_entity.html", entity=entity, values=values, errors=errors, kinds=kinds
    )


def _team_path(entity: Entity) -> str:
    return f"/app/manage/entities/{entity.slug}/team"


async def _team_page(
    ui: Ui,
    entity: Entity,
    values: dict[str, str],
    errors: FormErrors,
    row: UUID | None = None,
    row_errors: FormErrors | None = None,
) -> Template:
    """The team with a role form and a remove button per member, and the form adding one;
    `errors` are the adding form's, `row_errors` those of the member `row`'s forms."""
    entity = await require_team(ui, str(entity.id))
    members = await ui.container.entities().members(entity.id)
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


VISIBILITIES = [
    (Visibility.PUBLIC.value, "Everyone"),
    (Visibility.FOLLOWERS.value, "Followers only"),
    (Visibility.HIDDEN.value, "Hidden (only the team)"),
]


async def _product_form(
    ui: Ui, entity: Entity, values: dict[str, str], errors: FormErrors
) -> Template:
    return await ui.render(
        "manage_product_new.html",
        entity=entity,
        values=values,
        errors=errors,
        kinds=[(k.value, k.value.capitalize()) for k in ProductKind],
        visibilities=VISIBILITIES,
    )


async def _product_edit_form(
    ui: Ui, product: Product, values: dict[str, str], errors: FormErrors
) -> Template:
    """The form is the team's (the use case decides, per role, whether it may be saved)."""
    entity = await require_team(ui, str(product.entity_id))
    return await ui.render(
        "manage_product_edit.html",
        entity=entity,
        product=product,
        values=values,
        errors=errors,
        visibilities=VISIBILITIES,
        physical=product.kind is ProductKind.PHYSICAL,
    )


def _product_values(product: Product) -> dict[str, str]:
    price = product.price
    return {
        "title": product.title,
        "description": product.description or "",
        "price.amount": str(Decimal(price.amount).scaleb(-price.exponent)),
        "price.currency": price.currency,
        "stock": "" if product.stock is None else str(product.stock),
        "visibility": product.visibility.value,
    }


def _product_patch(values: dict[str, str]) -> dict[str, Any]:
    """The whole form as a `ProductPatch` body; `stock` only when the form has it."""
    _required(values, ("price.amount", "price.currency"))
    typed = minor_units(values)
    patch: dict[str, Any] = {
        "title": typed.get("title", "").strip(),
        "description": typed.get("description", "").strip() or None,
        "price": nest({k: v for k, v in typed.items() if k.startswith("price.")})["price"],
        "visibility": typed.get("visibility", "").strip(),
    }
    if "stock" in typed:
        patch["stock"] = typed["stock"].strip() or None
    return patch


async def _event_form(ui: Ui, event: Event, values: dict[str, str], errors: FormErrors) -> Template:
    """The form is the team's (the use case decides whether it may be saved: collaborators
    may, and no one once the event is over or cancelled)."""
    entity = await require_team(ui, str(event.entity_id))
    return await ui.render(
        "manage_event_edit.html", entity=entity, event=event, values=values, errors=errors
    )


def _event_values(event: Event, time_zone: str) -> dict[str, str]:
    tz = zone(time_zone)

    def local(moment: datetime | None) -> str:
        if moment is None:
            return ""
        shown = moment.astimezone(tz).replace(tzinfo=None)
        whole_minute = shown.second == 0 and shown.microsecond == 0
        return shown.isoformat(timespec="minutes" if whole_minute else "seconds")

    venue = event.venue
    return {
        "title": event.title,
        "description": event.description or "",
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "time_zone": time_zone,
        "venue.name": venue.name if venue else "",
        "venue.lat": str(venue.lat) if venue else "",
        "venue.lon": str(venue.lon) if venue else "",
        "venue.country": venue.country if venue else "",
    }


def _event_patch(values: dict[str, str]) -> dict[str, Any]:
    """The whole form as an `EventPatch` body, times read in its time zone: empty
    description, end and venue (all four fields) are `null`, which clears them."""
    _required(values, ("starts_at",))
    venue = {k: values.get(k, "").strip() for k in VENUE_FIELDS}
    if any(venue.values()):
        _required(venue, VENUE_FIELDS, "is required for a venue (or leave all four empty)")
        venue["venue.country"] = venue["venue.country"].upper()
    typed = instants(values, ("starts_at", "ends_at"))
    return {
        "title": typed.get("title", "").strip(),
        "description": typed.get("description", "").strip() or None,
        "starts_at": typed["starts_at"],
        "ends_at": typed.get("ends_at", "").strip() or None,
        "venue": nest(venue).get("venue"),
    }


def _required(values: dict[str, str], names: tuple[str, ...], message: str = "is required") -> None:
    """The first of `names` left empty, refused beside its field (msgspec would name only
    the group of a dotted field, or say nothing useful of an empty time)."""
    for name in names:
        if not values.get(name, "").strip():
            raise InvalidInput(message, field=name)


async def _event_page(
    ui: Ui, event_id: UUID, values: dict[str, str], errors: FormErrors
) -> Template:
    listed = await ui.container.events().ticket_types(event_id)
    event = listed.event
    entity = await require_team(ui, str(event.entity_id))
    return await ui.render(
        "manage_event.html",
        entity=entity,
        event=event,
        ticket_types=listed.items,
        values={"time_zone": DEFAULT_ZONE, **values},
        errors=errors,
    )
