"""Who may read the seller back-office, route by route: anonymous, a stranger, a buyer of the
entity, its COLLABORATOR, its entity ADMIN, its OWNER, the ADMIN of another entity and a
platform admin. Orders (and their exports) need VIEW_REVENUE: entity admins, owners,
platform admins. Attendees (and their export) need VIEW_ATTENDEES, which collaborators hold
too (door staff). Everyone else is refused: 401 anonymous, 403 or 404 otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import FAST_ARGON2, register
from tests.api.helpers import add_member, create_entity, create_event, make_team, pay, place, seats

ACTORS = ["anonymous", "stranger", "buyer", "helper", "boss", "owner", "rival_admin", "root"]
MONEY = frozenset({"boss", "owner", "root"})
DOOR = frozenset({"helper", "boss", "owner", "root"})

ROUTES = [
    ("entity orders", "/entities/{entity}/orders", MONEY),
    ("entity orders export", "/entities/{entity}/orders/export", MONEY),
    ("one order", "/entities/{entity}/orders/{order}", MONEY),
    ("event orders", "/events/{event}/orders", MONEY),
    ("event orders export", "/events/{event}/orders/export?format=jsonl", MONEY),
    ("attendees", "/events/{event}/attendees", DOOR),
    ("attendees export", "/events/{event}/attendees/export", DOOR),
]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    """Permissions do not depend on the database: SQLite only."""
    settings = Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'matrix.db'}",
        auth_rate_limit_per_client=10_000,
        auth_rate_limit_per_account=10_000,
        **FAST_ARGON2,  # type: ignore[arg-type]
    )
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


async def test_each_seller_route_lets_through_exactly_its_table(client: AsyncTestClient) -> None:
    team = await make_team(client, with_admin=True)
    assert team.root is not None
    buyer = await register(client, "buyer")
    rival_owner = await register(client, "rival_owner")
    rival_admin = await register(client, "rival_admin")
    rivals = await create_entity(client, rival_owner, "rivals")
    await add_member(client, rival_owner, rivals, rival_admin, "ADMIN")
    event = await create_event(client, team.owner, team.entity["id"])
    created = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 10},
        headers=team.owner.headers,
    )
    placed = (await place(client, buyer, seats(created.json(), 1))).json()
    await pay(client, placed["checkout"]["url"])
    people = {
        "stranger": team.stranger,
        "buyer": buyer,
        "helper": team.helper,
        "boss": team.boss,
        "owner": team.owner,
        "rival_admin": rival_admin,
        "root": team.root,
    }
    ids = {"entity": team.entity["id"], "event": event["id"], "order": placed["order"]["id"]}

    problems: list[str] = []
    for name, template, allowed in ROUTES:
        path = template.format(**ids)
        for actor in ACTORS:
            headers = people[actor].headers if actor != "anonymous" else {}
            status = (await client.get(path, headers=headers)).status_code
            if actor in allowed:
                ok = status == 200
            elif actor == "anonymous":
                ok = status == 401
            else:
                ok = status in (403, 404)
            if not ok:
                problems.append(f"{name}: {actor} got {status}")
    assert not problems, "\n".join(problems)
