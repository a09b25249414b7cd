"""Products: who sees them, how stock behaves, and the one drop a product gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showgeo_domain.shared.errors import Conflict, InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.store.domain_events import ProductCreated, ProductDropped, ProductUpdated
from showgeo_domain.store.errors import AlreadyPublished
from showgeo_domain.store.model import (
    MAX_STOCK,
    TITLE_MAX,
    Audience,
    Product,
    ProductKind,
    Visibility,
)

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)
EUR_20 = Money(2000, "EUR")

STRANGER = Audience()
FOLLOWER = Audience(is_follower=True)
MEMBER = Audience(is_member=True)
MEMBER_AND_FOLLOWER = Audience(is_member=True, is_follower=True)


def a_product(**overrides) -> Product:
    fields = {
        "entity_id": new_id(),
        "title": "Tour shirt",
        "kind": ProductKind.PHYSICAL,
        "price": EUR_20,
        "visibility": Visibility.PUBLIC,
        "now": T0,
        **overrides,
    }
    product = Product.create(**fields)
    product.pull_events()
    return product


# --- visibility ------------------------------------------------------------------------------

# (audience, visibility, published) → visible
VISIBLE = {
    (STRANGER, Visibility.PUBLIC, True): True,
    (STRANGER, Visibility.FOLLOWERS, True): False,
    (STRANGER, Visibility.HIDDEN, True): False,
    (FOLLOWER, Visibility.PUBLIC, True): True,
    (FOLLOWER, Visibility.FOLLOWERS, True): True,
    (FOLLOWER, Visibility.HIDDEN, True): False,
    (MEMBER, Visibility.PUBLIC, True): True,
    (MEMBER, Visibility.FOLLOWERS, True): True,
    (MEMBER, Visibility.HIDDEN, True): True,
    # Drafts: only the team.
    (STRANGER, Visibility.PUBLIC, False): False,
    (STRANGER, Visibility.FOLLOWERS, False): False,
    (STRANGER, Visibility.HIDDEN, False): False,
    (FOLLOWER, Visibility.PUBLIC, False): False,
    (FOLLOWER, Visibility.FOLLOWERS, False): False,
    (FOLLOWER, Visibility.HIDDEN, False): False,
    (MEMBER, Visibility.PUBLIC, False): True,
    (MEMBER, Visibility.FOLLOWERS, False): True,
    (MEMBER, Visibility.HIDDEN, False): True,
}


@pytest.mark.parametrize(
    ("audience", "visibility", "published", "expected"),
    [(*key, value) for key, value in VISIBLE.items()],
    ids=[
        f"{'member' if a.is_member else 'follower' if a.is_follower else 'stranger'}-{v}-"
        f"{'published' if p else 'draft'}"
        for a, v, p in VISIBLE
    ],
)
def test_visibility_truth_table(audience, visibility, published, expected):
    product = a_product(visibility=visibility)
    if published:
        product.publish(LATER)
    assert product.visible_to(audience) is expected


@pytest.mark.parametrize("visibility", list(Visibility))
def test_a_member_who_also_follows_sees_what_a_member_sees(visibility):
    assert a_product(visibility=visibility).visible_to(MEMBER_AND_FOLLOWER)


def test_visible_levels_and_drafts_per_audience():
    assert STRANGER.visible_levels() == {Visibility.PUBLIC}
    assert FOLLOWER.visible_levels() == {Visibility.PUBLIC, Visibility.FOLLOWERS}
    assert MEMBER.visible_levels() == set(Visibility)
    assert (STRANGER.sees_drafts, FOLLOWER.sees_drafts, MEMBER.sees_drafts) == (
        False,
        False,
        True,
    )


def test_visibility_follows_an_update():
    product = a_product(visibility=Visibility.FOLLOWERS)
    product.publish(LATER)
    assert not product.visible_to(STRANGER)
    product.update(now=LATER, visibility=Visibility.PUBLIC)
    assert product.visible_to(STRANGER)
    product.update(now=LATER, visibility=Visibility.HIDDEN)
    assert not product.visible_to(FOLLOWER)


# --- creation and stock ----------------------------------------------------------------------


def test_creation_announces_the_product():
    entity_id = new_id()
    product = Product.create(
        entity_id=entity_id,
        title="  Live album  ",
        kind=ProductKind.DIGITAL,
        price=Money(999, "EUR"),
        visibility=Visibility.HIDDEN,
        description="   ",
        now=T0,
    )
    assert (product.title, product.description, product.stock) == ("Live album", None, None)
    assert not product.is_published
    (created,) = product.pull_events()
    assert isinstance(created, ProductCreated)
    assert (created.product_id, created.entity_id, created.kind) == (
        product.id,
        entity_id,
        "DIGITAL",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": ProductKind.DIGITAL, "stock": 10}, "stock"),
        ({"kind": ProductKind.DIGITAL, "stock": 0}, "stock"),
        ({"stock": -1}, "stock"),
        ({"stock": MAX_STOCK + 1}, "stock"),
        ({"stock": True}, "stock"),
        ({"stock": 3.0}, "stock"),
        ({"price": Money(-1, "EUR")}, "price"),
        ({"title": "  "}, "title"),
        ({"title": "x" * (TITLE_MAX + 1)}, "title"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_invalid_products_are_refused_with_their_field(overrides, field):
    with pytest.raises(InvalidInput) as caught:
        a_product(**overrides)
    assert caught.value.field == field


def test_digital_products_have_no_stock_and_are_unlimited():
    product = a_product(kind=ProductKind.DIGITAL)
    assert (product.stock, product.available) == (None, None)
    with pytest.raises(InvalidInput) as caught:
        product.update(now=LATER, stock=5)
    assert caught.value.field == "stock"
    assert product.stock is None


@pytest.mark.parametrize("stock", [0, 1, MAX_STOCK])
def test_physical_stock_bounds_are_inclusive(stock):
    assert a_product(stock=stock).available == stock


def test_physical_without_stock_is_unlimited():
    product = a_product(stock=None)
    product.sold = 1_000_000
    assert product.available is None


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_available_never_negative(stock, sold, reserved):
    product = a_product(stock=stock)
    product.sold, product.reserved = sold, reserved
    assert product.available == max(0, stock - sold - reserved)


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 120))
def test_stock_cannot_drop_below_what_is_sold_or_held(sold, reserved, new_stock):
    product = a_product(stock=200)
    product.sold, product.reserved = sold, reserved
    if new_stock < sold + reserved:
        with pytest.raises(InvalidInput) as caught:
            product.update(now=LATER, stock=new_stock)
        assert caught.value.field == "stock"
        assert product.stock == 200
        assert product.pending_events == []
    else:
        product.update(now=LATER, stock=new_stock)
        assert product.stock == new_stock
        assert product.available == new_stock - sold - reserved


def test_stock_can_become_unlimited_and_limited_again():
    product = a_product(stock=10)
    product.sold = 4
    product.update(now=LATER, unlimited_stock=True)
    assert (product.stock, product.available) == (None, None)
    product.update(now=LATER, stock=4)
    assert (product.stock, product.available) == (4, 0)


# --- publishing ------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", list(Visibility))
def test_publish_drops_once_with_price_and_visibility(visibility):
    product = a_product(visibility=visibility, price=Money(1500, "GBP"))
    product.publish(LATER)
    assert product.is_published
    assert product.published_at == product.updated_at == LATER
    (dropped,) = product.pull_events()
    assert isinstance(dropped, ProductDropped)
    assert (dropped.product_id, dropped.entity_id, dropped.title) == (
        product.id,
        product.entity_id,
        "Tour shirt",
    )
    assert (dropped.visibility, dropped.price_amount, dropped.price_currency) == (
        visibility.value,
        1500,
        "GBP",
    )
    assert dropped.occurred_at == LATER

    with pytest.raises(AlreadyPublished) as caught:
        product.publish(LATER + timedelta(hours=1))
    assert isinstance(caught.value, Conflict)
    assert product.published_at == product.updated_at == LATER
    assert product.pending_events == []


def test_the_drop_carries_the_price_at_publication():
    product = a_product()
    product.update(now=T0, price=Money(1800, "EUR"), visibility=Visibility.FOLLOWERS)
    product.pull_events()
    product.publish(LATER)
    (dropped,) = product.pull_events()
    assert (dropped.price_amount, dropped.visibility) == (1800, "FOLLOWERS")


# --- updates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"title": "Hoodie"}, ["title"]),
        ({"description": "Black, organic"}, ["description"]),
        ({"clear_description": True}, ["description"]),
        ({"price": Money(2500, "EUR")}, ["price"]),
        ({"stock": 7}, ["stock"]),
        ({"unlimited_stock": True}, ["stock"]),
        ({"visibility": Visibility.HIDDEN}, ["visibility"]),
        (
            {"title": "Hoodie", "price": Money(1, "EUR"), "visibility": Visibility.FOLLOWERS},
            ["title", "price", "visibility"],
        ),
    ],
)
def test_update_records_the_changed_fields_only(changes, fields):
    product = a_product(stock=3, description="Cotton")
    product.update(now=LATER, **changes)
    (updated,) = product.pull_events()
    assert isinstance(updated, ProductUpdated)
    assert updated.fields == fields
    assert (updated.product_id, updated.entity_id) == (product.id, product.entity_id)
    assert product.updated_at == LATER


def test_an_empty_update_records_nothing():
    product = a_product()
    product.update(now=LATER)
    assert product.pending_events == []
    assert product.updated_at == T0


def test_update_applies_the_values():
    product = a_product(description="Cotton")
    product.update(
        now=LATER, title=" Hoodie ", clear_description=True, price=Money(3000, "EUR"), stock=9
    )
    assert (product.title, product.description, product.price, product.stock) == (
        "Hoodie",
        None,
        Money(3000, "EUR"),
        9,
    )
