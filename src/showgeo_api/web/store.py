"""Store pages: an entity's products (the entity page lists them too) and a product's page
with its buy form; buying goes through the same checkout as tickets."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from showgeo_api.web.checkout import BuyForm, buy
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode, form_values
from showgeo_domain.entities.services import Entities
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.services import Orders
from showgeo_domain.shared.errors import DomainError
from showgeo_domain.store.services import Store


class StorePages(Controller):
    path = "/app/products"

    @get("/{product_id:uuid}")
    async def product(
        self,
        product_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        store: NamedDependency[Store],
        entities: NamedDependency[Entities],
    ) -> Template:
        return await _product_page(ui, store, entities, product_id, FormErrors())

    @post("/{product_id:uuid}/buy")
    async def buy_product(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        store: NamedDependency[Store],
        entities: NamedDependency[Entities],
        orders: NamedDependency[Orders],
        payments: NamedDependency[Payments],
    ) -> Template | Redirect:
        ui.require()
        try:
            form = decode(await form_values(request), BuyForm)
            return await buy(
                ui,
                orders,
                payments,
                msgspec.structs.replace(form, product_id=product_id, ticket_type_id=None),
            )
        except (DomainError, msgspec.ValidationError) as exc:
            return await _product_page(ui, store, entities, product_id, FormErrors.of(exc))


async def _product_page(
    ui: Ui, store: Store, entities: Entities, product_id: UUID, errors: FormErrors
) -> Template:
    product = await store.get(product_id, ui.actor)
    entity = await entities.get(product.entity_id)
    return await ui.render(
        "product.html",
        product=product,
        entity=entity,
        errors=errors,
        idempotency_key=uuid.uuid4().hex,
    )
