"""An entity's store: create and edit products, and publish them (the drop)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from showgeo_api.routes.store import ProductIn, ProductPatch
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode_nested, form_values, nest
from showgeo_api.web.inputs import minor_units
from showgeo_api.web.manage.common import EntityRef, Refused, require_team, required
from showgeo_domain.entities.model import Entity
from showgeo_domain.entities.services import Entities
from showgeo_domain.store.model import Product, ProductKind, Visibility
from showgeo_domain.store.services import ProductDetails, Store


class ManageProductPages(Controller):
    path = "/app/manage"

    @get("/entities/{ref:str}/products/new")
    async def new_product_form(
        self, ref: EntityRef, ui: NamedDependency[Ui], entities: NamedDependency[Entities]
    ) -> Template:
        entity = await require_team(ui, entities, ref)
        values = {
            "kind": ProductKind.DIGITAL.value,
            "visibility": Visibility.PUBLIC.value,
            "price.currency": "EUR",
        }
        return await _product_form(ui, entity, values, FormErrors())

    @post("/entities/{ref:str}/products/new")
    async def new_product(
        self,
        request: Request[Any, Any, Any],
        ref: EntityRef,
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        store: NamedDependency[Store],
    ) -> Template | Redirect:
        """As `POST /entities/{ref}/products`: a draft, published now or later from the
        dashboard (publishing is the drop: followers who may see it are told)."""
        actor = ui.require()
        entity = await entities.get(ref)
        values = await form_values(request)
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
        self,
        product_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        store: NamedDependency[Store],
    ) -> Template:
        product = await store.get(product_id, ui.require())
        return await _product_edit_form(
            ui, entities, product, _product_values(product), FormErrors()
        )

    @post("/products/{product_id:uuid}/edit")
    async def edit_product(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        store: NamedDependency[Store],
    ) -> Template | Redirect:
        """As `PATCH /products/{id}` with every field of the form, the price in major units:
        an empty description clears it, an empty stock makes it unlimited (physical products
        only: the form of a digital one has no stock)."""
        actor = ui.require()
        values = await form_values(request)
        try:
            data = msgspec.convert(_product_patch(values), ProductPatch, strict=False)
            product = await store.update(actor, product_id, data.to_changes())
        except Refused as exc:
            errors = FormErrors.of(exc)
            if "price" in errors.fields:  # the domain names the whole price: it is the amount
                errors.fields.setdefault("price.amount", errors.fields.pop("price"))
            product = await store.get(product_id, actor)
            return await _product_edit_form(ui, entities, product, values, errors)
        return Redirect(path=f"/app/products/{product.id}", status_code=303)

    @post("/products/{product_id:uuid}/publish")
    async def publish(
        self, product_id: FromPath[UUID], ui: NamedDependency[Ui], store: NamedDependency[Store]
    ) -> Redirect:
        """As `POST /products/{id}/publish` (a refusal is the error page)."""
        await store.publish(ui.require(), product_id)
        return Redirect(path=f"/app/products/{product_id}", status_code=303)


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
    ui: Ui, entities: Entities, product: Product, values: dict[str, str], errors: FormErrors
) -> Template:
    """The form is the team's (the use case decides, per role, whether it may be saved)."""
    entity = await require_team(ui, entities, str(product.entity_id))
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
    required(values, ("price.amount", "price.currency"))
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
