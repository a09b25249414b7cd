"""Notification routes: the caller's inbox with cursor pages and the unread filter, the unread
count, reading one or all (others' notifications untouched, and a 404 for them), preferences.

Notifications are put in through the container's repository (as the consumers would), on the
test client's portal loop where the app's database pool lives."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from showgeo_domain.notifications.model import NotificationDraft, NotificationKind
from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import GARBAGE, create_entity

ROUTES = [
    ("GET", "/notifications"),
    ("GET", "/notifications/unread-count"),
    ("POST", f"/notifications/{uuid.UUID(int=1)}/read"),
    ("POST", "/notifications/read-all"),
    ("GET", "/notifications/preferences"),
    ("PUT", "/notifications/preferences"),
]


def seed(client: AsyncTestClient, who: Account, count: int, kind: str = "ORDER_PAID") -> None:
    """`count` notifications for `who`, one per made-up source event, a second apart."""
    uow = client.app.state["container"].uow()
    start = datetime(2026, 1, 1, tzinfo=UTC)

    async def put() -> None:
        async with uow() as unit:
            for n in range(count):
                draft = NotificationDraft(
                    kind=NotificationKind(kind),
                    title=f"Note {n}",
                    body=f"Body {n}",
                    data={"n": str(n)},
                )
                await unit.notifications.notify(
                    [uuid.UUID(who.id)], draft, uuid.uuid4(), start + timedelta(seconds=n)
                )
            await unit.commit()

    client.blocking_portal.call(put)


async def inbox(client: AsyncTestClient, who: Account, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/notifications{query}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def unread(client: AsyncTestClient, who: Account) -> int:
    response = await client.get("/notifications/unread-count", headers=who.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["count"])


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_every_route_needs_a_valid_token(
    client: AsyncTestClient, method: str, path: str
) -> None:
    body = {"muted_kinds": [], "muted_entities": []} if method == "PUT" else None
    anonymous = await client.request(method, path, json=body)
    assert_problem(anonymous, 401)
    garbage = await client.request(method, path, json=body, headers=GARBAGE)
    assert_problem(garbage, 401)


async def test_the_inbox_pages_newest_first_and_filters_unread(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    bea = await register(client, "bea")
    seed(client, ana, 5)
    seed(client, bea, 2)
    first = await inbox(client, ana, "?limit=2")
    assert [n["title"] for n in first["items"]] == ["Note 4", "Note 3"]
    note = first["items"][0]
    assert note["kind"] == "ORDER_PAID"
    assert note["data"] == {"n": "4"}
    assert note["is_read"] is False
    assert note["read_at"] is None
    titles = [n["title"] for n in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = await inbox(client, ana, f"?limit=2&cursor={cursor}")
        titles += [n["title"] for n in page["items"]]
        cursor = page["next_cursor"]
    assert titles == [f"Note {n}" for n in range(4, -1, -1)]
    assert await unread(client, ana) == 5

    read = await client.post(f"/notifications/{note['id']}/read", headers=ana.headers)
    assert read.status_code == 200, read.text
    assert read.json()["is_read"] is True
    again = await client.post(f"/notifications/{note['id']}/read", headers=ana.headers)
    assert again.json()["read_at"] == read.json()["read_at"]
    assert await unread(client, ana) == 4
    only_unread = await inbox(client, ana, "?unread_only=true")
    assert [n["title"] for n in only_unread["items"]] == ["Note 3", "Note 2", "Note 1", "Note 0"]
    assert await unread(client, bea) == 2


async def test_others_notifications_are_not_found_and_untouched(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    bea = await register(client, "bea")
    seed(client, bea, 3)
    beas = (await inbox(client, bea))["items"]
    for target in (beas[0]["id"], str(uuid.uuid4())):
        response = await client.post(f"/notifications/{target}/read", headers=ana.headers)
        assert_problem(response, 404, "notification_not_found")
    assert (await inbox(client, ana))["items"] == []
    everything = await client.post("/notifications/read-all", headers=ana.headers)
    assert everything.json() == {"count": 0}
    assert await unread(client, bea) == 3

    marked = await client.post("/notifications/read-all", headers=bea.headers)
    assert marked.status_code == 200, marked.text
    assert marked.json() == {"count": 3}
    assert (await client.post("/notifications/read-all", headers=bea.headers)).json() == {
        "count": 0
    }
    assert await unread(client, bea) == 0


async def test_bad_input_is_a_400(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    for query in ("?limit=0", "?limit=101", "?cursor=forged", "?unread_only=maybe"):
        response = await client.get(f"/notifications{query}", headers=ana.headers)
        assert_problem(response, 400)
    bad_id = await client.post("/notifications/not-a-uuid/read", headers=ana.headers)
    assert bad_id.status_code in (400, 404)
    for body in (
        {"muted_kinds": ["LOUD"]},
        {"muted_entities": ["not-a-uuid"]},
        {"muted_entities": [str(uuid.uuid4())]},
        {"muted_kinds": "LIVE_NOW"},
        {"surprise": True},
    ):
        response = await client.put("/notifications/preferences", json=body, headers=ana.headers)
        assert_problem(response, 400)
    current = await client.get("/notifications/preferences", headers=ana.headers)
    assert current.json() == {"muted_kinds": [], "muted_entities": []}


async def test_preferences_are_the_callers_own(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    bea = await register(client, "bea")
    owls = await create_entity(client, ana, "owls")
    body = {"muted_kinds": ["NEW_DROP", "LIVE_NOW", "LIVE_NOW"], "muted_entities": [owls["id"]]}
    saved = await client.put("/notifications/preferences", json=body, headers=ana.headers)
    assert saved.status_code == 200, saved.text
    expected = {"muted_kinds": ["LIVE_NOW", "NEW_DROP"], "muted_entities": [owls["id"]]}
    assert saved.json() == expected
    assert (await client.get("/notifications/preferences", headers=ana.headers)).json() == expected
    theirs = await client.get("/notifications/preferences", headers=bea.headers)
    assert theirs.json() == {"muted_kinds": [], "muted_entities": []}
    cleared = await client.put("/notifications/preferences", json={}, headers=ana.headers)
    assert cleared.json() == {"muted_kinds": [], "muted_entities": []}
