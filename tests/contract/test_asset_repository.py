"""AssetRepository on every backend: rows round-trip (variants included), deletes, what uses
an asset, and the two access lookups (valid tickets, granting purchases)."""

from __future__ import annotations

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.assets.formats import FORMATS, AssetKind
from showgeo_domain.assets.image_links import AssetLink, LinkRole, LinkTarget
from showgeo_domain.assets.model import Asset, AssetStatus, AssetVisibility, Variant
from showgeo_domain.orders.model import Ticket
from showgeo_domain.shared.ids import new_id
from showgeo_domain.store.model import Product, ProductKind
from tests.contract.builders import (
    a_line,
    a_product,
    a_ticket_type,
    a_user,
    an_entity,
    an_event,
    an_order,
    state_of,
    store,
)


def an_asset(clock: FakeClock, owner_id, **kwargs) -> Asset:
    kwargs.setdefault("visibility", AssetVisibility.PUBLIC)
    return Asset.new(owner_id=owner_id, kind=AssetKind.IMAGE, now=clock.tick(), **kwargs)


async def test_assets_round_trip_through_their_lifecycle(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana = a_user(clock, "ana")
    band = an_entity(clock, "band")
    show = an_event(clock, band)
    await store(uow_factory, users=[ana], entities=[band], events=[show])
    asset = an_asset(
        clock,
        ana.id,
        visibility=AssetVisibility.TICKET_HOLDERS,
        entity_id=band.id,
        event_id=show.id,
        filename="poster.png",
    )
    async with uow_factory() as uow:
        await uow.assets.add(asset)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.assets.get(asset.id)
    assert found is not None
    assert state_of(found) == state_of(asset)

    asset.stored(FORMATS["image/png"], 1234, clock.tick())
    asset.processed(
        [Variant("thumbnail", f"assets/{asset.id}/thumbnail.webp", "image/webp", 32, 16, 99)],
        640,
        320,
        clock.tick(),
    )
    async with uow_factory() as uow:
        await uow.assets.update(asset)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.assets.get(asset.id, for_update=True)
        assert await uow.assets.get(new_id()) is None
    assert found is not None
    assert state_of(found) == state_of(asset)
    assert found.status is AssetStatus.READY
    assert found.variants[0].width == 32

    async with uow_factory() as uow:
        await uow.assets.delete(asset.id)
        await uow.assets.delete(new_id())  # nothing there: no error
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.get(asset.id) is None


async def test_an_asset_carried_by_a_product_is_in_use(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana = a_user(clock, "ana")
    band = an_entity(clock, "band")
    used, free = an_asset(clock, ana.id), an_asset(clock, ana.id)
    album = _digital(clock, band, used)
    await store(uow_factory, users=[ana], entities=[band])
    async with uow_factory() as uow:
        await uow.assets.add(used)
        await uow.assets.add(free)
        await uow.products.add(album)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.uses(used.id) == [f"product:{album.id}"]
        assert await uow.assets.uses(free.id) == []


def _digital(clock: FakeClock, entity, asset: Asset) -> Product:
    product = a_product(clock, entity, "Album", kind=ProductKind.DIGITAL)
    product.asset_id = asset.id
    return product


async def test_only_granting_purchases_count(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bob, cy, dee = (a_user(clock, n) for n in ("ana", "bob", "cyd", "deed"))
    band = an_entity(clock, "band")
    asset = an_asset(clock, ana.id, visibility=AssetVisibility.PURCHASERS, entity_id=band.id)
    album = _digital(clock, band, asset)
    other = a_product(clock, band, "Poster", kind=ProductKind.DIGITAL)
    rival = an_entity(clock, "rival")
    knockoff = _digital(clock, rival, asset)  # another entity's product naming the asset
    await store(
        uow_factory, users=[ana, bob, cy, dee], entities=[band, rival], products=[other, knockoff]
    )
    paid = an_order(clock, bob, a_line(album))
    paid.mark_paid(payment_ref=None, now=clock.tick())
    pending = an_order(clock, cy, a_line(album))
    refunded = an_order(clock, dee, a_line(album))
    refunded.mark_paid(payment_ref=None, now=clock.tick())
    refunded.refund(None, reason="changed mind", now=clock.tick())
    bought_other = an_order(clock, cy, a_line(other))
    bought_other.mark_paid(payment_ref=None, now=clock.tick())
    bought_knockoff = an_order(clock, dee, a_line(knockoff))
    bought_knockoff.mark_paid(payment_ref=None, now=clock.tick())
    async with uow_factory() as uow:
        await uow.assets.add(asset)
        await uow.products.add(album)
        for order in (paid, pending, refunded, bought_other, bought_knockoff):
            await uow.orders.add(order)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.purchased(bob.id, asset.id) is True
        assert await uow.assets.purchased(cy.id, asset.id) is False  # pending; other product
        assert await uow.assets.purchased(dee.id, asset.id) is False  # refunded; knockoff
        assert await uow.assets.purchased(ana.id, asset.id) is False


async def test_only_valid_tickets_count(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    bob, cy = a_user(clock, "bob"), a_user(clock, "cyd")
    band = an_entity(clock, "band")
    show, other_show = an_event(clock, band), an_event(clock, band, "Other")
    seats = a_ticket_type(clock, show)
    await store(
        uow_factory,
        users=[bob, cy],
        entities=[band],
        events=[show, other_show],
        ticket_types=[seats],
    )
    orders = []
    for buyer in (bob, cy):
        order = an_order(clock, buyer, a_line(seats))
        order.mark_paid(payment_ref=None, now=clock.tick())
        orders.append(order)
    bobs, cys = (Ticket.issue_for(o, clock.tick()) for o in orders)
    for ticket in cys:
        ticket.void(clock.tick())
    async with uow_factory() as uow:
        for order in orders:
            await uow.orders.add(order)
        await uow.tickets.add_many([*bobs, *cys])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.holds_ticket(bob.id, show.id) is True
        assert await uow.assets.holds_ticket(bob.id, other_show.id) is False
        assert await uow.assets.holds_ticket(cy.id, show.id) is False  # voided


async def test_links_replace_single_roles_and_count_as_uses(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana = a_user(clock, "ana")
    band = an_entity(clock, "band")
    show = an_event(clock, band)
    await store(uow_factory, users=[ana], entities=[band], events=[show])
    first, second, third = (an_asset(clock, ana.id) for _ in range(3))
    async with uow_factory() as uow:
        for asset in (first, second, third):
            await uow.assets.add(asset)
        await uow.assets.link(
            AssetLink(LinkTarget.ENTITY, band.id, LinkRole.BANNER, first.id, clock.tick())
        )
        await uow.assets.link(
            AssetLink(LinkTarget.ENTITY, band.id, LinkRole.BANNER, second.id, clock.tick())
        )
        for asset in (first, third, first):  # linking again to a gallery changes nothing
            await uow.assets.link(
                AssetLink(LinkTarget.ENTITY, band.id, LinkRole.GALLERY, asset.id, clock.tick())
            )
        await uow.assets.link(
            AssetLink(LinkTarget.EVENT, show.id, LinkRole.COVER, third.id, clock.tick())
        )
        await uow.assets.link(
            AssetLink(LinkTarget.USER, ana.id, LinkRole.AVATAR, third.id, clock.tick())
        )
        await uow.commit()
    async with uow_factory() as uow:
        shown = await uow.assets.links_of(LinkTarget.ENTITY, band.id)
        assert [(k.role, k.asset_id) for k in shown] == [
            (LinkRole.BANNER, second.id),
            (LinkRole.GALLERY, first.id),
            (LinkRole.GALLERY, third.id),
        ]
        assert await uow.assets.uses(first.id) == [f"entity:{band.id}:gallery"]
        assert await uow.assets.uses(third.id) == sorted(
            [f"entity:{band.id}:gallery", f"event:{show.id}:cover", f"user:{ana.id}:avatar"]
        )
        assert await uow.assets.unlink(LinkTarget.ENTITY, band.id, LinkRole.GALLERY, first.id)
        assert not await uow.assets.unlink(LinkTarget.ENTITY, band.id, LinkRole.GALLERY, first.id)
        assert await uow.assets.unlink(LinkTarget.ENTITY, band.id, LinkRole.BANNER)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.uses(first.id) == []
        assert await uow.assets.uses(second.id) == []
        await uow.entities.delete(band.id)  # the event goes with it; the links stay behind
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.uses(third.id) == [f"user:{ana.id}:avatar"]
        await uow.assets.unlink(LinkTarget.USER, ana.id, LinkRole.AVATAR)
        await uow.assets.delete(third.id)  # dangling links go with the asset
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.get(third.id) is None


async def test_abandoned_direct_uploads_are_found_oldest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana = a_user(clock, "ana")
    await store(uow_factory, users=[ana])
    old, older_done, newer = (an_asset(clock, ana.id) for _ in range(3))
    older_done.stored(FORMATS["image/png"], 10, clock.tick())
    cutoff = clock.tick()
    late = an_asset(clock, ana.id)
    async with uow_factory() as uow:
        for asset in (late, newer, older_done, old):
            await uow.assets.add(asset)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.awaiting_upload_since(cutoff, 10) == [old.id, newer.id]
        assert await uow.assets.awaiting_upload_since(cutoff, 1) == [old.id]


async def test_images_processing_too_long_are_found_oldest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana = a_user(clock, "ana")
    await store(uow_factory, users=[ana])
    stuck, stuck_later, waiting, fresh = (an_asset(clock, ana.id) for _ in range(4))
    stuck.stored(FORMATS["image/png"], 10, clock.tick())
    stuck_later.stored(FORMATS["image/png"], 10, clock.tick())
    cutoff = clock.tick()
    fresh.stored(FORMATS["image/png"], 10, clock.tick())  # stored after the cutoff
    async with uow_factory() as uow:
        for asset in (fresh, waiting, stuck_later, stuck):
            await uow.assets.add(asset)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.processing_since(cutoff, 10) == [stuck.id, stuck_later.id]
        assert await uow.assets.processing_since(cutoff, 1) == [stuck.id]
