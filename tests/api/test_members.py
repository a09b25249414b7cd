"""Entity team routes: list, add or re-role, change role, remove; the last-owner rule."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import GARBAGE, create_entity, make_admin


async def add(
    client: AsyncTestClient, by: Account, entity: dict[str, Any], username: str, role: str
) -> Any:
    return await client.post(
        f"/entities/{entity['id']}/members",
        json={"username": username, "role": role},
        headers=by.headers,
    )


async def roles(client: AsyncTestClient, entity: dict[str, Any]) -> dict[str, str]:
    response = await client.get(f"/entities/{entity['id']}/members")
    assert response.status_code == 200, response.text
    return {m["user"]["username"]: m["role"] for m in response.json()["items"]}


async def setup(client: AsyncTestClient) -> tuple[dict[str, Any], Account, Account, Account]:
    """`owls` owned by `owner`, with `boss` as entity ADMIN and `helper` as COLLABORATOR."""
    owner = await register(client, "owner")
    boss = await register(client, "boss")
    helper = await register(client, "helper")
    entity = await create_entity(client, owner, "owls")
    assert (await add(client, owner, entity, "boss", "ADMIN")).status_code == 201
    assert (await add(client, owner, entity, "helper", "COLLABORATOR")).status_code == 201
    return entity, owner, boss, helper


# --- GET /entities/{id}/members ----------------------------------------------------------


async def test_members_list_is_public_and_whole(client: AsyncTestClient) -> None:
    _, _, boss, _ = await setup(client)
    response = await client.get("/entities/owls/members")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    by_name = {m["user"]["username"]: m for m in body["items"]}
    assert {name: m["role"] for name, m in by_name.items()} == {
        "owner": "OWNER",
        "boss": "ADMIN",
        "helper": "COLLABORATOR",
    }
    assert by_name["boss"]["user_id"] == boss.id
    assert "since" in by_name["boss"]
    assert "email" not in response.text


async def test_members_of_unknown_entity_is_404(client: AsyncTestClient) -> None:
    for ref in (str(uuid.uuid4()), "no-such-entity"):
        assert_problem(await client.get(f"/entities/{ref}/members"), 404, "entity_not_found")


async def test_members_list_with_a_garbage_token_is_401(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    assert_problem(await client.get("/entities/owls/members", headers=GARBAGE), 401)


async def test_private_members_show_only_their_summary_in_the_team(
    client: AsyncTestClient,
) -> None:
    entity, _, _, helper = await setup(client)
    await client.patch(
        "/users/me", json={"is_private": True, "bio": "hidden"}, headers=helper.headers
    )
    items = (await client.get(f"/entities/{entity['id']}/members")).json()["items"]
    shown = next(m for m in items if m["user"]["username"] == "helper")
    assert set(shown["user"]) == {"username", "display_name", "is_private"}
    assert shown["role"] == "COLLABORATOR"


# --- POST /entities/{id}/members ---------------------------------------------------------


async def test_owner_adds_a_member(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    ana = await register(client, "ana")
    entity = await create_entity(client, owner, "owls")
    response = await add(client, owner, entity, "ANA", "COLLABORATOR")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user_id"] == ana.id
    assert body["user"]["username"] == "ana"
    assert body["role"] == "COLLABORATOR"
    assert await roles(client, entity) == {"owner": "OWNER", "ana": "COLLABORATOR"}
    listed = (await client.get("/users/ana/entities")).json()["items"]
    assert [(i["entity"]["slug"], i["role"]) for i in listed] == [("owls", "COLLABORATOR")]


async def test_adding_an_existing_member_sets_their_role(client: AsyncTestClient) -> None:
    entity, owner, _, _ = await setup(client)
    response = await add(client, owner, entity, "helper", "ADMIN")
    assert response.status_code == 201, response.text
    assert response.json()["role"] == "ADMIN"
    assert (await roles(client, entity))["helper"] == "ADMIN"
    assert len(await roles(client, entity)) == 3


async def test_adding_members_needs_a_valid_token(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await register(client, "ana")
    entity = await create_entity(client, owner, "owls")
    for headers in ({}, GARBAGE):
        response = await client.post(
            f"/entities/{entity['id']}/members",
            json={"username": "ana", "role": "OWNER"},
            headers=headers,
        )
        assert_problem(response, 401, "invalid_token")
    assert await roles(client, entity) == {"owner": "OWNER"}


async def test_strangers_and_collaborators_may_not_add_members(client: AsyncTestClient) -> None:
    entity, _, _, helper = await setup(client)
    stranger = await register(client, "stranger")
    await register(client, "ana")
    for user in (stranger, helper):
        for role in ("COLLABORATOR", "OWNER"):
            response = await add(client, user, entity, "ana", role)
            assert_problem(response, 403, "entity_permission_denied")
        # nor promote themselves
        response = await add(client, user, entity, user.username, "ADMIN")
        assert_problem(response, 403, "entity_permission_denied")
    assert "ana" not in await roles(client, entity)
    assert "stranger" not in await roles(client, entity)
    assert (await roles(client, entity))["helper"] == "COLLABORATOR"


async def test_entity_admin_runs_the_team_but_not_its_owners(client: AsyncTestClient) -> None:
    entity, owner, boss, _ = await setup(client)
    await register(client, "ana")
    await register(client, "cyd")
    assert (await add(client, boss, entity, "ana", "COLLABORATOR")).status_code == 201
    assert (await add(client, boss, entity, "cyd", "ADMIN")).status_code == 201

    problem = assert_problem(await add(client, boss, entity, "ana", "OWNER"), 403)
    assert problem["code"] == "entity_permission_denied"
    assert problem["permission"] == "MANAGE_OWNERS"
    assert_problem(await add(client, boss, entity, "boss", "OWNER"), 403)
    assert_problem(await add(client, boss, entity, "owner", "ADMIN"), 403)
    demote = await client.patch(
        f"/entities/{entity['id']}/members/{owner.id}",
        json={"role": "COLLABORATOR"},
        headers=boss.headers,
    )
    assert_problem(demote, 403, "entity_permission_denied")
    remove = await client.delete(
        f"/entities/{entity['id']}/members/{owner.id}", headers=boss.headers
    )
    assert_problem(remove, 403, "entity_permission_denied")

    assert await roles(client, entity) == {
        "owner": "OWNER",
        "boss": "ADMIN",
        "helper": "COLLABORATOR",
        "ana": "COLLABORATOR",
        "cyd": "ADMIN",
    }


async def test_platform_admin_manages_any_team_including_owners(client: AsyncTestClient) -> None:
    entity, _, _, helper = await setup(client)
    root = await make_admin(client)
    await register(client, "ana")
    assert (await add(client, root, entity, "ana", "OWNER")).status_code == 201
    removed = await client.delete(
        f"/entities/{entity['id']}/members/{helper.id}", headers=root.headers
    )
    assert removed.status_code == 204, removed.text
    members = await roles(client, entity)
    assert members == {"owner": "OWNER", "boss": "ADMIN", "ana": "OWNER"}
    assert "root" not in members  # moderating does not make the admin a host


async def test_add_member_rejects_bad_input_and_stores_nothing(client: AsyncTestClient) -> None:
    entity, owner, _, _ = await setup(client)
    await register(client, "ana")
    before = await roles(client, entity)
    bad_bodies: list[Any] = [
        {"role": "ADMIN"},
        {"username": "ana"},
        {"username": "ana", "role": "BOSS"},
        {"username": "ana", "role": "owner"},
        {"username": "ana", "role": 1},
        {"username": 5, "role": "ADMIN"},
        {"username": "", "role": "ADMIN"},
        {"username": "a" * 65, "role": "ADMIN"},
        [{"username": "ana", "role": "ADMIN"}],
    ]
    for body in bad_bodies:
        response = await client.post(
            f"/entities/{entity['id']}/members", json=body, headers=owner.headers
        )
        assert_problem(response, 400)
    malformed = await client.post(
        f"/entities/{entity['id']}/members",
        content=b'{"username": "ana", ',
        headers={**owner.headers, "content-type": "application/json"},
    )
    assert_problem(malformed, 400)
    assert await roles(client, entity) == before


async def test_adding_an_unknown_user_or_to_an_unknown_entity_is_404(
    client: AsyncTestClient,
) -> None:
    entity, owner, _, _ = await setup(client)
    before = await roles(client, entity)
    assert_problem(await add(client, owner, entity, "nobody", "ADMIN"), 404, "user_not_found")
    response = await client.post(
        "/entities/no-such-entity/members",
        json={"username": "boss", "role": "ADMIN"},
        headers=owner.headers,
    )
    assert_problem(response, 404, "entity_not_found")
    assert await roles(client, entity) == before


# --- PATCH /entities/{id}/members/{user_id} ----------------------------------------------


async def test_owner_changes_a_members_role(client: AsyncTestClient) -> None:
    entity, owner, _, helper = await setup(client)
    response = await client.patch(
        f"/entities/owls/members/{helper.id}", json={"role": "ADMIN"}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "ADMIN"
    assert (await roles(client, entity))["helper"] == "ADMIN"


async def test_change_role_rejects_bad_input_unknown_members_and_strangers(
    client: AsyncTestClient,
) -> None:
    entity, owner, _, helper = await setup(client)
    stranger = await register(client, "stranger")
    before = await roles(client, entity)
    url = f"/entities/{entity['id']}/members/{helper.id}"
    for body in ({"role": "BOSS"}, {}, {"role": None}, {"role": ["ADMIN"]}):
        assert_problem(await client.patch(url, json=body, headers=owner.headers), 400)
    not_member = f"/entities/{entity['id']}/members/{stranger.id}"
    assert_problem(
        await client.patch(not_member, json={"role": "ADMIN"}, headers=owner.headers),
        404,
        "member_not_found",
    )
    no_user = f"/entities/{entity['id']}/members/{uuid.uuid4()}"
    assert_problem(await client.patch(no_user, json={"role": "ADMIN"}, headers=owner.headers), 404)
    not_an_id = f"/entities/{entity['id']}/members/not-a-uuid"
    assert_problem(
        await client.patch(not_an_id, json={"role": "ADMIN"}, headers=owner.headers), 404
    )
    assert_problem(await client.delete(not_an_id, headers=owner.headers), 404)
    assert_problem(
        await client.patch(url, json={"role": "ADMIN"}, headers=stranger.headers),
        403,
        "entity_permission_denied",
    )
    assert_problem(
        await client.patch(url, json={"role": "ADMIN"}, headers=helper.headers),
        403,
        "entity_permission_denied",
    )
    for headers in ({}, GARBAGE):
        response = await client.patch(url, json={"role": "ADMIN"}, headers=headers)
        assert_problem(response, 401, "invalid_token")
    assert await roles(client, entity) == before


# --- DELETE /entities/{id}/members/{user_id} ---------------------------------------------


async def test_owner_removes_a_member(client: AsyncTestClient) -> None:
    entity, owner, _, helper = await setup(client)
    response = await client.delete(
        f"/entities/{entity['id']}/members/{helper.id}", headers=owner.headers
    )
    assert response.status_code == 204, response.text
    assert "helper" not in await roles(client, entity)
    assert (await client.get("/users/helper/entities")).json()["items"] == []
    again = await client.delete(
        f"/entities/{entity['id']}/members/{helper.id}", headers=owner.headers
    )
    assert_problem(again, 404, "member_not_found")


async def test_any_member_may_leave_on_their_own(client: AsyncTestClient) -> None:
    entity, _, boss, helper = await setup(client)
    for member in (helper, boss):
        response = await client.delete(
            f"/entities/{entity['id']}/members/{member.id}", headers=member.headers
        )
        assert response.status_code == 204, response.text
    assert await roles(client, entity) == {"owner": "OWNER"}


async def test_strangers_and_collaborators_may_not_remove_members(
    client: AsyncTestClient,
) -> None:
    entity, _, boss, helper = await setup(client)
    stranger = await register(client, "stranger")
    before = await roles(client, entity)
    for user in (stranger, helper):
        response = await client.delete(
            f"/entities/{entity['id']}/members/{boss.id}", headers=user.headers
        )
        assert_problem(response, 403, "entity_permission_denied")
    for headers in ({}, GARBAGE):
        response = await client.delete(
            f"/entities/{entity['id']}/members/{boss.id}", headers=headers
        )
        assert_problem(response, 401, "invalid_token")
    assert await roles(client, entity) == before


# --- the last owner ----------------------------------------------------------------------


async def test_the_last_owner_can_neither_leave_nor_be_demoted(client: AsyncTestClient) -> None:
    entity, owner, _, _ = await setup(client)
    root = await make_admin(client)
    url = f"/entities/{entity['id']}/members/{owner.id}"

    assert_problem(await client.delete(url, headers=owner.headers), 409, "last_owner")
    assert_problem(await client.delete(url, headers=root.headers), 409, "last_owner")
    for by in (owner, root):
        demoted = await client.patch(url, json={"role": "ADMIN"}, headers=by.headers)
        assert_problem(demoted, 409, "last_owner")
    assert_problem(await add(client, owner, entity, "owner", "COLLABORATOR"), 409, "last_owner")
    assert (await roles(client, entity))["owner"] == "OWNER"


async def test_an_owner_may_leave_or_be_demoted_once_another_owner_exists(
    client: AsyncTestClient,
) -> None:
    entity, owner, boss, _ = await setup(client)
    assert (await add(client, owner, entity, "boss", "OWNER")).status_code == 201

    demoted = await client.patch(
        f"/entities/{entity['id']}/members/{owner.id}",
        json={"role": "ADMIN"},
        headers=owner.headers,
    )
    assert demoted.status_code == 200, demoted.text
    assert (await roles(client, entity))["owner"] == "ADMIN"
    # and now boss is the last owner
    stuck = await client.delete(f"/entities/{entity['id']}/members/{boss.id}", headers=boss.headers)
    assert_problem(stuck, 409, "last_owner")

    left = await client.delete(
        f"/entities/{entity['id']}/members/{owner.id}", headers=owner.headers
    )
    assert left.status_code == 204, left.text
    assert await roles(client, entity) == {"boss": "OWNER", "helper": "COLLABORATOR"}


async def test_a_co_owner_may_remove_another_owner(client: AsyncTestClient) -> None:
    entity, owner, boss, _ = await setup(client)
    assert (await add(client, owner, entity, "boss", "OWNER")).status_code == 201
    removed = await client.delete(
        f"/entities/{entity['id']}/members/{owner.id}", headers=boss.headers
    )
    assert removed.status_code == 204, removed.text
    assert "owner" not in await roles(client, entity)
    # the removed owner lost every right on the entity
    patched = await client.patch(
        f"/entities/{entity['id']}", json={"name": "Mine"}, headers=owner.headers
    )
    assert_problem(patched, 403, "entity_permission_denied")
