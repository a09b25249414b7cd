"""An entity's team run from the pages: an owner adds a member by username, changes their
role and removes them; an unknown username is refused beside its field; a collaborator, who
may not run the team, sees the use case's refusal; a stranger is refused the page. What the
JSON API reports afterwards is the check."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import register
from tests.api.helpers import create_entity
from tests.web.pages import csrf, field_errors, log_in, submit, text

TEAM = "/app/manage/entities/owls/team"


async def roster(client: AsyncTestClient) -> list[tuple[str, str]]:
    """`(username, role)` of each member, as `GET /entities/owls/members` lists them."""
    members: list[dict[str, Any]] = (await client.get("/entities/owls/members")).json()["items"]
    return sorted((m["user"]["username"], m["role"]) for m in members)


async def test_an_owner_adds_promotes_and_removes_a_member(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    guest = await register(client, "guest", display_name="Guest Star")
    await log_in(client, owner.email)
    assert TEAM in (await client.get("/app/dashboard/owls")).text

    token = await csrf(client, TEAM)
    added = await submit(client, TEAM, {"username": "guest", "role": "COLLABORATOR"}, token=token)
    assert added.status_code == 303, added.text
    assert added.headers["location"] == TEAM
    assert await roster(client) == [("guest", "COLLABORATOR"), ("owner", "OWNER")]
    page = text((await client.get(TEAM)).text)
    assert "Guest Star @guest Collaborator" in page

    changed = await submit(client, f"{TEAM}/{guest.id}/role", {"role": "ADMIN"}, token=token)
    assert changed.status_code == 303, changed.text
    assert changed.headers["location"] == TEAM
    assert await roster(client) == [("guest", "ADMIN"), ("owner", "OWNER")]
    assert "Guest Star @guest Admin" in text((await client.get(TEAM)).text)

    removed = await submit(client, f"{TEAM}/{guest.id}/remove", {}, token=token)
    assert removed.status_code == 303, removed.text
    assert await roster(client) == [("owner", "OWNER")]
    assert "@guest" not in text((await client.get(TEAM)).text)


async def test_an_unknown_username_is_refused_beside_its_field(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    await log_in(client, owner.email)
    token = await csrf(client, TEAM)

    unknown = await submit(client, TEAM, {"username": "nobody", "role": "ADMIN"}, token=token)
    assert unknown.status_code == 200
    assert "nobody" in field_errors(unknown.text)["username"]
    assert 'value="nobody"' in unknown.text  # what was typed is kept
    empty = await submit(client, TEAM, {"username": " ", "role": "ADMIN"}, token=token)
    assert "username" in field_errors(empty.text)
    bad_role = await submit(client, TEAM, {"username": "owner", "role": "BOSS"}, token=token)
    assert "role" in field_errors(bad_role.text)
    assert await roster(client) == [("owner", "OWNER")]


async def test_a_collaborator_sees_the_refusal(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    helper = await register(client, "helper")
    await register(client, "friend")
    body = {"username": "helper", "role": "COLLABORATOR"}
    made = await client.post("/entities/owls/members", json=body, headers=owner.headers)
    assert made.status_code == 201, made.text
    await log_in(client, helper.email)

    assert (await client.get(TEAM)).status_code == 200  # the team sees its page
    token = await csrf(client, TEAM)
    added = await submit(client, TEAM, {"username": "friend", "role": "COLLABORATOR"}, token=token)
    assert added.status_code == 200
    assert 'role="alert"' in added.text
    assert "MANAGE_MEMBERS" in added.text
    promoted = await submit(client, f"{TEAM}/{helper.id}/role", {"role": "ADMIN"}, token=token)
    assert promoted.status_code == 200
    assert 'role="alert"' in promoted.text
    ousted = await submit(client, f"{TEAM}/{owner.id}/remove", {}, token=token)
    assert ousted.status_code == 200
    assert 'role="alert"' in ousted.text
    assert "MANAGE_OWNERS" in ousted.text
    assert await roster(client) == [("helper", "COLLABORATOR"), ("owner", "OWNER")]

    left = await submit(client, f"{TEAM}/{helper.id}/remove", {}, token=token)  # may leave
    assert left.headers["location"] == "/app/dashboard"
    assert await roster(client) == [("owner", "OWNER")]


async def test_a_stranger_is_refused(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    stranger = await register(client, "stranger")
    await log_in(client, stranger.email)

    assert (await client.get(TEAM)).status_code == 403
    token = await csrf(client, "/")
    joined = await submit(client, TEAM, {"username": "stranger", "role": "OWNER"}, token=token)
    assert joined.status_code == 403
    ousted = await submit(client, f"{TEAM}/{owner.id}/remove", {}, token=token)
    assert ousted.status_code == 403
    assert await roster(client) == [("owner", "OWNER")]

    client.cookies.clear()
    signed_out = await client.get(TEAM, follow_redirects=False)
    assert signed_out.headers["location"].startswith("/app/login?next=")
