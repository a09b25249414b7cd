"""Products and who may see them.

A product is a draft until published; drafts and HIDDEN products are seen only by the
entity's team. Published FOLLOWERS products are seen by followers, PUBLIC ones by everyone.
`Product.visible_to` is the single rule every read path (lists included) applies.

Archiving withdraws a product for good: it leaves every list and every sale, but stays
readable by the team, and orders that hold it keep its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.text import optional_text, required_text
from showgeo_domain.store.domain_events import (
    ProductCreated,
    ProductDropped,
    ProductUnpublished,
    ProductUpdated,
    ProductWithdrawn,
)
from showgeo_domain.store.errors import AlreadyPublished, NotPublished, ProductArchived

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
MAX_STOCK = 10_000_000


class ProductKind(StrEnum):
    DIGITAL = "DIGITAL"
    PHYSICAL = "PHYSICAL"


class Visibility(StrEnum):
    PUBLIC = "PUBLIC"
    FOLLOWERS = "FOLLOWERS"
    HIDDEN = "HIDDEN"


@dataclass(frozen=True, slots=True)
class Audience:
    """What the store needs to know about a viewer of one entity's products."""

    is_member: bool = False
    is_follower: bool = False

    def visible_levels(self) -> frozenset[Visibility]:
        if self.is_member:
            return frozenset(Visibility)
        if self.is_follower:
            return frozenset({Visibility.PUBLIC, Visibility.FOLLOWERS})
        return frozenset({Visibility.PUBLIC})

    @property
    def sees_drafts(self) -> bool:
        return self.is_member


def _check_stock(kind: ProductKind, stock: int | None) -> None:
    if stock is None:
        return
    if kind is ProductKind.DIGITAL:
        raise InvalidInput("digital products have no stock", field="stock")
    if type(stock) is not int or not 0 <= stock <= MAX_STOCK:
        raise InvalidInput(f"stock must be between 0 and {MAX_STOCK}", field="stock")


@dataclass(eq=False)
class Product(RecordsEvents):
    """`stock` None means unlimited. `sold`/`reserved` are moved by the repository with
    conditional updates, like ticket quotas, and never written back from a copy."""

    id: UUID
    entity_id: UUID
    title: str
    kind: ProductKind
    price: Money
    visibility: Visibility
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    stock: int | None = None
    sold: int = 0
    reserved: int = 0
    asset_id: UUID | None = None
    published_at: datetime | None = None
    archived_at: datetime | None = None
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls,
        *,
        entity_id: UUID,
        title: str,
        kind: ProductKind,
        price: Money,
        visibility: Visibility,
        now: datetime,
        description: str | None = None,
        stock: int | None = None,
        asset_id: UUID | None = None,
    ) -> Product:
        if price.is_negative:
            raise InvalidInput("price must not be negative", field="price")
        _check_stock(kind, stock)
        product = cls(
            id=new_id(),
            entity_id=entity_id,
            title=required_text(title, field="title", max_length=TITLE_MAX),
            kind=kind,
            price=price,
            visibility=visibility,
            description=optional_text(description, field="description", max_length=DESCRIPTION_MAX),
            stock=stock,
            asset_id=asset_id,
            created_at=now,
            updated_at=now,
        )
        product.record(
            ProductCreated(occurred_at=now, product_id=product.id, entity_id=entity_id, kind=kind)
        )
        return product

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def available(self) -> int | None:
        """Units left to sell; None when stock is unlimited."""
        if self.stock is None:
            return None
        return max(0, self.stock - self.sold - self.reserved)

    def visible_to(self, audience: Audience) -> bool:
        if audience.is_member:
            return True
        return self.is_published and self.visibility in audience.visible_levels()

    def update(
        self,
        *,
        now: datetime,
        title: str | None = None,
        description: str | None = None,
        clear_description: bool = False,
        price: Money | None = None,
        stock: int | None = None,
        unlimited_stock: bool = False,
        visibility: Visibility | None = None,
    ) -> None:
        self._check_not_archived()
        changed: list[str] = []
        if title is not None:
            self.title = required_text(title, field="title", max_length=TITLE_MAX)
            changed.append("title")
        if description is not None or clear_description:
            self.description = optional_text(
                description, field="description", max_length=DESCRIPTION_MAX
            )
            changed.append("description")
        if price is not None:
            if price.is_negative:
                raise InvalidInput("price must not be negative", field="price")
            self.price = price
            changed.append("price")
        if stock is not None or unlimited_stock:
            _check_stock(self.kind, stock)
            if stock is not None and stock < self.sold + self.reserved:
                raise InvalidInput(
                    f"stock cannot go below the {self.sold + self.reserved} units sold or held",
                    field="stock",
                )
            self.stock = stock
            changed.append("stock")
        if visibility is not None:
            self.visibility = visibility
            changed.append("visibility")
        if changed:
            self.updated_at = now
            self.record(
                ProductUpdated(
                    occurred_at=now, product_id=self.id, entity_id=self.entity_id, fields=changed
                )
            )

    def publish(self, now: datetime) -> None:
        self._check_not_archived()
        if self.is_published:
            raise AlreadyPublished("this product is already published")
        self.published_at = now
        self.updated_at = now
        self.record(
            ProductDropped(
                occurred_at=now,
                product_id=self.id,
                entity_id=self.entity_id,
                title=self.title,
                visibility=self.visibility.value,
                price_amount=self.price.amount,
                price_currency=self.price.currency,
            )
        )

    def unpublish(self, now: datetime) -> None:
        """Back to a draft: hidden from everyone outside the team and no longer sold; units
        already held or sold stay with their orders. Publishing it again is a new drop."""
        self._check_not_archived()
        if not self.is_published:
            raise NotPublished("this product is a draft already")
        self.published_at = None
        self.updated_at = now
        self.record(
            ProductUnpublished(occurred_at=now, product_id=self.id, entity_id=self.entity_id)
        )

    def archive(self, now: datetime) -> None:
        """Withdraw it for good (unpublished too, so no path sells it); the row stays, since
        orders point at it."""
        self._check_not_archived()
        self.published_at = None
        self.archived_at = now
        self.updated_at = now
        self.record(ProductWithdrawn(occurred_at=now, product_id=self.id, entity_id=self.entity_id))

    def _check_not_archived(self) -> None:
        if self.is_archived:
            raise ProductArchived("this product is archived: it can no longer change")
