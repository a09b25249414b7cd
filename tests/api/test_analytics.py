"""Analytics through HTTP on SQLite and PostgreSQL: who sees what, the admin's recompute
trigger and its job, summaries whose score matches the formula by hand, counters that move
with domain events between recomputes, and the daily series."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.testing import AsyncTestClient

from showgeo_domain.analytics.jobs import JobTrigger
from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import (
    create_event,
    create_product,
    make_team,
    pay,
    place,
    publish,
    seats,
)

ANALYTICS_GETS = [
    "/analytics/entities/owls",
    "/analytics/users/me",
    "/analytics/platform",
    "/recommendations/entities",
    "/recommendations/events",
]


async def until(check: Callable[[], Awaitable[bool]], within: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"not true within {within} s")
        await asyncio.sleep(0.05)


async def recompute(client: AsyncTestClient, admin: Account) -> dict[str, Any]:
    """Trigger a recompute and wait for it to succeed; returns the finished job."""
    response = await client.post("/analytics/update", headers=admin.headers)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    finished: dict[str, Any] = {}

    async def done() -> bool:
        got = await client.get(f"/analytics/jobs/{job_id}", headers=admin.headers)
        assert got.status_code == 200, got.text
        finished.update(got.json())
        assert finished["status"] != "FAILED", finished
        return bool(finished["status"] == "SUCCEEDED")

    await until(done)
    return finished


async def follow(client: AsyncTestClient, who: Account, entity: str) -> None:
    response = await client.put(f"/entities/{entity}/follow", headers=who.headers)
    assert response.status_code == 200, response.text


async def buy(client: AsyncTestClient, buyer: Account, body: dict[str, Any]) -> None:
    response = await place(client, buyer, body)
    assert response.status_code == 201, response.text
    await pay(client, response.json()["checkout"]["url"])


async def test_guards(client: AsyncTestClient) -> None:
    team = await make_team(client, with_admin=True)
    assert team.root is not None
    event = await create_event(client, team.owner, "owls")
    for path in [*ANALYTICS_GETS, f"/analytics/events/{event['id']}"]:
        assert_problem(await client.get(path), 401)
    assert_problem(await client.post("/analytics/update"), 401)

    stranger = team.stranger.headers
    for path in ["/analytics/entities/owls", f"/analytics/events/{event['id']}"]:
        assert_problem(await client.get(path, headers=stranger), 403)
        for member in (team.owner, team.boss, team.helper, team.root):
            response = await client.get(path, headers=member.headers)
            assert response.status_code == 200, response.text
    assert_problem(await client.get("/analytics/platform", headers=stranger), 403)
    assert_problem(await client.get("/analytics/platform", headers=team.owner.headers), 403)
    assert (await client.get("/analytics/platform", headers=team.root.headers)).status_code == 200
    assert_problem(await client.post("/analytics/update", headers=team.owner.headers), 403)
    me = await client.get("/analytics/users/me", headers=stranger)
    assert me.status_code == 200
    assert me.json()["subject_id"] == team.stranger.id

    # jobs are the admins' too; unknown things are 404; bad input is 400
    job = (await client.post("/analytics/update", headers=team.root.headers)).json()
    assert_problem(await client.get(f"/analytics/jobs/{job['job_id']}", headers=stranger), 403)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(await client.get(f"/analytics/jobs/{unknown}", headers=team.root.headers), 404)
    assert_problem(await client.get("/analytics/entities/nobody", headers=team.root.headers), 404)
    assert_problem(await client.get(f"/analytics/events/{unknown}", headers=team.root.headers), 404)
    owner = team.owner.headers
    for query in (
        "from=2026-13-01",
        "from=2026-02-01&to=2026-01-01",
        "from=2020-01-01&to=2026-01-01",
    ):
        assert_problem(await client.get(f"/analytics/entities/owls?{query}", headers=owner), 400)
    assert_problem(await client.get("/recommendations/entities?limit=0", headers=owner), 400)
    assert_problem(await client.get("/recommendations/events?near=north", headers=owner), 400)
    await recompute_finishes(client, team.root, job["job_id"])


async def recompute_finishes(client: AsyncTestClient, admin: Account, job_id: str) -> None:
    async def done() -> bool:
        got = (await client.get(f"/analytics/jobs/{job_id}", headers=admin.headers)).json()
        return bool(got["status"] in ("SUCCEEDED", "FAILED"))

    await until(done)


async def test_a_second_request_while_one_runs_returns_the_running_job(
    client: AsyncTestClient,
) -> None:
    team = await make_team(client, with_admin=True)
    assert team.root is not None
    recompute_uc = client.app.state["container"].recompute()
    queued, _ = client.blocking_portal.call(recompute_uc.request, JobTrigger.CLI)
    response = await client.post("/analytics/update", headers=team.root.headers)
    assert response.status_code == 202
    assert response.json()["job_id"] == str(queued.id)
    assert response.json()["status"] == "QUEUED"
    status = await client.get(f"/analytics/jobs/{queued.id}", headers=team.root.headers)
    assert status.json()["progress"] == 0.0

    client.blocking_portal.call(recompute_uc.run, queued.id)  # the CLI finishing its job
    finished = await recompute(client, team.root)  # now a new job starts
    assert finished["job_id"] != str(queued.id)
    assert finished["progress"] == 1.0
    assert finished["trigger"] == "API"


async def test_summaries_match_the_formula_and_move_with_events(client: AsyncTestClient) -> None:
    team = await make_team(client, with_admin=True)
    assert team.root is not None
    fan, other = await register(client, "fan"), await register(client, "other")
    await follow(client, fan, "owls")
    await follow(client, other, "owls")
    event = await create_event(client, team.owner, "owls")
    seat_type = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 10},
        headers=team.owner.headers,
    )
    assert seat_type.status_code == 201, seat_type.text
    await buy(client, fan, seats(seat_type.json(), 3))
    shirt = await create_product(client, team.owner)
    assert (await publish(client, team.owner, shirt)).status_code == 200
    await buy(client, other, {"items": [{"product_id": shirt["id"], "quantity": 2}]})

    job = await recompute(client, team.root)
    assert job["stage"] == "done"
    summary = (await client.get("/analytics/entities/owls", headers=team.helper.headers)).json()
    engagement = summary["engagement"]
    inputs = engagement["inputs"]
    assert inputs["followers"] == 2
    assert inputs["tickets_sold"] == 3
    assert inputs["store_revenue"] == 50.0  # 2 x 25.00 EUR, in major units
    assert inputs["viewers"] == 0  # no streaming metrics yet
    assert engagement["currency"] == "EUR"
    by_hand = 0.3 * 2 + 0.25 * 0 + 0.2 * 50.0 + 0.15 * 3 + 0.1 * inputs["notifications_sent"]
    assert abs(engagement["score"] - by_hand) < 1e-9
    assert engagement["normalised_score"] is not None
    assert summary["amounts"]["store_revenue"] == [{"amount": 5000, "currency": "EUR"}]
    # a count per currency is a count, not money
    assert summary["counts"]["paid_orders.EUR"] == 2
    assert "paid_orders" not in summary["amounts"]
    assert summary["series"][-1]["day"] == summary["day"]

    platform = (await client.get("/analytics/platform", headers=team.root.headers)).json()
    assert platform["counts"]["paid_orders"] == 2
    assert platform["amounts"]["revenue"] == [{"amount": 12500, "currency": "EUR"}]
    assert platform["engagement"] is None

    event_view = await client.get(f"/analytics/events/{event['id']}", headers=team.boss.headers)
    assert event_view.json()["counts"]["tickets_sold"] == 3
    mine = (await client.get("/analytics/users/me", headers=fan.headers)).json()
    assert mine["counts"]["tickets"] == 3
    assert mine["counts"]["following"] == 1

    late = await register(client, "late")
    await follow(client, late, "owls")  # after the recompute: a consumer moves the counter

    async def moved() -> bool:
        got = await client.get("/analytics/entities/owls", headers=team.owner.headers)
        return bool(got.json()["counts"].get("followers") == 3)

    await until(moved)
    one_day = await client.get(
        f"/analytics/entities/owls?from={summary['day']}&to={summary['day']}",
        headers=team.owner.headers,
    )
    assert [d["day"] for d in one_day.json()["series"]] == [summary["day"]]


async def test_series_at_the_edges_of_the_calendar(client: AsyncTestClient) -> None:
    who = await register(client, "edgy")
    for query in (
        "to=0001-01-05",
        "from=9999-12-02&to=9999-12-31",
        "from=0001-01-01&to=0001-01-01",
    ):
        response = await client.get(f"/analytics/users/me?{query}", headers=who.headers)
        assert response.status_code == 200, response.text
        assert response.json()["series"][-1]["day"] == query.rsplit("=", 1)[1]
