"""The seller's back-office pages: the owner finds buyers with totals and downloads them as CSV
through the browser session, opens an order and refunds part of it; a collaborator sees the
door's attendees but not the money; the check-in button lets a ticket in once; bad filters are
shown beside their field; strangers get the refusal page."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import register
from tests.api.helpers import Team, create_event, make_team, pay, place, seats
from tests.web.pages import csrf, field_errors, log_in, submit, text


async def _sales(client: AsyncTestClient) -> dict[str, Any]:
    """`owls` (see `make_team`) with an event of one ticket type at 25.00 EUR; Ana (whose name
    a spreadsheet would run as a formula) paid two seats, Bob placed one and has not paid."""
    team = await make_team(client)
    event = await create_event(client, team.owner, "owls")
    response = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 10},
        headers=team.owner.headers,
    )
    assert response.status_code == 201, response.text
    general = response.json()
    ana = await register(client, "ana", display_name="=HYPERLINK(1) Ana")
    bob = await register(client, "bob", display_name="Bob Stone")
    paid = (await place(client, ana, seats(general, 2))).json()
    await pay(client, paid["checkout"]["url"])
    pending = (await place(client, bob, seats(general, 1))).json()
    return {
        "team": team,
        "event": event,
        "paid": paid["order"],
        "pending": pending["order"],
    }


def _team(s: dict[str, Any]) -> Team:
    team: Team = s["team"]
    return team


async def test_the_owner_finds_buyers_with_totals_and_downloads_them(
    client: AsyncTestClient,
) -> None:
    s = await _sales(client)
    await log_in(client, _team(s).owner.email)
    dashboard = await client.get("/app/dashboard/owls")
    assert "/app/manage/entities/owls/orders" in dashboard.text
    assert f"/app/manage/events/{s['event']['id']}/attendees" in dashboard.text

    page = await client.get("/app/manage/entities/owls/orders")
    assert page.status_code == 200, page.text
    shown = text(page.text)
    assert "=HYPERLINK(1) Ana" in shown
    assert "bob@example.com" in shown
    assert "2 orders · paid 50.00 EUR" in shown, shown

    paid_only = text((await client.get("/app/manage/entities/owls/orders?status=PAID")).text)
    assert "Ana" in paid_only
    assert "Bob Stone" not in paid_only
    by_buyer = text((await client.get("/app/manage/entities/owls/orders?q=stone")).text)
    assert "Bob Stone" in by_buyer
    assert "Ana" not in by_buyer

    first = await client.get("/app/manage/entities/owls/orders?limit=1")
    assert "2 orders" in text(first.text)  # the totals count every page
    (after,) = re.findall(r'rel="next" href="([^"]+)"', first.text)
    assert "limit=1" in after
    second = await client.get(after.replace("&amp;", "&"))
    assert "Ana" in text(second.text)
    assert "Bob Stone" not in text(second.text)
    assert 'rel="next"' not in second.text

    download = await client.get("/app/manage/entities/owls/orders/export?status=PAID")
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["order_id"], r["buyer_name"], r["paid"]) for r in rows] == [
        (s["paid"]["id"], "'=HYPERLINK(1) Ana", "5000")
    ]
    assert (await client.get("/entities/owls/orders/export")).status_code == 401  # JSON: Bearer


async def test_an_order_in_full_and_a_partial_refund(client: AsyncTestClient) -> None:
    s = await _sales(client)
    await log_in(client, _team(s).owner.email)
    path = f"/app/manage/entities/owls/orders/{s['paid']['id']}"
    page = await client.get(path)
    assert page.status_code == 200, page.text
    shown = text(page.text)
    assert "ana@example.com" in shown
    assert "General 2 25.00 EUR" in shown
    assert len(re.findall(r"…\S{6} · valid", shown)) == 2

    token = await csrf(client, path)
    too_much = await submit(
        client, f"{path}/refunds", {"amount.amount": "60", "amount.currency": "EUR"}, token=token
    )
    assert too_much.status_code == 200
    assert "amount.amount" in field_errors(too_much.text)
    for amount in ("0", "-5", "1.234"):
        bad = await submit(
            client,
            f"{path}/refunds",
            {"amount.amount": amount, "amount.currency": "EUR"},
            token=token,
        )
        assert "amount.amount" in field_errors(bad.text), (amount, field_errors(bad.text))
    done = await submit(
        client,
        f"{path}/refunds",
        {"amount.amount": "10.00", "amount.currency": "EUR", "reason": "late"},
        token=token,
    )
    assert done.status_code == 303, done.text
    after = (
        await client.get(f"/entities/owls/orders/{s['paid']['id']}", headers=_team(s).owner.headers)
    ).json()
    assert after["order"]["status"] == "PARTIALLY_REFUNDED"
    assert after["order"]["refunded"] == {"amount": 1000, "currency": "EUR"}


async def test_a_stranger_is_refused_and_a_collaborator_sees_only_attendees(
    client: AsyncTestClient,
) -> None:
    s = await _sales(client)
    team = _team(s)
    attendees = f"/app/manage/events/{s['event']['id']}/attendees"
    await log_in(client, team.stranger.email)
    for path in (
        "/app/manage/entities/owls/orders",
        "/app/manage/entities/owls/orders/export",
        f"/app/manage/entities/owls/orders/{s['paid']['id']}",
        attendees,
        f"{attendees}/export",
    ):
        refused = await client.get(path)
        assert refused.status_code == 403, (path, refused.text)
        assert "ana@example.com" not in refused.text
        assert "<h1" in refused.text  # the readable error page, not a bare body

    await log_in(client, team.boss.email)  # an entity admin sees the money
    assert "ana@example.com" in (await client.get("/app/manage/entities/owls/orders")).text
    assert (
        await client.get(f"/app/manage/entities/owls/orders/{s['paid']['id']}")
    ).status_code == 200

    await log_in(client, team.helper.email)
    assert "/app/manage/entities/owls/orders" not in (await client.get("/app/dashboard/owls")).text
    assert (await client.get("/app/manage/entities/owls/orders")).status_code == 403
    assert (await client.get("/app/manage/entities/owls/orders/export")).status_code == 403
    page = await client.get(attendees)
    assert page.status_code == 200, page.text
    shown = text(page.text)
    assert shown.count("ana@example.com") == 2  # one row per ticket
    assert "General 2 / 10 0 0 7" in shown  # sold / quota, in, refunded, available (Bob holds 1)
    assert "EUR" not in shown  # no money on the attendees page


async def test_the_check_in_button_lets_a_ticket_in_once(client: AsyncTestClient) -> None:
    s = await _sales(client)
    await log_in(client, _team(s).helper.email)
    page_path = f"/app/manage/events/{s['event']['id']}/attendees"
    page = await client.get(page_path)
    buttons = re.findall(
        r'action="(/app/manage/events/[^"]+/check-in)".*?name="code_suffix" value="([^"]+)"',
        page.text,
        re.S,
    )
    assert len(buttons) == 2
    action, suffix = buttons[0]
    token = await csrf(client, page_path)
    done = await submit(client, action, {"code_suffix": suffix}, token=token)
    assert done.status_code == 303, done.text
    inside = text((await client.get(f"{page_path}?checked_in=yes")).text)
    assert f"…{suffix}" in inside
    assert "in since" in inside
    assert "General 2 / 10 1 0 7" in inside
    twice = await submit(client, action, {"code_suffix": suffix}, token=token)
    assert twice.status_code == 200
    assert 'role="alert"' in twice.text
    assert "already" in text(twice.text).lower()

    download = await client.get(f"{page_path}/export?checked_in=yes")
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["code_suffix"], r["holder_name"], r["status"]) for r in rows] == [
        (suffix, "'=HYPERLINK(1) Ana", "CHECKED_IN")
    ]


async def test_bad_filters_are_shown_beside_their_field(client: AsyncTestClient) -> None:
    s = await _sales(client)
    await log_in(client, _team(s).owner.email)
    for query, field in (
        ("paid_from=yesterday", "paid_from"),
        ("paid_from=2030-02-02&paid_to=2030-01-01", "paid_to"),
        ("status=SHIPPED", "status"),
        ("q=" + "x" * 101, "q"),
        ("cursor=forged", "cursor"),
        ("limit=lots", "limit"),
    ):
        page = await client.get(f"/app/manage/entities/owls/orders?{query}")
        assert page.status_code == 200, (query, page.text)
        assert field in field_errors(page.text) or 'role="alert"' in page.text, query
        assert "ana@example.com" not in page.text
    assert "paid_from" in field_errors(
        (await client.get("/app/manage/entities/owls/orders?paid_from=yesterday")).text
    )
    attendees = f"/app/manage/events/{s['event']['id']}/attendees?checked_in=maybe"
    page = await client.get(attendees)
    assert page.status_code == 200
    assert "checked_in" in field_errors(page.text)
    assert (
        await client.get("/app/manage/entities/owls/orders/export?paid_from=x")
    ).status_code == 400
