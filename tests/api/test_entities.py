"""Entity routes: create, read by id or slug, edit, delete, search, verification."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import GARBAGE, add_member, create_entity, make_admin

JSON = {"content-type": "application/json"}


async def read(client: AsyncTestClient, ref: str) -> dict[str, Any]:
    response = await client.get(f"/entities/{ref}")
    assert response.status_code == 200, response.text
    return response.json()


async def search(client: AsyncTestClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/entities", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def team(
    client: AsyncTestClient, entity: dict[str, Any]
) -> tuple[Account, Account, Account, Account]:
    """An entity ADMIN, a COLLABORATOR, a stranger and a platform admin around `entity`."""
    owner_token = entity["_owner"]
    boss = await register(client, "boss")
    helper = await register(client, "helper")
    stranger = await register(client, "stranger")
    await add_member(client, owner_token, entity, boss, "ADMIN")
    await add_member(client, owner_token, entity, helper, "COLLABORATOR")
    return boss, helper, stranger, await make_admin(client)


async def owned_entity(client: AsyncTestClient, slug: str = "night-owls") -> dict[str, Any]:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, slug, bio="we play at night")
    return {**entity, "_owner": owner}


# --- POST /entities ----------------------------------------------------------------------


async def test_create_entity_makes_the_caller_its_owner(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    response = await client.post(
        "/entities",
        json={
            "name": "  The Night Owls ",
            "slug": "Night-Owls",
            "kind": "ORGANIZATION",
            "bio": "late shows",
        },
        headers=ana.headers,
    )
    assert response.status_code == 201, response.text
    entity = response.json()
    uuid.UUID(entity["id"])
    assert entity["name"] == "The Night Owls"
    assert entity["slug"] == "night-owls"
    assert entity["kind"] == "ORGANIZATION"
    assert entity["bio"] == "late shows"
    assert entity["verified"] is False
    assert entity["verified_at"] is None
    assert entity["verification_requested_at"] is None
    assert entity["follower_count"] == 0

    members = (await client.get(f"/entities/{entity['id']}/members")).json()["items"]
    assert [(m["user"]["username"], m["role"]) for m in members] == [("ana", "OWNER")]


async def test_entity_is_readable_by_id_and_by_slug(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    entity = await create_entity(client, ana, "night-owls")
    assert await read(client, entity["id"]) == entity
    assert await read(client, "night-owls") == entity
    assert await read(client, "NIGHT-OWLS") == entity


async def test_create_entity_needs_a_valid_token_and_stores_nothing(
    client: AsyncTestClient,
) -> None:
    for headers in ({}, GARBAGE):
        response = await client.post(
            "/entities", json={"name": "Owls", "slug": "owls", "kind": "CREATOR"}, headers=headers
        )
        assert_problem(response, 401, "invalid_token")
    assert_problem(await client.get("/entities/owls"), 404)


BAD_CREATE_BODIES: list[tuple[Any, str | None]] = [
    ({"slug": "owls", "kind": "CREATOR"}, "name"),  # missing
    ({"name": "Owls", "kind": "CREATOR"}, "slug"),  # missing
    ({"name": "Owls", "slug": "owls"}, "kind"),  # missing
    ({"name": 5, "slug": "owls", "kind": "CREATOR"}, "name"),
    ({"name": "Owls", "slug": ["owls"], "kind": "CREATOR"}, "slug"),
    ({"name": "Owls", "slug": "owls", "kind": 1}, "kind"),
    ({"name": "Owls", "slug": "owls", "kind": "CREATOR", "bio": 7}, "bio"),
    ({"name": "n" * 121, "slug": "owls", "kind": "CREATOR"}, "name"),
    ({"name": "   ", "slug": "owls", "kind": "CREATOR"}, "name"),
    ({"name": "", "slug": "owls", "kind": "CREATOR"}, "name"),
    ({"name": "Owls", "slug": "owls", "kind": "CREATOR", "bio": "b" * 2001}, "bio"),
    ({"name": "Owls", "slug": "o" * 65, "kind": "CREATOR"}, "slug"),
    ({"name": "Owls", "slug": "ow", "kind": "CREATOR"}, "slug"),
    ({"name": "Owls", "slug": "night owls", "kind": "CREATOR"}, "slug"),
    ({"name": "Owls", "slug": "night_owls", "kind": "CREATOR"}, "slug"),
    ({"name": "Owls", "slug": "owls!", "kind": "CREATOR"}, "slug"),
    ({"name": "Owls", "slug": "-owls", "kind": "CREATOR"}, "slug"),
    ({"name": "Owls", "slug": "owls-", "kind": "CREATOR"}, "slug"),
    ({"name": "Owls", "slug": "éowls", "kind": "CREATOR"}, "slug"),
    ({"name": "Owls", "slug": "owls", "kind": "BAND"}, "kind"),
    ({"name": "Owls", "slug": "owls", "kind": "creator"}, "kind"),
    (["Owls", "owls", "CREATOR"], None),
]


async def test_create_entity_rejects_bad_input_and_stores_nothing(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana")
    for body, field in BAD_CREATE_BODIES:
        problem = assert_problem(
            await client.post("/entities", json=body, headers=ana.headers), 400
        )
        if field is not None:
            assert field in {e["field"] for e in problem.get("errors", [])}, (body, problem)
    malformed = await client.post(
        "/entities", content=b'{"name": "Owls", "slug": ', headers={**ana.headers, **JSON}
    )
    assert_problem(malformed, 400)

    assert (await search(client))["items"] == []
    assert (await client.get("/users/ana/entities")).json()["items"] == []


async def test_create_entity_with_a_taken_slug_is_409_and_stores_nothing(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana")
    ben = await register(client, "ben")
    first = await create_entity(client, ana, "night-owls")
    response = await client.post(
        "/entities",
        json={"name": "Other Owls", "slug": "NIGHT-OWLS", "kind": "CREATOR"},
        headers=ben.headers,
    )
    problem = assert_problem(response, 409, "slug_taken")
    assert {"field": "slug", "message": problem["detail"]} in problem["errors"]
    assert [e["id"] for e in (await search(client))["items"]] == [first["id"]]
    assert (await client.get("/users/ben/entities")).json()["items"] == []


# --- GET /entities/{id} ------------------------------------------------------------------


async def test_unknown_entity_id_or_slug_is_404_on_every_entity_route(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana")
    root = await make_admin(client)
    for ref in (str(uuid.uuid4()), "no-such-entity"):
        assert_problem(await client.get(f"/entities/{ref}"), 404, "entity_not_found")
        patched = await client.patch(f"/entities/{ref}", json={"name": "x"}, headers=ana.headers)
        assert_problem(patched, 404, "entity_not_found")
        deleted = await client.delete(f"/entities/{ref}", headers=ana.headers)
        assert_problem(deleted, 404, "entity_not_found")
        asked = await client.post(f"/entities/{ref}/verification", headers=ana.headers)
        assert_problem(asked, 404, "entity_not_found")
        verified = await client.post(f"/admin/entities/{ref}/verify", headers=root.headers)
        assert_problem(verified, 404, "entity_not_found")


async def test_garbage_token_on_public_entity_reads_is_401(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    await create_entity(client, ana, "night-owls")
    assert_problem(await client.get("/entities/night-owls", headers=GARBAGE), 401)
    assert_problem(await client.get("/entities", headers=GARBAGE), 401)


# --- PATCH /entities/{id} ----------------------------------------------------------------


async def test_owner_edits_name_slug_and_bio(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    response = await client.patch(
        f"/entities/{entity['id']}",
        json={"name": "Owls at Dawn", "slug": "Dawn-Owls", "bio": "now mornings"},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["slug"], body["bio"]) == (
        "Owls at Dawn",
        "dawn-owls",
        "now mornings",
    )
    assert body["kind"] == entity["kind"]
    assert body["updated_at"] >= entity["updated_at"]

    assert await read(client, "dawn-owls") == body
    assert_problem(await client.get("/entities/night-owls"), 404)


async def test_patch_changes_only_present_fields_and_bio_null_clears(
    client: AsyncTestClient,
) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    renamed = await client.patch(
        "/entities/night-owls", json={"name": "Renamed"}, headers=owner.headers
    )
    assert renamed.status_code == 200, renamed.text
    stored = await read(client, entity["id"])
    assert (stored["name"], stored["slug"], stored["bio"]) == (
        "Renamed",
        "night-owls",
        "we play at night",
    )

    cleared = await client.patch("/entities/night-owls", json={"bio": None}, headers=owner.headers)
    assert cleared.status_code == 200, cleared.text
    assert (await read(client, entity["id"]))["bio"] is None


async def test_patch_to_own_slug_is_fine_and_to_a_taken_slug_is_409(
    client: AsyncTestClient,
) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    await create_entity(client, owner, "day-larks")

    same = await client.patch(
        "/entities/night-owls", json={"slug": "night-owls"}, headers=owner.headers
    )
    assert same.status_code == 200, same.text

    taken = await client.patch(
        "/entities/night-owls", json={"slug": "Day-Larks", "name": "Larks"}, headers=owner.headers
    )
    assert_problem(taken, 409, "slug_taken")
    stored = await read(client, entity["id"])
    assert (stored["slug"], stored["name"]) == ("night-owls", entity["name"])


BAD_PATCH_BODIES: list[Any] = [
    {"name": "Owls", "kind": "ORGANIZATION"},  # kind is not editable: unknown field
    {"name": "Owls", "verified": True},  # unknown field
    {"follower_count": 1000},  # unknown field
    {"name": None},
    {"name": ""},
    {"name": "   "},
    {"name": "n" * 121},
    {"name": 5},
    {"slug": None},
    {"slug": "o" * 65},
    {"slug": "ow"},
    {"slug": "night owls"},
    {"slug": "Owls!!"},
    {"slug": "-owls"},
    {"bio": "b" * 2001},
    {"bio": 5},
    ["name", "Owls"],
]


async def test_patch_rejects_bad_input_and_changes_nothing(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    before = await read(client, entity["id"])
    for body in BAD_PATCH_BODIES:
        response = await client.patch(f"/entities/{entity['id']}", json=body, headers=owner.headers)
        assert_problem(response, 400)
    malformed = await client.patch(
        f"/entities/{entity['id']}",
        content=b'{"name": "Mallory"',
        headers={**owner.headers, **JSON},
    )
    assert_problem(malformed, 400)
    assert await read(client, entity["id"]) == before


async def test_patch_needs_a_valid_token(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    for headers in ({}, GARBAGE):
        response = await client.patch(
            f"/entities/{entity['id']}", json={"name": "x"}, headers=headers
        )
        assert_problem(response, 401, "invalid_token")
    assert (await read(client, entity["id"]))["name"] == entity["name"]


async def test_collaborators_and_strangers_may_not_patch(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    _, helper, stranger, _ = await team(client, entity)
    for user in (helper, stranger):
        response = await client.patch(
            f"/entities/{entity['id']}", json={"name": "Hijacked"}, headers=user.headers
        )
        problem = assert_problem(response, 403, "entity_permission_denied")
        assert problem["permission"] == "UPDATE"
    assert (await read(client, entity["id"]))["name"] == entity["name"]


async def test_entity_admins_and_platform_admins_may_patch(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    boss, _, _, root = await team(client, entity)
    by_boss = await client.patch(
        f"/entities/{entity['id']}", json={"name": "By Boss"}, headers=boss.headers
    )
    assert by_boss.status_code == 200, by_boss.text
    by_root = await client.patch(
        f"/entities/{entity['id']}", json={"bio": "moderated"}, headers=root.headers
    )
    assert by_root.status_code == 200, by_root.text
    stored = await read(client, entity["id"])
    assert (stored["name"], stored["bio"]) == ("By Boss", "moderated")


# --- DELETE /entities/{id} ---------------------------------------------------------------


async def test_owner_deletes_the_entity_and_it_is_gone_everywhere(
    client: AsyncTestClient,
) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    response = await client.delete("/entities/night-owls", headers=owner.headers)
    assert response.status_code == 204, response.text

    assert_problem(await client.get(f"/entities/{entity['id']}"), 404, "entity_not_found")
    assert_problem(await client.get("/entities/night-owls"), 404, "entity_not_found")
    assert_problem(await client.get(f"/entities/{entity['id']}/members"), 404)
    assert (await search(client))["items"] == []
    assert (await client.get("/users/owner/entities")).json()["items"] == []
    again = await client.delete(f"/entities/{entity['id']}", headers=owner.headers)
    assert_problem(again, 404, "entity_not_found")


async def test_deleted_entitys_slug_can_be_reused(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    assert (await client.delete("/entities/night-owls", headers=owner.headers)).status_code == 204
    reborn = await create_entity(client, owner, "night-owls")
    assert reborn["id"] != entity["id"]


async def test_only_owners_and_platform_admins_may_delete(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    boss, helper, stranger, root = await team(client, entity)
    for user in (boss, helper, stranger):
        response = await client.delete(f"/entities/{entity['id']}", headers=user.headers)
        problem = assert_problem(response, 403, "entity_permission_denied")
        assert problem["permission"] == "DELETE"
    for headers in ({}, GARBAGE):
        response = await client.delete(f"/entities/{entity['id']}", headers=headers)
        assert_problem(response, 401, "invalid_token")
    await read(client, entity["id"])

    by_root = await client.delete(f"/entities/{entity['id']}", headers=root.headers)
    assert by_root.status_code == 204, by_root.text
    assert_problem(await client.get(f"/entities/{entity['id']}"), 404)


# --- GET /entities (search) --------------------------------------------------------------


async def test_search_filters_by_q_on_name_or_slug_case_insensitively(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana")
    await create_entity(client, ana, "night-owls", name="The Night Owls")
    await create_entity(client, ana, "larks", name="Morning NIGHTINGALES")
    await create_entity(client, ana, "blue-band", name="Blue")

    def slugs(page: dict[str, Any]) -> set[str]:
        return {e["slug"] for e in page["items"]}

    assert slugs(await search(client, q="night")) == {"night-owls", "larks"}
    assert slugs(await search(client, q="OWLS")) == {"night-owls"}
    assert slugs(await search(client, q="blue-b")) == {"blue-band"}
    assert slugs(await search(client, q="nothing-like-it")) == set()
    assert slugs(await search(client)) == {"night-owls", "larks", "blue-band"}


async def test_search_lists_newest_first(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    for n in range(3):
        await create_entity(client, ana, f"band-{n}")
    items = (await search(client))["items"]
    created = [e["created_at"] for e in items]
    assert created == sorted(created, reverse=True)


async def test_search_filters_by_kind_and_verified(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    root = await make_admin(client)
    await create_entity(client, ana, "solo-one", kind="CREATOR")
    await create_entity(client, ana, "solo-two", kind="CREATOR")
    await create_entity(client, ana, "big-org", kind="ORGANIZATION")
    verified = await client.post("/admin/entities/solo-two/verify", headers=root.headers)
    assert verified.status_code == 200, verified.text

    def slugs(page: dict[str, Any]) -> set[str]:
        return {e["slug"] for e in page["items"]}

    assert slugs(await search(client, kind="CREATOR")) == {"solo-one", "solo-two"}
    assert slugs(await search(client, kind="ORGANIZATION")) == {"big-org"}
    assert slugs(await search(client, verified="true")) == {"solo-two"}
    assert slugs(await search(client, verified="false")) == {"solo-one", "big-org"}
    assert slugs(await search(client, kind="CREATOR", verified="false")) == {"solo-one"}
    assert slugs(await search(client, q="solo", kind="ORGANIZATION")) == set()


async def test_search_pages_with_a_cursor(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    expected = {f"band-{n}" for n in range(7)}
    for slug in sorted(expected):
        await create_entity(client, ana, slug)
    await create_entity(client, ana, "other-act")

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"q": "band", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = await search(client, **params)
        pages += 1
        assert len(page["items"]) <= 3
        seen += [e["slug"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None or pages > 10:
            break
    assert pages == 3
    assert sorted(seen) == sorted(expected)  # each exactly once


async def test_search_rejects_bad_parameters(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    await create_entity(client, ana, "night-owls")
    for params in (
        {"cursor": "not-a-cursor"},
        {"cursor": "bm9wZQ"},
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"kind": "BAND"},
        {"verified": "maybe"},
        {"q": "q" * 101},
    ):
        assert_problem(await client.get("/entities", params=params), 400)
    assert len((await search(client, limit=100))["items"]) == 1


# --- verification ------------------------------------------------------------------------


async def test_owner_requests_verification_and_asking_again_changes_nothing(
    client: AsyncTestClient,
) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    first = await client.post(f"/entities/{entity['id']}/verification", headers=owner.headers)
    assert first.status_code == 202, first.text
    requested_at = first.json()["verification_requested_at"]
    assert requested_at is not None
    assert first.json()["verified"] is False

    again = await client.post("/entities/night-owls/verification", headers=owner.headers)
    assert again.status_code == 202, again.text
    assert again.json()["verification_requested_at"] == requested_at
    assert (await read(client, entity["id"]))["verification_requested_at"] == requested_at


async def test_entity_admin_may_request_verification(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    boss, _, _, _ = await team(client, entity)
    response = await client.post(f"/entities/{entity['id']}/verification", headers=boss.headers)
    assert response.status_code == 202, response.text


async def test_collaborators_strangers_and_anonymous_may_not_request_verification(
    client: AsyncTestClient,
) -> None:
    entity = await owned_entity(client)
    _, helper, stranger, root = await team(client, entity)
    for user in (helper, stranger, root):
        response = await client.post(f"/entities/{entity['id']}/verification", headers=user.headers)
        problem = assert_problem(response, 403, "entity_permission_denied")
        assert problem["permission"] == "REQUEST_VERIFICATION"
    for headers in ({}, GARBAGE):
        response = await client.post(f"/entities/{entity['id']}/verification", headers=headers)
        assert_problem(response, 401, "invalid_token")
    assert (await read(client, entity["id"]))["verification_requested_at"] is None


async def test_platform_admin_verifies_an_entity(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    root = await make_admin(client)
    await client.post(f"/entities/{entity['id']}/verification", headers=owner.headers)

    response = await client.post("/admin/entities/night-owls/verify", headers=root.headers)
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True
    assert response.json()["verified_at"] is not None
    assert (await read(client, entity["id"]))["verified"] is True

    asked = await client.post(f"/entities/{entity['id']}/verification", headers=owner.headers)
    assert_problem(asked, 409, "already_verified")


async def test_admin_verify_is_for_platform_admins_only(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    boss, _, stranger, _ = await team(client, entity)
    for user in (owner, boss, stranger):
        response = await client.post(f"/admin/entities/{entity['id']}/verify", headers=user.headers)
        assert_problem(response, 403)
    for headers in ({}, GARBAGE):
        response = await client.post(f"/admin/entities/{entity['id']}/verify", headers=headers)
        assert_problem(response, 401, "invalid_token")
    assert (await read(client, entity["id"]))["verified"] is False


async def test_admin_verify_by_a_non_admin_answers_code_admin_only(
    client: AsyncTestClient,
) -> None:
    entity = await owned_entity(client)
    owner = entity["_owner"]
    response = await client.post(f"/admin/entities/{entity['id']}/verify", headers=owner.headers)
    assert_problem(response, 403, "admin_only")


async def test_verifying_an_already_verified_entity_is_409(client: AsyncTestClient) -> None:
    entity = await owned_entity(client)
    root = await make_admin(client)
    first = await client.post(f"/admin/entities/{entity['id']}/verify", headers=root.headers)
    assert first.status_code == 200, first.text
    again = await client.post(f"/admin/entities/{entity['id']}/verify", headers=root.headers)
    assert_problem(again, 409, "already_verified")
