from __future__ import annotations

from uuid import UUID

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.assets.image_links import AssetLink, LinkRole, LinkTarget
from showgeo_domain.assets.model import Asset, AssetKind, AssetVisibility
from showgeo_domain.entities.errors import SlugTaken
from showgeo_domain.entities.model import Entity, EntityKind, MemberRole, Membership
from showgeo_domain.entities.ports import EntitySearch
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import PageRequest
from tests.contract.builders import a_user, an_entity, an_event, state_of, store


async def test_a_stored_entity_comes_back_field_for_field(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "la-orquesta", kind=EntityKind.ORGANIZATION)
    entity.request_verification(by=new_id(), now=clock.tick())
    entity.verify(by=new_id(), now=clock.tick())
    await store(uow_factory, entities=[entity])

    async with uow_factory() as uow:
        by_id = await uow.entities.get(entity.id)
        locked = await uow.entities.get(entity.id, for_update=True)
        by_slug = await uow.entities.get_by_slug("la-orquesta")

    for found in (by_id, locked, by_slug):
        assert found is not None
        assert state_of(found) == state_of(entity)
        assert found.kind is EntityKind.ORGANIZATION
        assert found.follower_count == 0
        assert found.verified_at is not None
        assert found.verified_at.tzinfo is not None


async def test_unknown_entities_are_none(uow_factory: PlatformUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.entities.get(new_id()) is None
        assert await uow.entities.get(new_id(), for_update=True) is None
        assert await uow.entities.get_by_slug("nobody") is None
        assert await uow.entities.get_many([]) == {}


async def test_get_many_returns_the_known_ids_only(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    a, b = an_entity(clock, "alpha"), an_entity(clock, "beta")
    await store(uow_factory, entities=[a, b])

    async with uow_factory() as uow:
        found = await uow.entities.get_many([b.id, new_id(), b.id])

    assert list(found) == [b.id]
    assert found[b.id].slug == "beta"


async def test_a_slug_in_use_is_refused_on_add(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    await store(uow_factory, entities=[an_entity(clock, "taken")])

    async with uow_factory() as uow:
        with pytest.raises(SlugTaken):
            await uow.entities.add(an_entity(clock, "taken"))
        await uow.entities.add(an_entity(clock, "free"))  # still usable
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.entities.get_by_slug("free") is not None


async def test_a_slug_in_use_is_refused_on_update_and_nothing_changes(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    taken, mine = an_entity(clock, "taken"), an_entity(clock, "mine")
    await store(uow_factory, entities=[taken, mine])

    async with uow_factory() as uow:
        loaded = await uow.entities.get(mine.id, for_update=True)
        assert loaded is not None
        loaded.update(now=clock.tick(), slug="taken", name="Renamed")
        with pytest.raises(SlugTaken):
            await uow.entities.update(loaded)
        loaded.update(now=clock.tick(), slug="mine-2")
        await uow.entities.update(loaded)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.entities.get_by_slug("mine") is None
        found = await uow.entities.get_by_slug("mine-2")
        other = await uow.entities.get_by_slug("taken")
    assert found is not None
    assert found.name == "Renamed"
    assert other is not None
    assert other.id == taken.id


async def test_keeping_its_own_slug_is_not_a_conflict(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "same")
    await store(uow_factory, entities=[entity])

    async with uow_factory() as uow:
        entity.update(now=clock.tick(), slug="same", bio="new bio")
        await uow.entities.update(entity)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.entities.get(entity.id)
    assert found is not None
    assert found.bio == "new bio"


async def test_update_never_writes_the_follower_count(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """The count belongs to the follow repository; a stale entity must not overwrite it."""
    user, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(uow_factory, users=[user], entities=[entity])
    async with uow_factory() as uow:
        stale = await uow.entities.get(entity.id)
        assert stale is not None
        await uow.follows.add(user.id, entity.id, clock.tick())
        stale.follower_count = 99
        stale.update(now=clock.tick(), name="Band")
        await uow.entities.update(stale)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.entities.get(entity.id)
    assert found is not None
    assert found.name == "Band"
    assert found.follower_count == 1


async def test_delete_takes_memberships_and_follows_with_it(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bob = a_user(clock, "ana"), a_user(clock, "bob")
    doomed, kept = an_entity(clock, "doomed"), an_entity(clock, "kept")
    await store(uow_factory, users=[ana, bob], entities=[doomed, kept])
    async with uow_factory() as uow:
        for entity in (doomed, kept):
            await uow.memberships.add(Membership(entity.id, ana.id, MemberRole.OWNER, clock.tick()))
            await uow.follows.add(bob.id, entity.id, clock.tick())
        await uow.commit()

    async with uow_factory() as uow:
        await uow.entities.delete(doomed.id)
        await uow.entities.delete(new_id())  # unknown: no error
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.entities.get(doomed.id) is None
        assert await uow.memberships.list_for_entity(doomed.id) == []
        assert await uow.memberships.get(doomed.id, ana.id) is None
        assert not await uow.follows.is_following(bob.id, doomed.id)
        following = await uow.follows.list_following(bob.id, PageRequest())
        assert [f.entity_id for f in following.items] == [kept.id]
        mine = await uow.memberships.list_for_user(ana.id, PageRequest())
        assert [m.entity_id for m in mine.items] == [kept.id]
        assert await uow.follows.follower_count(kept.id) == 1


async def test_search_walks_every_entity_once_newest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    same_instant = clock.tick()
    entities = [an_entity(clock, f"tied-{n}", at=same_instant) for n in range(4)]
    entities += [an_entity(clock, f"later-{n}") for n in range(5)]
    await store(uow_factory, entities=entities)
    expected = sorted(entities, key=lambda e: (e.created_at, e.id), reverse=True)

    seen, cursor, pages = [], None, 0
    async with uow_factory() as uow:
        while True:
            page = await uow.entities.search(EntitySearch(), PageRequest.parse(cursor, 2))
            seen += page.items
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break

    assert [e.id for e in seen] == [e.id for e in expected]
    assert pages == 5


async def test_a_page_that_ends_exactly_has_no_cursor(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    await store(uow_factory, entities=[an_entity(clock, f"e-{n}") for n in range(3)])

    async with uow_factory() as uow:
        page = await uow.entities.search(EntitySearch(), PageRequest(limit=3))
        empty = await uow.entities.search(EntitySearch(q="zzz"), PageRequest(limit=3))

    assert len(page.items) == 3
    assert page.next_cursor is None
    assert empty.items == []
    assert empty.next_cursor is None


async def test_entities_added_while_paging_are_neither_repeated_nor_skipped(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    old = [an_entity(clock, f"old-{n}") for n in range(4)]
    await store(uow_factory, entities=old)

    async with uow_factory() as uow:
        first = await uow.entities.search(EntitySearch(), PageRequest(limit=2))
    await store(uow_factory, entities=[an_entity(clock, "newcomer")])
    async with uow_factory() as uow:
        rest = await uow.entities.search(EntitySearch(), PageRequest.parse(first.next_cursor, 10))

    assert [e.slug for e in first.items + rest.items] == ["old-3", "old-2", "old-1", "old-0"]


async def test_search_filters_by_text_kind_and_verification(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    jazz = an_entity(clock, "jazz-club", name="The JAZZ Club", kind=EntityKind.ORGANIZATION)
    jazz.verify(by=new_id(), now=clock.tick())
    duo = an_entity(clock, "blue-duo", name="Blue Duo")
    cent = an_entity(clock, "cent", name="100% Jazz")
    thousand = an_entity(clock, "mille", name="1000 Jazz")
    under = an_entity(clock, "under", name="snake_case band")
    accent = an_entity(clock, "elodie", name="ÉLODIE Sings")
    await store(uow_factory, entities=[jazz, duo, cent, thousand, under, accent])

    async def slugs(search: EntitySearch) -> list[str]:
        async with uow_factory() as uow:
            page = await uow.entities.search(search, PageRequest(limit=50))
        return [e.slug for e in page.items]

    assert await slugs(EntitySearch(q="jazz")) == ["mille", "cent", "jazz-club"]
    assert await slugs(EntitySearch(q="JaZz")) == ["mille", "cent", "jazz-club"]
    assert await slugs(EntitySearch(q="e-du")) == ["blue-duo"]  # slug only
    assert await slugs(EntitySearch(q="0%")) == ["cent"]  # % is literal
    assert await slugs(EntitySearch(q="e_c")) == ["under"]  # _ is literal
    assert await slugs(EntitySearch(q="élodie")) == ["elodie"]  # beyond ASCII
    assert await slugs(EntitySearch(kind=EntityKind.ORGANIZATION)) == ["jazz-club"]
    assert await slugs(EntitySearch(verified=True)) == ["jazz-club"]
    assert "jazz-club" not in await slugs(EntitySearch(verified=False))
    assert await slugs(EntitySearch(q="jazz", kind=EntityKind.CREATOR, verified=False)) == [
        "mille",
        "cent",
    ]


async def test_delete_takes_its_assets_and_its_events_assets_with_their_links(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """They cascade with it; the links that hold them (which RESTRICT them in SQL) go first,
    wherever they are shown. Another entity's asset and links stay."""
    ana = a_user(clock, "ana")
    entity, other = an_entity(clock, "band"), an_entity(clock, "rival")
    show = an_event(clock, entity)
    await store(uow_factory, users=[ana], entities=[entity, other], events=[show])

    def image(owner: Entity, event_id: UUID | None = None) -> Asset:
        return Asset.new(
            owner_id=ana.id,
            kind=AssetKind.IMAGE,
            visibility=AssetVisibility.PUBLIC,
            entity_id=owner.id,
            event_id=event_id,
            now=clock.tick(),
        )

    logo, poster, kept = image(entity), image(entity, show.id), image(other)
    async with uow_factory() as uow:
        for asset in (logo, poster, kept):
            await uow.assets.add(asset)
        for target, target_id, role, asset in (
            (LinkTarget.ENTITY, entity.id, LinkRole.AVATAR, logo),
            (LinkTarget.ENTITY, entity.id, LinkRole.GALLERY, poster),
            (LinkTarget.EVENT, show.id, LinkRole.COVER, logo),
            (LinkTarget.USER, ana.id, LinkRole.AVATAR, logo),
            (LinkTarget.ENTITY, other.id, LinkRole.GALLERY, kept),
        ):
            await uow.assets.link(AssetLink(target, target_id, role, asset.id, clock.tick()))
        await uow.commit()

    async with uow_factory() as uow:
        await uow.entities.delete(entity.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.get(logo.id) is None
        assert await uow.assets.get(poster.id) is None
        assert await uow.assets.get(kept.id) is not None
        assert await uow.assets.links_of(LinkTarget.USER, ana.id) == []
        assert [k.asset_id for k in await uow.assets.links_of(LinkTarget.ENTITY, other.id)] == [
            kept.id
        ]
