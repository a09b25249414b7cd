"""The pages people use, through the test client: each calls the API's use cases, so these
tests check what a page shows and that it changed what the API then reports."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.api.conftest import register
from tests.api.helpers import (
    add_member,
    create_entity,
    create_event,
    create_product,
    local,
    make_admin,
    move,
    pay,
    publish,
)
from tests.web.pages import csrf, field_errors, log_in, submit, text, until

LISBON = {"name": "Coliseu", "lat": 38.7139, "lon": -9.1394, "country": "PT"}


async def test_follow_button_swaps_in_place_with_the_new_count(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls", name="The Owls")
    fan = await register(client, "fan")
    anonymous = await client.get("/app/entities/owls")
    assert "0 followers" in text(anonymous.text)
    await log_in(client, fan.email)
    token = await csrf(client, "/app/entities/owls")
    followed = await client.post(
        "/app/entities/owls/follow", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert followed.status_code == 200
    assert followed.text.lstrip().startswith('<div id="follow"')  # the partial, not a page
    assert 'data-count="1"' in followed.text
    assert "Unfollow" in followed.text
    status = await client.get("/entities/owls/follow", headers=fan.headers)
    assert status.json() == {"following": True, "follower_count": 1}
    polled = await client.get("/app/entities/owls/follow")
    assert 'data-count="1"' in polled.text
    unfollowed = await submit(client, "/app/entities/owls/unfollow", {}, token=token)
    assert unfollowed.status_code == 303  # without htmx: back to the page
    assert (await client.get("/entities/owls/follow", headers=fan.headers)).json()[
        "following"
    ] is False


async def test_pages_that_need_a_session_send_to_login_and_back(client: AsyncTestClient) -> None:
    response = await client.get("/app/tickets", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/app/login?next=/app/tickets"
    missing = await client.get("/app/entities/nobody")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]


async def test_buy_a_ticket_pay_and_show_its_qr_code(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls", title="Night show", venue=LISBON)
    tt = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 10},
        headers=owner.headers,
    )
    assert tt.status_code == 201
    fan = await register(client, "fan")
    await log_in(client, fan.email)
    page = await client.get(f"/app/events/{event['id']}")
    assert "General" in page.text
    assert "25.00" in text(page.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    form = {"ticket_type_id": tt.json()["id"], "quantity": "2", "idempotency_key": key}
    token = await csrf(client, f"/app/events/{event['id']}")
    bought = await submit(client, f"/app/events/{event['id']}/buy", form, token=token)
    assert bought.status_code == 303
    checkout = bought.headers["location"]
    assert "/localpay/checkout/" in checkout
    again = await submit(client, f"/app/events/{event['id']}/buy", form, token=token)
    assert again.headers["location"] == checkout  # the same order: one Idempotency-Key
    await pay(client, checkout)
    mine = await client.get("/app/tickets")
    codes = re.findall(r'data-code="([^"]+)"', mine.text)
    assert len(codes) == 2
    qr = await client.get(f"/app/tickets/{codes[0]}")
    assert qr.status_code == 200
    assert "<svg" in qr.text
    assert f"Ticket {codes[0]}" in qr.text
    await log_in(client, owner.email)
    assert (await client.get(f"/app/tickets/{codes[0]}")).status_code == 404  # not theirs
    dashboard = await client.get("/app/dashboard/owls")
    sold = re.search(r'class="tickets-sold">(\d+)<', dashboard.text)
    assert sold
    assert sold.group(1) == "2"
    assert "50.00" in dashboard.text


async def test_a_bad_quantity_is_shown_beside_the_field(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    tt = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 1},
        headers=owner.headers,
    )
    fan = await register(client, "fan")
    await log_in(client, fan.email)
    form = {"ticket_type_id": tt.json()["id"], "quantity": "5", "idempotency_key": "k1"}
    refused = await submit(client, f"/app/events/{event['id']}/buy", form)
    assert 'role="alert"' in refused.text  # the quota problem's detail
    orders = await client.get("/users/me/orders", headers=fan.headers)
    assert orders.json()["items"] == []
    zero = await submit(client, f"/app/events/{event['id']}/buy", {**form, "quantity": "0"})
    assert "quantity" in field_errors(zero.text)


async def test_check_in_once_then_the_reason_beside_the_code(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    tt = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 100, "currency": "EUR"}, "quota": 5},
        headers=owner.headers,
    )
    fan = await register(client, "fan")
    placed = await client.post(
        "/orders",
        json={"items": [{"ticket_type_id": tt.json()["id"], "quantity": 1}]},
        headers=fan.headers,
    )
    await pay(client, placed.json()["checkout"]["url"])
    code = (await client.get("/users/me/tickets", headers=fan.headers)).json()["items"][0]["code"]
    await log_in(client, fan.email)
    stranger = await submit(client, "/app/check-in", {"code": code}, token=await csrf(client, "/"))
    assert "code" in field_errors(stranger.text)  # a fan is not the entity's staff
    assert 'id="checked-in"' not in stranger.text
    await log_in(client, owner.email)
    token = await csrf(client, "/app/check-in")
    done = await submit(client, "/app/check-in", {"code": code}, token=token)
    assert done.status_code == 200
    assert 'id="checked-in"' in done.text
    twice = await submit(client, "/app/check-in", {"code": code}, token=token)
    assert "code" in field_errors(twice.text)


async def test_watch_gives_a_token_or_the_refusal_reason(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    configured = await client.put(
        f"/events/{event['id']}/stream", json={"access_level": "FOLLOWERS"}, headers=owner.headers
    )
    assert configured.status_code == 200, configured.text
    assert (await move(client, owner, event["id"], "LIVE")).status_code == 200
    fan = await register(client, "fan")
    await log_in(client, fan.email)
    page = await client.get(f"/app/events/{event['id']}")
    assert 'id="watch-section"' in page.text
    assert "/static/vendor/livekit-client-2.23.0.umd.js" in page.text
    token = await csrf(client, f"/app/events/{event['id']}")
    refused = await client.post(f"/app/events/{event['id']}/watch", headers={"X-CSRF-Token": token})
    assert refused.status_code == 200
    assert refused.json()["allowed"] is False
    assert refused.json()["reason"] == "not_following"
    await client.put("/entities/owls/follow", headers=fan.headers)
    granted = await client.post(f"/app/events/{event['id']}/watch", headers={"X-CSRF-Token": token})
    assert granted.json()["allowed"] is True, granted.text
    assert granted.json()["token"]
    assert granted.json()["role"]


async def test_live_now_reaches_the_inbox_page(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls", name="The Owls")
    event = await create_event(client, owner, "owls", title="Owls live")
    fan = await register(client, "fan")
    await client.put("/entities/owls/follow", headers=fan.headers)
    await move(client, owner, event["id"], "LIVE")

    async def arrived() -> bool:  # LIVE_NOW and PHASE_UPDATE, both for followers
        count = await client.get("/notifications/unread-count", headers=fan.headers)
        return bool(count.json()["count"] == 2)

    await until(arrived)
    await log_in(client, fan.email)

    async def unread() -> int:
        count = await client.get("/notifications/unread-count", headers=fan.headers)
        return int(count.json()["count"])

    before = await unread()
    inbox = await client.get("/app/notifications")
    assert f'id="unread-badge" data-count="{before}"' in inbox.text
    live = re.search(r'id="n-([0-9a-f-]+)" class="unread" data-kind="LIVE_NOW"', inbox.text)
    assert live, "the LIVE_NOW notification is listed, unread"
    token = await csrf(client, "/app/notifications")
    read = await client.post(
        f"/app/notifications/{live.group(1)}/read",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert read.status_code == 200
    assert "Mark read" not in read.text
    assert await unread() == before - 1


async def test_events_near_a_point(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    await create_event(client, owner, "owls", title="In Lisbon", venue=LISBON)
    porto = {"name": "Casa", "lat": 41.1588, "lon": -8.6308, "country": "PT"}
    await create_event(client, owner, "owls", title="In Porto", venue=porto)
    offer = await client.get("/app/events/near")
    assert 'id="locate"' in offer.text
    assert "In Lisbon" not in offer.text
    near = await client.get("/app/events/near?near=38.72,-9.14&radius_km=50")
    assert "In Lisbon" in near.text
    assert "In Porto" not in near.text
    bad = await client.get("/app/events/near?near=north")
    assert bad.status_code == 400
    assert "lat,lon" in bad.text


async def test_store_product_page_checks_out(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    product = await create_product(client, owner, title="Tour shirt")
    assert (await publish(client, owner, product)).status_code == 200
    fan = await register(client, "fan")
    await log_in(client, fan.email)
    assert "Tour shirt" in (await client.get("/app/entities/owls")).text
    page = await client.get(f"/app/products/{product['id']}")
    assert page.status_code == 200
    bought = await submit(
        client, f"/app/products/{product['id']}/buy", {"quantity": "1", "idempotency_key": "p1"}
    )
    assert bought.status_code == 303
    assert "/localpay/checkout/" in local(bought.headers["location"])


async def test_team_pages_and_the_admin_page(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    helper = await register(client, "helper")
    await add_member(client, owner, entity, helper, "COLLABORATOR")
    await log_in(client, helper.email)
    mine = await client.get("/app/dashboard")
    assert "/app/dashboard/owls" in mine.text
    board = await client.get("/app/dashboard/owls")
    assert board.status_code == 200
    assert "shown to the entity" in board.text  # no revenue for a collaborator
    refused = await client.get("/app/admin")
    assert refused.status_code == 403
    assert "@helper" in refused.text  # the error page keeps the signed-in navigation
    await client.post("/entities/owls/verification", headers=owner.headers)
    root = await make_admin(client)
    await log_in(client, root.email)
    admin = await client.get("/app/admin")
    assert admin.status_code == 200
    assert f"/app/admin/verify/{entity['id']}" in admin.text
    token = await csrf(client, "/app/admin")
    started = await submit(client, "/app/admin/recompute", {}, token=token)
    assert started.status_code == 303
    job_page = await client.get(started.headers["location"])
    assert 'id="job-progress"' in job_page.text
    verified = await submit(client, f"/app/admin/verify/{entity['id']}", {}, token=token)
    assert verified.status_code == 303
    assert (await client.get("/entities/owls")).json()["verified"] is True


async def test_the_team_moves_the_event_from_its_page(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    fan = await register(client, "fan")
    await log_in(client, fan.email)
    assert "Go live" not in (await client.get(f"/app/events/{event['id']}")).text
    forged = await submit(client, f"/app/events/{event['id']}/phase", {"to": "LIVE"})
    assert 'role="alert"' in forged.text  # the use case refuses a stranger
    assert (await client.get(f"/events/{event['id']}")).json()["phase"] == "PRE_LIVE"
    await log_in(client, owner.email)
    page = await client.get(f"/app/events/{event['id']}")
    assert "Go live" in page.text
    moved = await submit(client, f"/app/events/{event['id']}/phase", {"to": "LIVE"})
    assert moved.status_code == 303
    assert (await client.get(f"/events/{event['id']}")).json()["phase"] == "LIVE"
    back = await submit(client, f"/app/events/{event['id']}/phase", {"to": "PRE_LIVE"})
    assert 'role="alert"' in back.text  # LIVE → PRE_LIVE is not a move
    assert (await client.get(f"/events/{event['id']}")).json()["phase"] == "LIVE"


async def test_only_the_check_in_page_may_use_the_camera(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await log_in(client, owner.email)
    check_in = await client.get("/app/check-in")
    assert check_in.headers["permissions-policy"].startswith("camera=(self)")
    assert "/static/scan.js" in check_in.text
    assert "camera=()" in (await client.get("/app/tickets")).headers["permissions-policy"]


async def test_home_recommends_and_lists_upcoming_events(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls", name="The Owls")
    await create_event(client, owner, "owls", title="Owls in June")
    visitor = text((await client.get("/")).text)
    assert "The Owls" in visitor
    assert "Owls in June" in visitor
    fan = await register(client, "fan")
    await log_in(client, fan.email)
    home = await client.get("/")
    assert "Recommended for you" in home.text
    assert "The Owls" in home.text  # the popular list for someone with nothing to go on
    assert "Coming up from creators you might like" in home.text


async def test_a_visitor_buying_is_sent_to_log_in_and_back_to_the_event(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    page = f"/app/events/{event['id']}"
    token = await csrf(client, page)
    response = await client.post(
        f"{page}/buy",
        data={"_csrf_token": token, "quantity": "1", "idempotency_key": "k"},
        headers={"Accept": "text/html", "Referer": f"http://testserver.local{page}"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/app/login?next={page}"
