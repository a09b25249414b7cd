"""Who may do what, route by route: a table of the people around one entity — anonymous, a
stranger, a follower, a buyer, a COLLABORATOR, an entity ADMIN, the OWNER and a platform
admin — and for every route that takes an id, who is let through. Everyone else must be
refused (401 anonymous, 403 or 404 otherwise): no one gets more (no IDOR).

Actors try each route from the least to the most privileged. An allowed actor may meet a
409 when an earlier one already did the thing (adding the same member, checking in a used
ticket): that still proves it passed the permission check.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import FAST_ARGON2, Account, register
from tests.api.helpers import (
    create_event,
    create_product,
    make_team,
    my_tickets,
    pay,
    place,
    seats,
)

ACTORS = ["anonymous", "stranger", "follower", "buyer", "helper", "boss", "owner", "root"]
TEAM = {"helper", "boss", "owner"}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    """Permissions do not depend on the database: SQLite only, to keep the table quick."""
    settings = Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'matrix.db'}",
        auth_rate_limit_per_client=10_000,
        auth_rate_limit_per_account=10_000,
        **FAST_ARGON2,  # type: ignore[arg-type]
    )
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


@dataclass
class World:
    people: dict[str, Account]
    ids: dict[str, str]


async def build_world(client: AsyncTestClient) -> World:
    team = await make_team(client, with_admin=True)
    people = {
        "stranger": team.stranger,
        "helper": team.helper,
        "boss": team.boss,
        "owner": team.owner,
        "root": team.root,
        "follower": await register(client, "follower"),
        "buyer": await register(client, "buyer"),
        "newbie": await register(client, "newbie"),
        "heir": await register(client, "heir"),
    }
    entity = team.entity
    assert (
        await client.put(f"/entities/{entity['id']}/follow", headers=people["follower"].headers)
    ).is_success
    event = await create_event(client, team.owner, entity["id"])
    created = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 100},
        headers=team.owner.headers,
    )
    ticket_type = created.json()
    placed = (await place(client, people["buyer"], seats(ticket_type, 1))).json()
    await pay(client, placed["checkout"]["url"])
    (ticket,) = await my_tickets(client, people["buyer"])
    hidden = await create_product(client, team.owner, entity["id"], visibility="HIDDEN")

    found: list[Any] = []
    for _ in range(100):  # ORDER_PAID arrives through the relay and the consumer
        response = await client.get("/notifications", headers=people["buyer"].headers)
        found = list(response.json()["items"])
        if found:
            break
        await asyncio.sleep(0.1)
    assert found, "the buyer's ORDER_PAID notification never arrived"
    return World(
        people,
        {
            "entity": entity["id"],
            "event": event["id"],
            "ticket_type": ticket_type["id"],
            "order": placed["order"]["id"],
            "ticket": ticket["code"],
            "hidden_product": hidden["id"],
            "product": hidden["id"],
            "notification": found[0]["id"],
            "newbie": people["newbie"].username,
            "heir": people["heir"].username,
        },
    )


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    allowed: frozenset[str]
    body: Callable[[dict[str, str]], Any] | None = None


CASES = [
    Case("read a hidden product", "GET", "/products/{hidden_product}", frozenset(TEAM | {"root"})),
    Case("read an order", "GET", "/orders/{order}", frozenset({"buyer", "boss", "owner", "root"})),
    Case("read revenue", "GET", "/entities/{entity}/revenue", frozenset({"boss", "owner", "root"})),
    Case(
        "update the entity",
        "PATCH",
        "/entities/{entity}",
        frozenset({"boss", "owner", "root"}),
        lambda ids: {"bio": "updated"},
    ),
    Case(
        "add a collaborator",
        "POST",
        "/entities/{entity}/members",
        frozenset({"boss", "owner", "root"}),
        lambda ids: {"username": ids["newbie"], "role": "COLLABORATOR"},
    ),
    Case(
        "add an owner",
        "POST",
        "/entities/{entity}/members",
        frozenset({"owner", "root"}),
        lambda ids: {"username": ids["heir"], "role": "OWNER"},
    ),
    Case(
        "request verification",
        "POST",
        "/entities/{entity}/verification",
        frozenset({"boss", "owner"}),
    ),
    Case("verify", "POST", "/admin/entities/{entity}/verify", frozenset({"root"})),
    Case(
        "create an event",
        "POST",
        "/entities/{entity}/events",
        frozenset(TEAM),
        lambda ids: {"title": "Another", "starts_at": "2030-07-01T20:00:00Z"},
    ),
    Case(
        "add a ticket type",
        "POST",
        "/events/{event}/ticket-types",
        frozenset({"boss", "owner"}),
        lambda ids: {"name": "VIP", "price": {"amount": 9000, "currency": "EUR"}, "quota": 5},
    ),
    Case(
        "edit a ticket type",
        "PATCH",
        "/events/{event}/ticket-types/{ticket_type}",
        frozenset({"boss", "owner"}),
        lambda ids: {"name": "General admission"},
    ),
    Case(
        "delete a sold ticket type (409 past the permission check)",
        "DELETE",
        "/events/{event}/ticket-types/{ticket_type}",
        frozenset({"boss", "owner"}),
    ),
    Case(
        "create a product",
        "POST",
        "/entities/{entity}/products",
        frozenset({"boss", "owner"}),
        lambda ids: {
            "title": "Poster",
            "kind": "PHYSICAL",
            "price": {"amount": 1000, "currency": "EUR"},
            "visibility": "PUBLIC",
            "stock": 3,
        },
    ),
    Case(
        "update a product",
        "PATCH",
        "/products/{product}",
        frozenset({"boss", "owner"}),
        lambda ids: {"title": "Renamed"},
    ),
    Case(
        "unpublish a draft (409 past the permission check)",
        "POST",
        "/products/{product}/unpublish",
        frozenset({"boss", "owner"}),
    ),
    Case("archive a product", "POST", "/products/{product}/archive", frozenset({"boss", "owner"})),
    Case(
        "refund a cent",
        "POST",
        "/orders/{order}/refunds",
        frozenset({"boss", "owner", "root"}),
        lambda ids: {"amount": {"amount": 1, "currency": "EUR"}},
    ),
    Case("check in a ticket", "POST", "/tickets/{ticket}/check-in", frozenset(TEAM)),
    Case(
        "read someone's notification",
        "POST",
        "/notifications/{notification}/read",
        frozenset({"buyer"}),
    ),
    Case(
        "move the event live",
        "POST",
        "/events/{event}/phase",
        frozenset(TEAM),
        lambda ids: {"to": "LIVE"},
    ),
    Case(
        "delete an event that sold (409 past the permission check)",
        "DELETE",
        "/events/{event}",
        frozenset(TEAM),
    ),
    Case("delete the entity", "DELETE", "/entities/{entity}", frozenset({"owner", "root"})),
]


async def test_each_route_lets_through_exactly_its_table(client: AsyncTestClient) -> None:
    world = await build_world(client)
    problems: list[str] = []
    for case in CASES:
        path = case.path.format(**world.ids)
        for actor in ACTORS:
            headers = world.people[actor].headers if actor != "anonymous" else {}
            body = case.body(world.ids) if case.body else None
            response = await client.request(case.method, path, json=body, headers=headers)
            status = response.status_code
            if actor in case.allowed:
                ok = 200 <= status < 300 or status == 409
            elif actor == "anonymous":
                ok = status in (401, 404)
            else:
                ok = status in (403, 404)
            if not ok:
                problems.append(f"{case.name}: {actor} got {status} {response.text[:120]}")
    assert not problems, "\n".join(problems)


async def test_a_private_profile_shows_strangers_only_its_name(client: AsyncTestClient) -> None:
    shy = await register(client, "shy", display_name="Shy Person")
    assert (
        await client.patch(
            "/users/me", json={"is_private": True, "bio": "secret"}, headers=shy.headers
        )
    ).is_success
    other = await register(client, "other")
    for headers in ({}, other.headers):
        seen = (await client.get("/users/shy", headers=headers)).json()
        assert seen == {"username": "shy", "display_name": "Shy Person", "is_private": True}
    assert (await client.get("/users/shy", headers=shy.headers)).json().get("bio") == "secret"
