"""HTTP helpers the API tests share: people, teams, entities, events, shop items, orders.

Each helper goes through the public API (never the database), so a test reads as the story a
client would live, and asserts each step succeeded so a broken step fails where it happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlparse

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, register

GARBAGE = {"Authorization": "Bearer not-a-jwt"}


async def make_admin(client: AsyncTestClient, username: str = "root") -> Account:
    """A platform ADMIN created through the container, logged in through the API. The app
    runs on the test client's portal loop, so the use case must run there too (the database
    pool is bound to that loop)."""
    email, password = f"{username}@example.com", "correct horse battery"
    authentication = client.app.state["container"].authentication()
    create = partial(authentication.create_admin, email=email, username=username, password=password)
    client.blocking_portal.call(create)
    response = await client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    data = response.json()
    return Account(
        id=data["user"]["id"],
        username=username,
        email=email,
        password=password,
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
    )


async def create_entity(
    client: AsyncTestClient,
    owner: Account,
    slug: str,
    *,
    name: str | None = None,
    kind: str = "CREATOR",
    bio: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name or slug.replace("-", " ").title(), "slug": slug}
    body["kind"] = kind
    if bio is not None:
        body["bio"] = bio
    response = await client.post("/entities", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def add_member(
    client: AsyncTestClient, by: Account, entity: dict[str, Any], user: Account, role: str
) -> None:
    response = await client.post(
        f"/entities/{entity['id']}/members",
        json={"username": user.username, "role": role},
        headers=by.headers,
    )
    assert response.status_code == 201, response.text


@dataclass
class Team:
    """`owls` with its OWNER, an entity ADMIN (`boss`), a COLLABORATOR (`helper`), a
    stranger and, when asked for, a platform admin."""

    entity: dict[str, Any]
    owner: Account
    boss: Account
    helper: Account
    stranger: Account
    root: Account | None = None


async def make_team(client: AsyncTestClient, *, with_admin: bool = False) -> Team:
    owner = await register(client, "owner")
    boss = await register(client, "boss")
    helper = await register(client, "helper")
    stranger = await register(client, "stranger")
    entity = await create_entity(client, owner, "owls")
    await add_member(client, owner, entity, boss, "ADMIN")
    await add_member(client, owner, entity, helper, "COLLABORATOR")
    root = await make_admin(client) if with_admin else None
    return Team(entity, owner, boss, helper, stranger, root)


def event_body(title: str = "Night show", **extra: Any) -> dict[str, Any]:
    return {"title": title, "starts_at": "2030-06-01T21:00:00Z", **extra}


async def create_event(
    client: AsyncTestClient, by: Account, entity_ref: str, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/entities/{entity_ref}/events", json=event_body(**fields), headers=by.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def move(client: AsyncTestClient, by: Account, event_id: str, to: str) -> Any:
    return await client.post(f"/events/{event_id}/phase", json={"to": to}, headers=by.headers)


async def shop(client: AsyncTestClient, quota: int = 2) -> tuple[Account, dict[str, Any]]:
    """An owner with an event and a ticket type of `quota` seats at 25.00 EUR."""
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    response = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": quota},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    return owner, response.json()


def seats(ticket_type: dict[str, Any], quantity: int) -> dict[str, Any]:
    return {"items": [{"ticket_type_id": ticket_type["id"], "quantity": quantity}]}


async def place(
    client: AsyncTestClient, buyer: Account, body: dict[str, Any], key: str | None = None
) -> Any:
    headers = dict(buyer.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post("/orders", json=body, headers=headers)


async def counters(client: AsyncTestClient, ticket_type: dict[str, Any]) -> tuple[int, int]:
    items = (await client.get(f"/events/{ticket_type['event_id']}/ticket-types")).json()["items"]
    (found,) = [t for t in items if t["id"] == ticket_type["id"]]
    return found["sold"], found["reserved"]


def local(url: str) -> str:
    """The checkout URL's path and query, to follow it on the test client."""
    parts = urlparse(url)
    return f"{parts.path}?{parts.query}"


async def pay(client: AsyncTestClient, checkout_url: str) -> None:
    path, _, query = local(checkout_url).partition("?")
    response = await client.post(f"{path}/pay?{query}", follow_redirects=False)
    assert response.status_code == 303, response.text
    result = await client.get(response.headers["location"])
    assert result.status_code == 200, result.text
    assert "Payment received" in result.text


async def my_tickets(client: AsyncTestClient, buyer: Account) -> list[dict[str, Any]]:
    response = await client.get("/users/me/tickets", headers=buyer.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def product_body(title: str = "Tour shirt", **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "kind": "PHYSICAL",
        "price": {"amount": 2500, "currency": "EUR"},
        "visibility": "PUBLIC",
        "stock": 50,
        **extra,
    }


async def create_product(
    client: AsyncTestClient, by: Account, entity_ref: str = "owls", **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/entities/{entity_ref}/products", json=product_body(**fields), headers=by.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def publish(client: AsyncTestClient, by: Account, product: dict[str, Any]) -> Any:
    return await client.post(f"/products/{product['id']}/publish", headers=by.headers)


async def upload_asset(
    client: AsyncTestClient,
    by: Account,
    entity_id: str,
    *,
    visibility: str = "PURCHASERS",
    data: bytes | None = None,
    filename: str = "track.wav",
) -> str:
    """An entity's file (a short WAV unless `data` is given) uploaded through `POST /assets`;
    its id."""
    from tests.support.media import wav

    response = await client.post(
        "/assets",
        data={"visibility": visibility, "entity_id": entity_id},
        files={"file": (filename, data if data is not None else wav(), "audio/wav")},
        headers=by.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
