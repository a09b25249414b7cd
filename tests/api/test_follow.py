"""Follow routes: idempotent follow/unfollow, status, followers with cursor pages."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import GARBAGE, create_entity


async def follow(client: AsyncTestClient, user: Account, ref: str) -> dict[str, Any]:
    response = await client.put(f"/entities/{ref}/follow", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def unfollow(client: AsyncTestClient, user: Account, ref: str) -> dict[str, Any]:
    response = await client.delete(f"/entities/{ref}/follow", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def follower_count(client: AsyncTestClient, ref: str) -> int:
    response = await client.get(f"/entities/{ref}")
    assert response.status_code == 200, response.text
    return int(response.json()["follower_count"])


async def test_follow_is_idempotent_and_counted_on_the_entity(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    ana = await register(client, "ana")
    entity = await create_entity(client, owner, "owls")

    assert await follow(client, ana, entity["id"]) == {"following": True, "follower_count": 1}
    assert await follow(client, ana, entity["id"]) == {"following": True, "follower_count": 1}
    assert await follower_count(client, entity["id"]) == 1
    status = await client.get(f"/entities/{entity['id']}/follow", headers=ana.headers)
    assert status.json() == {"following": True, "follower_count": 1}


async def test_unfollow_is_idempotent_and_uncounted(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    ana = await register(client, "ana")
    ben = await register(client, "ben")
    entity = await create_entity(client, owner, "owls")
    await follow(client, ana, "owls")
    await follow(client, ben, "owls")

    assert await unfollow(client, ana, "owls") == {"following": False, "follower_count": 1}
    assert await unfollow(client, ana, "owls") == {"following": False, "follower_count": 1}
    assert await follower_count(client, entity["id"]) == 1
    status = await client.get("/entities/owls/follow", headers=ana.headers)
    assert status.json() == {"following": False, "follower_count": 1}
    assert (await client.get("/users/ana/following")).json()["items"] == []
    followers = (await client.get("/entities/owls/followers")).json()["items"]
    assert [f["user"]["username"] for f in followers] == ["ben"]
    # never following is fine too
    assert await unfollow(client, owner, "owls") == {"following": False, "follower_count": 1}


async def test_follow_accepts_the_slug_as_well_as_the_id(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    ana = await register(client, "ana")
    entity = await create_entity(client, owner, "owls")
    await follow(client, ana, "OWLS")
    assert await follow(client, ana, entity["id"]) == {"following": True, "follower_count": 1}


async def test_follow_routes_need_a_valid_token(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    url = f"/entities/{entity['id']}/follow"
    for headers in ({}, GARBAGE):
        assert_problem(await client.put(url, headers=headers), 401, "invalid_token")
        assert_problem(await client.delete(url, headers=headers), 401, "invalid_token")
        assert_problem(await client.get(url, headers=headers), 401, "invalid_token")
    assert await follower_count(client, entity["id"]) == 0


async def test_following_an_unknown_entity_is_404(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    for ref in (str(uuid.uuid4()), "no-such-entity"):
        url = f"/entities/{ref}/follow"
        assert_problem(await client.put(url, headers=ana.headers), 404, "entity_not_found")
        assert_problem(await client.delete(url, headers=ana.headers), 404, "entity_not_found")
        assert_problem(await client.get(url, headers=ana.headers), 404, "entity_not_found")
        assert_problem(await client.get(f"/entities/{ref}/followers"), 404, "entity_not_found")
    assert (await client.get("/users/ana/following")).json()["items"] == []


async def test_followers_walk_every_page_once_each(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    fans = [await register(client, f"fan_{n:02d}") for n in range(25)]
    for fan in fans:
        await follow(client, fan, entity["id"])
    assert await follower_count(client, entity["id"]) == 25

    seen: list[str] = []
    sizes: list[int] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 10}
        if cursor is not None:
            params["cursor"] = cursor
        response = await client.get(f"/entities/{entity['id']}/followers", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        sizes.append(len(page["items"]))
        followed_at = [item["followed_at"] for item in page["items"]]
        assert followed_at == sorted(followed_at, reverse=True)  # newest first
        seen += [item["user"]["username"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sizes == [10, 10, 5]
    assert len(seen) == len(set(seen)) == 25
    assert set(seen) == {fan.username for fan in fans}

    # the default page holds 20
    default = (await client.get(f"/entities/{entity['id']}/followers")).json()
    assert len(default["items"]) == 20
    assert default["next_cursor"] is not None


async def test_followers_list_hides_private_followers_details(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    ana = await register(client, "ana")
    ben = await register(client, "ben")
    await create_entity(client, owner, "owls")
    await client.patch("/users/me", json={"is_private": True}, headers=ana.headers)
    await follow(client, ana, "owls")
    await follow(client, ben, "owls")

    items = (await client.get("/entities/owls/followers")).json()["items"]
    users = {item["user"]["username"]: item["user"] for item in items}
    assert set(users["ana"]) == {"username", "display_name", "is_private"}
    assert users["ben"]["id"] == ben.id
    assert "followed_at" in items[0]


async def test_followers_rejects_bad_page_parameters(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    await follow(client, owner, "owls")
    url = f"/entities/{entity['id']}/followers"
    for params in (
        {"cursor": "not-a-cursor"},
        {"cursor": "bm9wZQ"},
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
    ):
        assert_problem(await client.get(url, params=params), 400)
    assert_problem(await client.get(url, headers=GARBAGE), 401)
    assert len((await client.get(url, params={"limit": 100})).json()["items"]) == 1


async def test_deleting_an_entity_drops_its_follows(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    ana = await register(client, "ana")
    doomed = await create_entity(client, owner, "doomed")
    await create_entity(client, owner, "lasting")
    await follow(client, ana, "doomed")
    await follow(client, ana, "lasting")

    deleted = await client.delete(f"/entities/{doomed['id']}", headers=owner.headers)
    assert deleted.status_code == 204, deleted.text

    following = (await client.get("/users/ana/following")).json()
    assert [item["entity"]["slug"] for item in following["items"]] == ["lasting"]
    assert following["next_cursor"] is None
    assert_problem(await client.put("/entities/doomed/follow", headers=ana.headers), 404)
    assert_problem(await client.get(f"/entities/{doomed['id']}/followers"), 404)
    # a new entity under the old slug starts without followers
    reborn = await create_entity(client, owner, "doomed")
    assert reborn["follower_count"] == 0
    assert (await client.get("/entities/doomed/followers")).json()["items"] == []
