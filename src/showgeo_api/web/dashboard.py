"""Creator dashboard (sales, followers, events, trends) and the admin page (platform numbers,
verification requests, the analytics recompute with its progress). Every number comes from
the analytics use cases: the dashboard's one read (`Analytics.dashboard`, with the permission
rules of `GET /analytics/entities/{ref}` and `GET /entities/{id}/revenue`), and those behind
`GET /analytics/platform` and `POST /analytics/update`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from msgspec import Meta

from showgeo_api.web.charts import Chart
from showgeo_api.web.context import Ui
from showgeo_domain.analytics.score import major_units
from showgeo_domain.analytics.summaries import Metric, Snapshot
from showgeo_domain.entities.ports import EntitySearch
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest

EntityRef = Annotated[str, Meta(min_length=1, max_length=64)]
VERIFICATION_SCAN = 100


class DashboardPages(Controller):
    path = "/app/dashboard"

    @get("/")
    async def mine(self, ui: NamedDependency[Ui]) -> Template:
        actor = ui.require()
        assert ui.user is not None
        found = await ui.container.entities().of_user(
            ui.user.username, actor, PageRequest(limit=50)
        )
        return await ui.render("dashboard_index.html", memberships=found.items)

    @get("/{ref:str}")
    async def entity(self, ref: EntityRef, ui: NamedDependency[Ui]) -> Template:
        """The entity's team and platform admins; anyone else gets the refusal page. The
        figures come from one read (`Analytics.dashboard`); the money only for roles that
        see it (a collaborator gets the trends without the sales)."""
        actor = ui.require()
        container = ui.container
        analytics = container.analytics()
        board = await analytics.dashboard(actor, ref)
        entity = board.entity
        events = await container.events().search(EventQuery(entity_id=entity.id, limit=50))
        weights = analytics.weights
        charts = [trend("followers", "Followers", board.series, Metric.FOLLOWERS)]
        currency = board.current.main_currency()
        if currency is not None and board.revenue is not None:  # the money, as the sales above
            tickets = list(board.event_series.values())
            charts.append(revenue_chart(board.series, tickets, currency))
        scores = [(s.day, s.score(weights)) for s in board.series]
        charts.append(Chart("score", "Engagement score", scores, decimals=2))
        products = await container.store().list_for_entity(entity.id, actor, PageRequest(limit=50))
        return await ui.render(
            "dashboard.html",
            entity=entity,
            products=products.items,
            revenue=board.revenue,
            events=[hit.event for hit in events.items],
            charts=charts,
            score=board.current.score(weights),
        )


class AdminPages(Controller):
    path = "/app/admin"

    @get("/")
    async def admin(self, ui: NamedDependency[Ui], job: FromQuery[UUID | None] = None) -> Template:
        actor = ui.require()
        container = ui.container
        view = await container.analytics().platform(actor, None, None)
        unverified = await container.entities().search(
            EntitySearch(verified=False), PageRequest(limit=VERIFICATION_SCAN)
        )
        requests = [e for e in unverified.items if e.verification_requested_at is not None]
        return await ui.render(
            "admin.html",
            current=view.current,
            metric=Metric,
            chart=trend("users", "Users", view.series, Metric.USERS),
            requests=requests,
            job=await container.analytics().job(actor, job) if job else None,
        )

    @post("/verify/{entity_id:uuid}")
    async def verify(self, entity_id: FromPath[UUID], ui: NamedDependency[Ui]) -> Redirect:
        await ui.container.entities().verify(ui.require(), entity_id)
        return Redirect(path="/app/admin", status_code=303)

    @post("/recompute")
    async def recompute(self, ui: NamedDependency[Ui]) -> Redirect:
        """As `POST /analytics/update`: starts a recompute (or finds the running one) and
        shows its progress, which the page polls."""
        job, created = await ui.container.analytics().request_recompute(ui.require())
        if created:
            ui.container.recompute_runner().launch(job.id)
        return Redirect(path=f"/app/admin?job={job.id}", status_code=303)

    @get("/jobs/{job_id:uuid}")
    async def job(self, job_id: FromPath[UUID], ui: NamedDependency[Ui]) -> Template:
        job = await ui.container.analytics().job(ui.require(), job_id)
        return Template("partials/job.html", context={"job": job})


def trend(key: str, title: str, days: Sequence[Snapshot], metric: Metric) -> Chart:
    """A counted metric, day by day."""
    return Chart(key, title, [(s.day, float(s.count(metric))) for s in days])


def revenue_chart(
    store: Sequence[Snapshot], tickets: Sequence[Sequence[Snapshot]], currency: str
) -> Chart:
    """Revenue to date in the entity's main currency (major units): its store revenue plus
    the ticket revenue of its events (the analytics keep ticket money per event), net of
    refunds, as the recompute and the live consumers count it."""

    def minor(day: Snapshot, metric: Metric) -> int:
        return sum(m.amount for m in day.amounts(metric) if m.currency == currency)

    points = [
        (
            s.day,
            major_units(
                minor(s, Metric.STORE_REVENUE)
                + sum(minor(e[i], Metric.TICKET_REVENUE) for e in tickets if i < len(e)),
                currency,
            ),
        )
        for i, s in enumerate(store)
    ]
    decimals = Money(0, currency).exponent
    title = f"Revenue to date ({currency})"
    return Chart("revenue", title, points, f" {currency}", decimals)
