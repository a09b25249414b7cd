"""Following is idempotent, counted exactly, and listed newest first in both directions."""

from __future__ import annotations

import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.entities.errors import EntityNotFound
from showgeo_domain.entities.model import EntityKind
from showgeo_domain.entities.services import Entities
from showgeo_domain.follow.domain_events import EntityFollowed, EntityUnfollowed
from showgeo_domain.follow.model import FollowStatus
from showgeo_domain.follow.services import Follows
from showgeo_domain.identity.services import ProfileChanges, Profiles
from showgeo_domain.shared.errors import PermissionDenied
from showgeo_domain.shared.pagination import PageRequest
from tests.domain.conftest import events_of


@pytest.fixture
async def olga(sign_up):
    return await sign_up("olga")


@pytest.fixture
async def entity(team, olga):
    return await team(olga)


async def test_following_twice_keeps_one_follow_and_one_event(
    follows: Follows, store: MemoryStore, sign_up, entity
):
    sam = await sign_up("sam")
    assert await follows.follow(sam.actor, entity.id) == FollowStatus(True, 1)
    assert await follows.follow(sam.actor, "night-shift") == FollowStatus(True, 1)
    assert list(store.state.follows) == [(sam.id, entity.id)]
    [event] = events_of(store, EntityFollowed)
    assert (event.entity_id, event.user_id) == (entity.id, sam.id)
    assert event.subject() == "showgeo.follow.entity_followed"


async def test_unfollowing_what_is_not_followed_raises_no_event(
    follows: Follows, store: MemoryStore, sign_up, entity
):
    sam = await sign_up("sam")
    outbox = len(store.outbox)
    assert await follows.unfollow(sam.actor, entity.id) == FollowStatus(False, 0)
    assert len(store.outbox) == outbox


async def test_unfollow_removes_the_follow_once(
    follows: Follows, store: MemoryStore, sign_up, entity
):
    sam = await sign_up("sam")
    await follows.follow(sam.actor, entity.id)
    assert await follows.unfollow(sam.actor, entity.id) == FollowStatus(False, 0)
    assert await follows.unfollow(sam.actor, entity.id) == FollowStatus(False, 0)
    assert store.state.follows == {}
    [event] = events_of(store, EntityUnfollowed)
    assert event.user_id == sam.id


async def test_follower_counts_track_follows_and_unfollows(
    follows: Follows, entities: Entities, sign_up, entity
):
    fans = [await sign_up(f"fan_{i}") for i in range(4)]
    for count, fan in enumerate(fans, start=1):
        assert (await follows.follow(fan.actor, entity.id)).follower_count == count
    await follows.unfollow(fans[0].actor, entity.id)
    assert (await follows.status(fans[0].actor, entity.id)) == FollowStatus(False, 3)
    assert (await follows.status(fans[1].actor, entity.id)) == FollowStatus(True, 3)
    assert (await entities.get(entity.id)).follower_count == 3


async def test_counts_are_per_entity(follows: Follows, team, sign_up, entity):
    other = await team(await sign_up("bob"), slug="day-club")
    sam = await sign_up("sam")
    await follows.follow(sam.actor, entity.id)
    assert (await follows.status(sam.actor, other.id)) == FollowStatus(False, 0)


async def test_following_an_unknown_entity_is_not_found(follows: Follows, olga):
    with pytest.raises(EntityNotFound):
        await follows.follow(olga.actor, "no-such-entity")


async def _walk(fetch, limit: int) -> list[list]:
    pages, cursor = [], None
    while True:
        page = await fetch(PageRequest.parse(cursor, limit))
        pages.append(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return pages


@pytest.mark.parametrize("distinct_times", [True, False])
async def test_followers_pages_list_everyone_once_newest_first(
    follows: Follows, clock: FakeClock, sign_up, entity, distinct_times: bool
):
    fans = [await sign_up(f"fan_{i:02}") for i in range(12)]
    for fan in fans:
        if distinct_times:
            clock.tick()
        await follows.follow(fan.actor, entity.id)
    pages = await _walk(lambda page: follows.followers(entity.id, page), limit=5)
    assert [len(p) for p in pages] == [5, 5, 2]
    listed = [f for page in pages for f in page]
    assert sorted(f.user.id for f in listed) == sorted(f.id for f in fans)
    keys = [(f.followed_at, f.user.id) for f in listed]
    assert keys == sorted(keys, reverse=True)
    if distinct_times:
        assert [f.user.username for f in listed] == [f.username for f in reversed(fans)]


async def test_following_pages_list_every_entity_once_newest_first(
    follows: Follows, entities: Entities, clock: FakeClock, olga, sign_up
):
    slugs = [f"club-{i:02}" for i in range(7)]
    for slug in slugs:
        await entities.create(olga.actor, name=slug, slug=slug, kind=EntityKind.CREATOR)
    sam = await sign_up("sam")
    for slug in slugs:
        clock.tick()
        await follows.follow(sam.actor, slug)
    pages = await _walk(lambda page: follows.following("sam", sam.actor, page), limit=3)
    assert [[f.entity.slug for f in p] for p in pages] == [
        ["club-06", "club-05", "club-04"],
        ["club-03", "club-02", "club-01"],
        ["club-00"],
    ]


async def test_a_private_profile_hides_what_it_follows(
    follows: Follows, profiles: Profiles, sign_up, entity
):
    sam, bob, root = await sign_up("sam"), await sign_up("bob"), await sign_up("root", admin=True)
    await follows.follow(sam.actor, entity.id)
    await profiles.update_me(sam.actor, ProfileChanges(is_private=True))
    page = PageRequest()
    for stranger in (None, bob.actor):
        with pytest.raises(PermissionDenied) as raised:
            await follows.following("sam", stranger, page)
        assert raised.value.code == "profile_private"
    for allowed in (sam.actor, root.actor):
        [followed] = (await follows.following("SAM", allowed, page)).items
        assert followed.entity.id == entity.id


async def test_a_public_profile_shows_what_it_follows_to_anyone(follows: Follows, sign_up, entity):
    sam = await sign_up("sam")
    await follows.follow(sam.actor, entity.id)
    [followed] = (await follows.following("sam", None, PageRequest())).items
    assert followed.entity.slug == "night-shift"
    assert followed.entity.follower_count == 1
