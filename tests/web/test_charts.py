"""The dashboard's and the admin page's trend charts: the numbers uPlot draws travel as JSON
in the page (no inline script), with a table and a one-sentence summary for readers without
JavaScript or sight of the canvas."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar.testing import AsyncTestClient

from tests.api.conftest import register
from tests.api.helpers import add_member, create_entity, create_event, make_admin, pay
from tests.api.test_analytics import recompute
from tests.web.pages import chart_data, log_in, text


async def test_dashboard_and_admin_charts_carry_the_recomputed_numbers(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    helper = await register(client, "helper")
    await add_member(client, owner, entity, helper, "COLLABORATOR")
    event = await create_event(client, owner, "owls")
    tt = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 2550, "currency": "EUR"}, "quota": 10},
        headers=owner.headers,
    )
    fan = await register(client, "fan")
    await client.put("/entities/owls/follow", headers=fan.headers)
    placed = await client.post(
        "/orders",
        json={"items": [{"ticket_type_id": tt.json()["id"], "quantity": 1}]},
        headers=fan.headers,
    )
    await pay(client, placed.json()["checkout"]["url"])
    root = await make_admin(client)
    await recompute(client, root)

    await log_in(client, owner.email)
    page = (await client.get("/app/dashboard/owls")).text
    assert "/static/vendor/uplot-1.6.32.iife.min.js" in page
    assert "/static/charts.js" in page
    today = int(datetime.combine(datetime.now(UTC).date(), datetime.min.time(), UTC).timestamp())
    followers = chart_data(page, "followers")
    assert followers["x"][-1] == today
    assert len(followers["x"]) == len(followers["y"]) == 30
    assert followers["y"][-1] == 1
    revenue = chart_data(page, "revenue")
    assert revenue["title"] == "Revenue to date (EUR)"
    assert revenue["y"][-1] == 25.5
    score = chart_data(page, "score")
    assert score["y"][-1] > 0
    assert f"{score['y'][-1]:.2f}" in text(page)  # the same score as the stat above
    assert "latest 25.50 EUR, highest 25.50 EUR" in page  # the aria-label and the summary
    assert "<td>25.50 EUR</td>" in page  # the table readers without JavaScript get

    await log_in(client, helper.email)  # a collaborator: the trends, but not the money
    team = (await client.get("/app/dashboard/owls")).text
    assert chart_data(team, "followers")["y"][-1] == 1
    assert 'id="data-revenue"' not in team
    assert "25.50" not in team

    await log_in(client, fan.email)  # a stranger: a page that says no, no figures at all
    refused = await client.get("/app/dashboard/owls")
    assert refused.status_code == 403
    assert "VIEW_ANALYTICS" in text(refused.text)
    assert "chart-data" not in refused.text
    assert "uplot" not in refused.text

    await log_in(client, root.email)
    admin = (await client.get("/app/admin")).text
    users = chart_data(admin, "users")
    assert users["y"][-1] == 4  # owner, helper, fan, root
