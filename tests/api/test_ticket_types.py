"""Ticket type routes: define (owners and entity admins only) and list an event's ticket types."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import GARBAGE, create_entity, create_event, make_team, move


def ticket_body(**extra: Any) -> dict[str, Any]:
    return {"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 100, **extra}


async def listed(client: AsyncTestClient, event_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/events/{event_id}/ticket-types")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return list(body["items"])


async def owned_event(client: AsyncTestClient) -> tuple[Account, dict[str, Any]]:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    return owner, await create_event(client, owner, "owls")


async def test_owner_defines_ticket_types_and_anyone_lists_them(client: AsyncTestClient) -> None:
    owner, event = await owned_event(client)
    url = f"/events/{event['id']}/ticket-types"

    response = await client.post(url, json=ticket_body(), headers=owner.headers)
    assert response.status_code == 201, response.text
    general = response.json()
    assert uuid.UUID(general["id"])
    assert general["event_id"] == event["id"]
    assert general["name"] == "General"
    assert general["price"] == {"amount": 2500, "currency": "EUR"}
    assert (general["quota"], general["sold"], general["reserved"]) == (100, 0, 0)
    assert general["available"] == 100
    assert general["on_sale"] is True
    assert (general["sales_start"], general["sales_end"]) == (None, None)

    later = ticket_body(
        name=" VIP ",
        price={"amount": 0, "currency": "JPY"},
        quota=1,
        sales_start="2999-01-01T00:00:00+02:00",
        sales_end="2999-02-01T00:00:00Z",
    )
    vip = (await client.post(url, json=later, headers=owner.headers)).json()
    assert vip["name"] == "VIP"
    assert vip["on_sale"] is False  # sales have not started
    assert vip["sales_start"].startswith("2998-12-31T22:00:00")
    past = ticket_body(name="Early bird", sales_end="2000-01-01T00:00:00Z")
    early = (await client.post(url, json=past, headers=owner.headers)).json()
    assert early["on_sale"] is False  # sales are over

    items = await listed(client, event["id"])
    assert [t["name"] for t in items] == ["General", "VIP", "Early bird"]  # oldest first
    assert items[0] == general
    assert (await client.get(url, headers=owner.headers)).status_code == 200


async def test_only_owners_and_entity_admins_define_ticket_types(client: AsyncTestClient) -> None:
    team = await make_team(client, with_admin=True)
    event = await create_event(client, team.helper, "owls")
    url = f"/events/{event['id']}/ticket-types"
    for headers in ({}, GARBAGE):
        assert_problem(await client.post(url, json=ticket_body(), headers=headers), 401)
    assert team.root is not None
    for who in (team.helper, team.stranger, team.root):  # prices are the business side
        problem = assert_problem(
            await client.post(url, json=ticket_body(), headers=who.headers),
            403,
            "entity_permission_denied",
        )
        assert problem["permission"] == "MANAGE_STORE"
    assert await listed(client, event["id"]) == []
    response = await client.post(url, json=ticket_body(), headers=team.boss.headers)
    assert response.status_code == 201, response.text
    assert [t["name"] for t in await listed(client, event["id"])] == ["General"]


async def test_ticket_types_of_unknown_events_are_404(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    url = f"/events/{uuid.uuid4()}/ticket-types"
    assert_problem(await client.get(url), 404, "event_not_found")
    response = await client.post(url, json=ticket_body(), headers=owner.headers)
    assert_problem(response, 404, "event_not_found")
    assert_problem(await client.get("/events/not-a-uuid/ticket-types"), 404)
    assert_problem(await client.get(url, headers=GARBAGE), 401)


BAD_TICKET_BODIES: list[tuple[Any, str | None]] = [
    ({"price": {"amount": 1, "currency": "EUR"}, "quota": 1}, "name"),
    ({"name": "A", "quota": 1}, "price"),
    ({"name": "A", "price": {"amount": 1, "currency": "EUR"}}, "quota"),
    (ticket_body(name=""), "name"),
    (ticket_body(name="   "), "name"),
    (ticket_body(name="n" * 101), "name"),
    (ticket_body(name=7), "name"),
    (ticket_body(quota=0), "quota"),
    (ticket_body(quota=-1), "quota"),
    (ticket_body(quota=1_000_001), "quota"),
    (ticket_body(quota=1.5), "quota"),
    (ticket_body(quota="many"), "quota"),
    (ticket_body(price={"amount": -1, "currency": "EUR"}), "price"),
    (ticket_body(price={"amount": 12.5, "currency": "EUR"}), None),
    (ticket_body(price={"amount": 12.0, "currency": "EUR"}), None),  # major units, surely
    (ticket_body(price={"amount": "12.50", "currency": "EUR"}), None),
    (ticket_body(price={"amount": True, "currency": "EUR"}), "price"),
    (ticket_body(price={"amount": 100, "currency": "eu"}), "price"),
    (ticket_body(price={"amount": 100, "currency": "eur"}), "price"),
    (ticket_body(price={"amount": 100, "currency": "EURO"}), "price"),
    (ticket_body(price={"amount": 100}), "price"),
    (ticket_body(price=2500), "price"),
    (ticket_body(sales_start="2030-01-01T00:00:00"), "sales_start"),
    (ticket_body(sales_end="next week"), "sales_end"),
    (
        ticket_body(sales_start="2030-02-01T00:00:00Z", sales_end="2030-01-01T00:00:00Z"),
        "sales_end",
    ),
    ([], None),
]


async def test_bad_ticket_types_are_400_and_nothing_is_stored(client: AsyncTestClient) -> None:
    owner, event = await owned_event(client)
    url = f"/events/{event['id']}/ticket-types"
    for body, field in BAD_TICKET_BODIES:
        problem = assert_problem(await client.post(url, json=body, headers=owner.headers), 400)
        fields = {e["field"].split(".")[0] for e in problem.get("errors", [])}
        if field is not None:
            assert field in fields, (body, problem)
        elif isinstance(body, dict):
            assert fields & {"amount", "price"}, (body, problem)
    assert await listed(client, event["id"]) == []


async def test_finished_and_cancelled_events_take_no_new_ticket_types(
    client: AsyncTestClient,
) -> None:
    owner, event = await owned_event(client)
    cancelled = await create_event(client, owner, "owls", title="Cancelled")
    await move(client, owner, event["id"], "LIVE")
    live = await client.post(
        f"/events/{event['id']}/ticket-types", json=ticket_body(), headers=owner.headers
    )
    assert live.status_code == 201, live.text  # still selling while it is on
    await move(client, owner, event["id"], "POST_LIVE")
    await move(client, owner, cancelled["id"], "CANCELLED")
    for done in (event, cancelled):
        response = await client.post(
            f"/events/{done['id']}/ticket-types",
            json=ticket_body(name="Late"),
            headers=owner.headers,
        )
        assert_problem(response, 409, "event_not_editable")
    assert [t["name"] for t in await listed(client, event["id"])] == ["General"]
    assert await listed(client, cancelled["id"]) == []


async def test_tickets_of_a_cancelled_event_are_not_on_sale(client: AsyncTestClient) -> None:
    owner, event = await owned_event(client)
    url = f"/events/{event['id']}/ticket-types"
    assert (await client.post(url, json=ticket_body(), headers=owner.headers)).status_code == 201
    await move(client, owner, event["id"], "CANCELLED")
    assert [t["on_sale"] for t in await listed(client, event["id"])] == [False]
