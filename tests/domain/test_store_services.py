"""Store use cases on the memory adapters: who may sell, who may see, and what reaches the
outbox. Reading a product one may not see looks exactly like reading one that does not exist."""

from __future__ import annotations

import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.entities.errors import EntityNotFound, EntityPermissionDenied
from showgeo_domain.shared.errors import InvalidInput, NotFound
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest, decode_cursor
from showgeo_domain.store.domain_events import ProductCreated, ProductDropped, ProductUpdated
from showgeo_domain.store.errors import AlreadyPublished, ProductNotFound
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductChanges, ProductDetails, Store
from tests.domain.conftest import events_of

STORE_MANAGERS = ["olga", "adam"]
NOT_STORE_MANAGERS = ["cora", "sam", "fay", "root"]
VIEWERS = ["anonymous", "sam", "fay", "cora", "adam", "olga", "root"]
# What each viewer sees, by (visibility, published).
SEES_EVERYTHING = {"cora", "adam", "olga", "root"}  # the team, and platform admins (moderation)
SEES = {
    "anonymous": {(Visibility.PUBLIC, True)},
    "sam": {(Visibility.PUBLIC, True)},
    "fay": {(Visibility.PUBLIC, True), (Visibility.FOLLOWERS, True)},
}


def shirt(visibility: Visibility = Visibility.PUBLIC, title: str = "Tour shirt", **kwargs):
    return ProductDetails(
        title=title,
        kind=ProductKind.PHYSICAL,
        price=Money(2000, "EUR"),
        visibility=visibility,
        **kwargs,
    )


def actor_of(crew, who: str):
    return None if who == "anonymous" else crew[who].actor


def sees(who: str, visibility: Visibility, published: bool) -> bool:
    return who in SEES_EVERYTHING or (visibility, published) in SEES[who]


@pytest.fixture
async def catalogue(shop: Store, crew, crew_entity, clock: FakeClock):
    """One product per (visibility, published), created oldest to newest."""
    made = {}
    for visibility in Visibility:
        for published in (False, True):
            clock.tick()
            product = await shop.create(
                crew["olga"].actor,
                crew_entity.id,
                shirt(visibility, f"{visibility.value.lower()}-{'live' if published else 'draft'}"),
            )
            if published:
                product = await shop.publish(crew["olga"].actor, product.id)
            made[visibility, published] = product
    return made


# --- creating, publishing, updating --------------------------------------------------------


@pytest.mark.parametrize("who", STORE_MANAGERS)
async def test_owners_and_admins_create_publish_and_update(
    shop: Store, store: MemoryStore, crew, crew_entity, clock, who
):
    actor = crew[who].actor
    product = await shop.create(actor, "night-shift", shirt(Visibility.FOLLOWERS, stock=10))
    assert (product.entity_id, product.stock, product.is_published) == (crew_entity.id, 10, False)
    clock.tick()
    published = await shop.publish(actor, product.id)
    assert published.published_at == clock.now()
    clock.tick()
    updated = await shop.update(actor, product.id, ProductChanges(price=Money(2500, "EUR")))
    assert updated.price == Money(2500, "EUR")
    stored = store.state.products[product.id]
    assert (stored.price.amount, stored.published_at, stored.pending_events) == (
        2500,
        published.published_at,
        [],
    )


async def test_each_fact_reaches_the_outbox_once(
    shop: Store, store: MemoryStore, crew, crew_entity, clock
):
    olga = crew["olga"].actor
    product = await shop.create(olga, crew_entity.id, shirt(Visibility.FOLLOWERS))
    clock.tick()
    await shop.update(olga, product.id, ProductChanges(title="Hoodie", stock=40))
    clock.tick()
    await shop.publish(olga, product.id)
    await shop.create(olga, crew_entity.id, shirt(title="Poster"))  # unrelated work after

    mine = [e for e in store.outbox if getattr(e, "product_id", None) == product.id]
    assert [type(e) for e in mine] == [ProductCreated, ProductUpdated, ProductDropped]
    created, updated, dropped = mine
    assert (created.entity_id, created.kind) == (crew_entity.id, "PHYSICAL")
    assert updated.fields == ["title", "stock"]
    assert (dropped.title, dropped.visibility) == ("Hoodie", "FOLLOWERS")
    assert (dropped.price_amount, dropped.price_currency) == (2000, "EUR")
    assert len({e.id for e in store.outbox}) == len(store.outbox)


async def test_publishing_twice_is_a_conflict_and_drops_nothing_more(
    shop: Store, store: MemoryStore, crew, crew_entity, clock
):
    product = await shop.create(crew["olga"].actor, crew_entity.id, shirt())
    await shop.publish(crew["olga"].actor, product.id)
    first = store.state.products[product.id].published_at
    clock.tick()
    with pytest.raises(AlreadyPublished):
        await shop.publish(crew["adam"].actor, product.id)
    assert len(events_of(store, ProductDropped)) == 1
    assert store.state.products[product.id].published_at == first


@pytest.mark.parametrize("who", NOT_STORE_MANAGERS)
async def test_collaborators_and_outsiders_cannot_create_products(
    shop: Store, store: MemoryStore, crew, crew_entity, who
):
    outbox = len(store.outbox)
    with pytest.raises(EntityPermissionDenied) as caught:
        await shop.create(crew[who].actor, crew_entity.id, shirt())
    assert caught.value.extra == {"permission": "MANAGE_STORE"}
    assert store.state.products == {}
    assert len(store.outbox) == outbox


@pytest.mark.parametrize("who", NOT_STORE_MANAGERS)
@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
async def test_who_cannot_manage_learns_only_what_they_could_see(
    shop: Store, store: MemoryStore, crew, catalogue, who, visibility, published
):
    """403 for a product they can see, 404 for one hidden from them: never a leak."""
    product = catalogue[visibility, published]
    expected = EntityPermissionDenied if sees(who, visibility, published) else ProductNotFound
    outbox = len(store.outbox)
    with pytest.raises(expected):
        await shop.update(crew[who].actor, product.id, ProductChanges(title="Mine now"))
    with pytest.raises(expected):  # refused before AlreadyPublished could even be considered
        await shop.publish(crew[who].actor, product.id)
    assert store.state.products[product.id].title == product.title
    assert store.state.products[product.id].published_at == product.published_at
    assert len(store.outbox) == outbox


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (ProductChanges(title="Hoodie", stock=2), "stock"),
        (ProductChanges(title="Hoodie", price=Money(-1, "EUR")), "price"),
        (ProductChanges(title="  "), "title"),
    ],
)
async def test_a_refused_update_changes_nothing_stored(
    shop: Store, store: MemoryStore, crew, crew_entity, changes, field
):
    product = await shop.create(crew["olga"].actor, crew_entity.id, shirt(stock=10))
    store.state.products[product.id].sold = 2  # as a checkout would, by conditional update
    store.state.products[product.id].reserved = 1
    outbox = len(store.outbox)
    with pytest.raises(InvalidInput) as caught:
        await shop.update(crew["olga"].actor, product.id, changes)
    assert caught.value.field == field
    stored = store.state.products[product.id]
    assert (stored.title, stored.stock, stored.price.amount) == ("Tour shirt", 10, 2000)
    assert len(store.outbox) == outbox


async def test_stock_may_fall_to_what_is_sold_or_held_and_counters_survive_updates(
    shop: Store, store: MemoryStore, crew, crew_entity
):
    product = await shop.create(crew["olga"].actor, crew_entity.id, shirt(stock=10))
    store.state.products[product.id].sold = 2
    store.state.products[product.id].reserved = 1
    updated = await shop.update(crew["olga"].actor, product.id, ProductChanges(stock=3))
    assert (updated.stock, updated.available) == (3, 0)
    stored = store.state.products[product.id]
    assert (stored.stock, stored.sold, stored.reserved) == (3, 2, 1)
    await shop.update(crew["olga"].actor, product.id, ProductChanges(unlimited_stock=True))
    assert store.state.products[product.id].stock is None


async def test_digital_products_refuse_stock(shop: Store, store: MemoryStore, crew, crew_entity):
    with pytest.raises(InvalidInput) as caught:
        await shop.create(
            crew["olga"].actor,
            crew_entity.id,
            ProductDetails(
                title="Live album",
                kind=ProductKind.DIGITAL,
                price=Money(999, "EUR"),
                visibility=Visibility.PUBLIC,
                stock=100,
            ),
        )
    assert caught.value.field == "stock"
    assert store.state.products == {}


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", VIEWERS)
async def test_get_shows_visible_products_and_hides_the_rest_as_not_found(
    shop: Store, crew, catalogue, who
):
    viewer = actor_of(crew, who)
    for (visibility, published), product in catalogue.items():
        if sees(who, visibility, published):
            assert (await shop.get(product.id, viewer)).id == product.id
        else:
            with pytest.raises(ProductNotFound) as caught:
                await shop.get(product.id, viewer)
            assert isinstance(caught.value, NotFound)
            assert str(product.id) in caught.value.detail  # same words as a missing product


async def test_a_missing_product_is_not_found(shop: Store, crew):
    with pytest.raises(ProductNotFound):
        await shop.get(new_id(), crew["olga"].actor)
    with pytest.raises(ProductNotFound):
        await shop.update(crew["olga"].actor, new_id(), ProductChanges(title="x"))
    with pytest.raises(ProductNotFound):
        await shop.publish(crew["olga"].actor, new_id())


@pytest.mark.parametrize("who", VIEWERS)
async def test_list_for_entity_filters_by_audience_newest_first(
    shop: Store, crew, crew_entity, catalogue, who
):
    page = await shop.list_for_entity(crew_entity.id, actor_of(crew, who), PageRequest())
    expected = [p.id for key, p in reversed(catalogue.items()) if sees(who, *key)]
    assert [p.id for p in page.items] == expected
    assert page.next_cursor is None


@pytest.mark.parametrize("who", ["fay", "olga"])
async def test_list_pages_stay_full_and_never_repeat(
    shop: Store, crew, crew_entity, catalogue, who
):
    viewer, seen = actor_of(crew, who), []
    page = await shop.list_for_entity("night-shift", viewer, PageRequest(limit=1))
    while True:
        assert len(page.items) == 1
        seen += [p.id for p in page.items]
        if page.next_cursor is None:
            break
        page = await shop.list_for_entity(
            crew_entity.id, viewer, PageRequest(limit=1, after=decode_cursor(page.next_cursor))
        )
    expected = await shop.list_for_entity(crew_entity.id, viewer, PageRequest())
    assert seen == [p.id for p in expected.items]


async def test_lists_are_per_entity(shop: Store, team, crew, crew_entity, catalogue):
    other = await team(crew["sam"], slug="day-shift")
    await shop.create(crew["sam"].actor, other.id, shirt(title="Theirs"))
    theirs = await shop.list_for_entity(other.id, crew["sam"].actor, PageRequest())
    assert [p.title for p in theirs.items] == ["Theirs"]
    assert {p.entity_id for p in theirs.items} == {other.id}
    with pytest.raises(EntityNotFound):
        await shop.list_for_entity("no-such-entity", None, PageRequest())


async def test_unfollowing_hides_follower_products_again(
    shop: Store, follows, crew, crew_entity, catalogue
):
    fans_only = catalogue[Visibility.FOLLOWERS, True]
    assert (await shop.get(fans_only.id, crew["fay"].actor)).id == fans_only.id
    await follows.unfollow(crew["fay"].actor, crew_entity.id)
    with pytest.raises(ProductNotFound):
        await shop.get(fans_only.id, crew["fay"].actor)
    listed = await shop.list_for_entity(crew_entity.id, crew["fay"].actor, PageRequest())
    assert fans_only.id not in {p.id for p in listed.items}


async def test_products_go_with_their_entity(shop: Store, entities, crew, crew_entity, catalogue):
    public = catalogue[Visibility.PUBLIC, True]
    await entities.delete(crew["olga"].actor, crew_entity.id)
    with pytest.raises(ProductNotFound):
        await shop.get(public.id, None)
