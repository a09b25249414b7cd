"""Users routes: profiles (public and private), editing my own, what a user runs and follows."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import GARBAGE, create_entity, make_admin

SUMMARY_FIELDS = {"username", "display_name", "is_private"}


async def make_private(client: AsyncTestClient, user: Account) -> None:
    response = await client.patch("/users/me", json={"is_private": True}, headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["is_private"] is True


async def me(client: AsyncTestClient, user: Account) -> dict[str, Any]:
    response = await client.get("/auth/me", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


# --- GET /users/{username} ---------------------------------------------------------------


async def test_public_profile_is_fully_visible_to_anyone_but_never_shows_email(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana", display_name="Ana A.")
    await client.patch("/users/me", json={"bio": "sings"}, headers=ana.headers)

    response = await client.get("/users/ANA")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == ana.id
    assert body["username"] == "ana"
    assert body["display_name"] == "Ana A."
    assert body["bio"] == "sings"
    assert body["is_private"] is False
    assert "created_at" in body
    assert "email" not in body
    assert "example.com" not in response.text


async def test_unknown_user_is_404_on_every_user_route(client: AsyncTestClient) -> None:
    for path in ("/users/nobody", "/users/nobody/entities", "/users/nobody/following"):
        assert_problem(await client.get(path), 404, "user_not_found")


async def test_private_profile_shows_only_the_summary_to_strangers(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana", display_name="Ana A.")
    ben = await register(client, "ben")
    await client.patch("/users/me", json={"bio": "secret bio"}, headers=ana.headers)
    await make_private(client, ana)

    for headers in ({}, ben.headers):
        response = await client.get("/users/ana", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"username": "ana", "display_name": "Ana A.", "is_private": True}
        assert "secret bio" not in response.text


async def test_private_profile_shows_everything_to_self_and_platform_admins(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana")
    await client.patch("/users/me", json={"bio": "secret bio"}, headers=ana.headers)
    await make_private(client, ana)
    root = await make_admin(client)

    for viewer in (ana, root):
        body = (await client.get("/users/ana", headers=viewer.headers)).json()
        assert set(body) > SUMMARY_FIELDS
        assert body["id"] == ana.id
        assert body["bio"] == "secret bio"
        assert body["is_private"] is True
        assert "email" not in body


# --- PATCH /users/me ---------------------------------------------------------------------


async def test_patch_me_changes_only_the_fields_present(client: AsyncTestClient) -> None:
    ana = await register(client, "ana", display_name="Ana")
    first = await client.patch(
        "/users/me", json={"display_name": "Ana Banana", "bio": "hello"}, headers=ana.headers
    )
    assert first.status_code == 200, first.text
    assert first.json()["email"] == ana.email  # the owner sees their email here
    assert first.json()["display_name"] == "Ana Banana"
    assert first.json()["bio"] == "hello"

    second = await client.patch("/users/me", json={"is_private": True}, headers=ana.headers)
    assert second.status_code == 200, second.text
    stored = await me(client, ana)
    assert stored["display_name"] == "Ana Banana"
    assert stored["bio"] == "hello"
    assert stored["is_private"] is True


async def test_patch_me_with_bio_null_clears_the_bio(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    await client.patch("/users/me", json={"bio": "hello"}, headers=ana.headers)
    response = await client.patch("/users/me", json={"bio": None}, headers=ana.headers)
    assert response.status_code == 200, response.text
    assert response.json()["bio"] is None
    assert (await me(client, ana))["bio"] is None


async def test_patch_me_needs_a_valid_token(client: AsyncTestClient) -> None:
    ana = await register(client, "ana", display_name="Ana")
    for headers in ({}, GARBAGE):
        response = await client.patch("/users/me", json={"display_name": "x"}, headers=headers)
        assert_problem(response, 401, "invalid_token")
    assert (await me(client, ana))["display_name"] == "Ana"


async def test_patch_me_rejects_bad_input_and_changes_nothing(client: AsyncTestClient) -> None:
    ana = await register(client, "ana", display_name="Ana")
    await client.patch("/users/me", json={"bio": "hello"}, headers=ana.headers)
    before = await me(client, ana)

    bad_bodies: list[Any] = [
        {"display_name": "Mallory", "email": "mallory@example.com"},  # unknown field
        {"display_name": "Mallory", "roles": ["ADMIN"]},  # unknown field
        {"display_name": ""},
        {"display_name": "   "},
        {"display_name": "d" * 81},
        {"display_name": 5},
        {"bio": "b" * 501},
        {"bio": 5},
        {"is_private": "yes"},
        {"display_name": None},
        ["display_name", "Mallory"],
    ]
    for body in bad_bodies:
        response = await client.patch("/users/me", json=body, headers=ana.headers)
        assert_problem(response, 400)
    malformed = await client.patch(
        "/users/me",
        content=b'{"display_name": "Mallory"',
        headers={**ana.headers, "content-type": "application/json"},
    )
    assert_problem(malformed, 400)

    assert await me(client, ana) == before


async def test_patch_me_reports_the_offending_field(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    problem = assert_problem(
        await client.patch("/users/me", json={"bio": "b" * 501}, headers=ana.headers), 400
    )
    assert "bio" in {e["field"] for e in problem["errors"]}, problem


# --- GET /users/{username}/entities ------------------------------------------------------


async def test_user_entities_lists_each_entity_with_the_users_role(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana")
    ben = await register(client, "ben")
    owned = await create_entity(client, ana, "ana-sings")
    await create_entity(client, ben, "ben-plays")
    added = await client.post(
        "/entities/ben-plays/members",
        json={"username": "ana", "role": "COLLABORATOR"},
        headers=ben.headers,
    )
    assert added.status_code == 201, added.text

    response = await client.get("/users/ana/entities")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    roles = {item["entity"]["slug"]: item["role"] for item in body["items"]}
    assert roles == {"ana-sings": "OWNER", "ben-plays": "COLLABORATOR"}
    first = next(i for i in body["items"] if i["entity"]["slug"] == "ana-sings")
    assert first["entity"]["id"] == owned["id"]
    assert "since" in first


async def test_user_entities_is_empty_for_a_user_without_entities(
    client: AsyncTestClient,
) -> None:
    await register(client, "ana")
    response = await client.get("/users/ana/entities")
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}


async def test_user_entities_pages_with_a_cursor(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    slugs = {f"ana-band-{n}" for n in range(5)}
    for slug in sorted(slugs):
        await create_entity(client, ana, slug)

    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/users/ana/entities", params=params)).json()
        assert len(page["items"]) <= 2
        seen += [item["entity"]["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(slugs)


BAD_PAGE_PARAMS: list[dict[str, Any]] = [
    {"cursor": "not-a-cursor"},
    {"cursor": "bm9wZQ"},  # base64 of "nope"
    {"limit": 0},
    {"limit": 101},
    {"limit": "ten"},
]


async def test_user_lists_reject_bad_cursor_and_limit(client: AsyncTestClient) -> None:
    await register(client, "ana")
    for what in ("entities", "following"):
        for params in BAD_PAGE_PARAMS:
            response = await client.get(f"/users/ana/{what}", params=params)
            assert_problem(response, 400)


async def test_private_users_lists_are_forbidden_to_strangers(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    ben = await register(client, "ben")
    await create_entity(client, ana, "ana-sings")
    await make_private(client, ana)

    for what in ("entities", "following"):
        for headers in ({}, ben.headers):
            response = await client.get(f"/users/ana/{what}", headers=headers)
            assert_problem(response, 403)
    # nothing leaked into the problem body
    assert "ana-sings" not in (await client.get("/users/ana/entities")).text


async def test_private_users_lists_answer_code_profile_private(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    await make_private(client, ana)
    assert_problem(await client.get("/users/ana/entities"), 403, "profile_private")


async def test_private_users_lists_are_visible_to_self_and_platform_admins(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana")
    entity = await create_entity(client, ana, "ana-sings")
    await client.put(f"/entities/{entity['id']}/follow", headers=ana.headers)
    await make_private(client, ana)
    root = await make_admin(client)

    for what in ("entities", "following"):
        for viewer in (ana, root):
            response = await client.get(f"/users/ana/{what}", headers=viewer.headers)
            assert response.status_code == 200, response.text
            assert [i["entity"]["slug"] for i in response.json()["items"]] == ["ana-sings"]


async def test_garbage_token_on_user_read_routes_is_401(client: AsyncTestClient) -> None:
    await register(client, "ana")
    for path in ("/users/ana", "/users/ana/entities", "/users/ana/following"):
        assert_problem(await client.get(path, headers=GARBAGE), 401, "invalid_token")


# --- GET /users/{username}/following -----------------------------------------------------


async def test_following_lists_the_entities_a_user_follows(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    ben = await register(client, "ben")
    one = await create_entity(client, ana, "one-band")
    two = await create_entity(client, ana, "two-band")
    await create_entity(client, ana, "not-followed")
    for entity in (one, two):
        followed = await client.put(f"/entities/{entity['id']}/follow", headers=ben.headers)
        assert followed.status_code == 200, followed.text

    response = await client.get("/users/ben/following")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    assert {i["entity"]["slug"] for i in body["items"]} == {"one-band", "two-band"}
    assert all("followed_at" in i for i in body["items"])
    assert all(i["entity"]["follower_count"] == 1 for i in body["items"])
