"""Products, created through `Product.create` and published through `Product.publish`."""

from __future__ import annotations

from uuid import UUID

from hypothesis import strategies as st

from showgeo_domain.store.model import (
    DESCRIPTION_MAX,
    MAX_STOCK,
    TITLE_MAX,
    Product,
    ProductKind,
    Visibility,
)
from showgeo_domain.testing.values import moments, optional_texts, prices, steps, texts

_UUIDS = st.uuids(version=4)
_BOOLS = st.booleans()
_KINDS = st.sampled_from(ProductKind)
_VISIBILITIES = st.sampled_from(Visibility)
_STOCKS = st.none() | st.integers(0, MAX_STOCK)


@st.composite
def products(
    draw: st.DrawFn,
    *,
    entity_id: UUID | None = None,
    kind: ProductKind | None = None,
    visibility: Visibility | None = None,
    published: bool | None = None,
    currency: str | None = None,
) -> Product:
    """A product of `entity_id`: digital (no stock) or physical (a stock of 0 to ten million,
    or unlimited), a draft or published (the drop happened), no pending events."""
    kind = kind or draw(_KINDS)
    stock = None if kind is ProductKind.DIGITAL else draw(_STOCKS)
    created_at = draw(moments())
    product = Product.create(
        entity_id=entity_id or draw(_UUIDS),
        title=draw(texts(max_length=TITLE_MAX)),
        description=draw(optional_texts(max_length=DESCRIPTION_MAX)),
        kind=kind,
        price=draw(prices(currency=currency)),
        visibility=visibility or draw(_VISIBILITIES),
        stock=stock,
        now=created_at,
    )
    if published if published is not None else draw(_BOOLS):
        product.publish(created_at + draw(steps()))
    product.pull_events()
    return product
