"""The seller back-office over HTTP: a creator finds who bought (orders of the entity or of one
event, filtered, with totals), opens one order, lists the door's attendees with counts per
ticket type, and downloads both as CSV or JSON Lines; bad filters are 400 problem+json."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import create_entity, create_event, pay, place, seats


async def _sales(client: AsyncTestClient) -> dict[str, Any]:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    types = {}
    for name, price in (("General", 2500), ("VIP", 9000)):
        response = await client.post(
            f"/events/{event['id']}/ticket-types",
            json={"name": name, "price": {"amount": price, "currency": "EUR"}, "quota": 10},
            headers=owner.headers,
        )
        assert response.status_code == 201, response.text
        types[name] = response.json()
    ana = await register(client, "ana", display_name="=HYPERLINK(1) Ana")
    bob = await register(client, "bob", display_name="Bob Stone")
    paid = (await place(client, ana, seats(types["General"], 2))).json()
    await pay(client, paid["checkout"]["url"])
    pending = (await place(client, bob, seats(types["VIP"], 1))).json()
    return {
        "owner": owner,
        "event": event,
        "types": types,
        "paid": paid["order"],
        "pending": pending["order"],
        "ana": ana,
    }


async def _get(client: AsyncTestClient, who: Account, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_seller_finds_every_buyer_with_filters_and_totals(
    client: AsyncTestClient,
) -> None:
    s = await _sales(client)
    owner, event = s["owner"], s["event"]
    listed = await _get(client, owner, "/entities/owls/orders")
    assert [o["id"] for o in listed["items"]] == [s["pending"]["id"], s["paid"]["id"]]
    assert listed["meta"] == {"count": 2, "paid": [{"currency": "EUR", "paid": 5000}]}
    first = listed["items"][1]
    assert first["buyer"] == {"name": "=HYPERLINK(1) Ana", "email": "ana@example.com"}
    assert first["paid"] == {"amount": 5000, "currency": "EUR"}

    page = await _get(client, owner, "/entities/owls/orders", limit=1)
    assert len(page["items"]) == 1
    assert page["meta"]["count"] == 2
    rest = await _get(client, owner, "/entities/owls/orders", cursor=page["next_cursor"])
    assert [o["id"] for o in rest["items"]] == [s["paid"]["id"]]

    by_status = await _get(client, owner, "/entities/owls/orders", status="paid")
    assert [o["id"] for o in by_status["items"]] == [s["paid"]["id"]]
    vip = await _get(client, owner, "/entities/owls/orders", ticket_type_id=s["types"]["VIP"]["id"])
    assert [o["id"] for o in vip["items"]] == [s["pending"]["id"]]
    assert vip["meta"] == {"count": 1, "paid": [{"currency": "EUR", "paid": 0}]}
    found = await _get(client, owner, f"/events/{event['id']}/orders", q="STONE")
    assert [o["buyer"]["name"] for o in found["items"]] == ["Bob Stone"]
    later = await _get(client, owner, "/entities/owls/orders", paid_from="2999-01-01T00:00:00Z")
    assert later["items"] == []
    assert later["meta"]["count"] == 0


async def test_bad_filters_are_400_problems(client: AsyncTestClient) -> None:
    s = await _sales(client)
    owner, event_id = s["owner"], s["event"]["id"]
    for params, field in (
        ({"status": "SHIPPED"}, "status"),
        ({"paid_from": "2030-01-02T00:00:00Z", "paid_to": "2030-01-01T00:00:00Z"}, "paid_to"),
        ({"paid_from": "2030-01-02T00:00:00"}, "paid_from"),
        ({"ticket_type_id": s["types"]["VIP"]["id"], "product_id": s["types"]["VIP"]["id"]}, None),
    ):
        response = await client.get("/entities/owls/orders", params=params, headers=owner.headers)
        body = assert_problem(response, 400)
        if field is not None:
            assert field in response.text, body
    for path, params in (
        ("/entities/owls/orders", {"q": "x" * 101}),
        ("/entities/owls/orders", {"paid_from": "yesterday"}),
        ("/entities/owls/orders", {"ticket_type_id": "not-a-uuid"}),
        (f"/events/{event_id}/attendees", {"checked_in": "maybe"}),
        (f"/events/{event_id}/attendees/export", {"format": "xlsx"}),
        ("/entities/owls/orders", {"cursor": "forged"}),
    ):
        assert_problem(await client.get(path, params=params, headers=owner.headers), 400)


async def test_one_order_in_full_shows_only_the_ends_of_ticket_codes(
    client: AsyncTestClient,
) -> None:
    s = await _sales(client)
    owner, ana = s["owner"], s["ana"]
    detail = await _get(client, owner, f"/entities/owls/orders/{s['paid']['id']}")
    assert detail["order"]["status"] == "PAID"
    assert detail["order"]["lines"][0]["quantity"] == 2
    codes = [t["code"] for t in (await _get(client, ana, "/users/me/tickets"))["items"]]
    assert sorted(t["code_suffix"] for t in detail["tickets"]) == sorted(c[-6:] for c in codes)
    text = json.dumps(detail)
    assert not any(code in text for code in codes)

    other = await register(client, "other")
    await create_entity(client, other, "rivals")
    response = await client.get(f"/entities/rivals/orders/{s['paid']['id']}", headers=other.headers)
    assert_problem(response, 404)


async def test_attendees_with_counts_search_and_check_in_filter(
    client: AsyncTestClient,
) -> None:
    s = await _sales(client)
    owner, ana, event_id = s["owner"], s["ana"], s["event"]["id"]
    codes = [t["code"] for t in (await _get(client, ana, "/users/me/tickets"))["items"]]
    checked = await client.post(f"/tickets/{codes[0]}/check-in", headers=owner.headers)
    assert checked.status_code == 200, checked.text

    listed = await _get(client, owner, f"/events/{event_id}/attendees")
    assert len(listed["items"]) == 2
    assert {a["holder"]["email"] for a in listed["items"]} == {"ana@example.com"}
    counts = {c["name"]: c for c in listed["meta"]["ticket_types"]}
    assert counts["General"] | {"ticket_type_id": None} == {
        "ticket_type_id": None,
        "name": "General",
        "quota": 10,
        "sold": 2,
        "checked_in": 1,
        "refunded": 0,
        "available": 8,
    }
    assert (counts["VIP"]["sold"], counts["VIP"]["available"]) == (0, 9)  # one seat held

    inside = await _get(client, owner, f"/events/{event_id}/attendees", checked_in="true")
    assert [a["code_suffix"] for a in inside["items"]] == [codes[0][-6:]]
    assert inside["items"][0]["status"] == "CHECKED_IN"
    by_code = await _get(client, owner, f"/events/{event_id}/attendees", q=codes[1][-6:])
    assert [a["code_suffix"] for a in by_code["items"]] == [codes[1][-6:]]


async def test_exports_are_spreadsheet_safe_csv_and_json_lines(client: AsyncTestClient) -> None:
    s = await _sales(client)
    owner, event_id = s["owner"], s["event"]["id"]
    response = await client.get(f"/events/{event_id}/attendees/export", headers=owner.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2
    assert {r["holder_name"] for r in rows} == {"'=HYPERLINK(1) Ana"}
    assert all(len(r["code_suffix"]) == 6 for r in rows)

    response = await client.get(
        "/entities/owls/orders/export", params={"format": "jsonl"}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["order_id"] for line in lines] == [s["pending"]["id"], s["paid"]["id"]]
    assert lines[1]["buyer_name"] == "=HYPERLINK(1) Ana"  # JSON keeps values as they are
    assert (lines[1]["paid"], lines[1]["currency"]) == (5000, "EUR")

    paid_only = await client.get(
        f"/events/{event_id}/orders/export", params={"status": "PAID"}, headers=owner.headers
    )
    orders = list(csv.DictReader(io.StringIO(paid_only.text)))
    assert [(o["order_id"], o["paid"]) for o in orders] == [(s["paid"]["id"], "5000")]
