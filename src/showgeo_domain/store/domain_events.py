from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent


class StoreEvent(DomainEvent, frozen=True, kw_only=True):
    context: ClassVar[str] = "store"


class ProductCreated(StoreEvent, frozen=True, kw_only=True):
    product_id: UUID
    entity_id: UUID
    kind: str


class ProductUpdated(StoreEvent, frozen=True, kw_only=True):
    product_id: UUID
    entity_id: UUID
    fields: list[str]


class ProductDropped(StoreEvent, frozen=True, kw_only=True):
    """A product was published (→ NEW_DROP to the followers allowed to see it)."""

    product_id: UUID
    entity_id: UUID
    title: str
    visibility: str
    price_amount: int
    price_currency: str


class ProductUnpublished(StoreEvent, frozen=True, kw_only=True):
    """A published product went back to a draft: only the team sees it, nobody can buy it."""

    product_id: UUID
    entity_id: UUID


class ProductWithdrawn(StoreEvent, frozen=True, kw_only=True):
    """A product was archived: no longer listed nor sold; orders that hold it keep it."""

    product_id: UUID
    entity_id: UUID
