"""Creator dashboard (sales, followers, events, trends) and the admin page (platform numbers,
verification requests, the analytics recompute with its progress). Every number comes from
the use cases behind `GET /entities/{id}/revenue`, `GET /analytics/...` and
`POST /analytics/update`, with their permission rules."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from msgspec import Meta

from showgeo_api.web.charts import bar_chart
from showgeo_api.web.context import Ui
from showgeo_domain.analytics.summaries import Metric
from showgeo_domain.entities.ports import EntitySearch
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.shared.errors import PermissionDenied
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
        actor = ui.require()
        container = ui.container
        entity = await container.entities().get(ref)
        revenue = None
        with contextlib.suppress(PermissionDenied):  # collaborators see all but the money
            revenue = await container.orders().revenue(actor, entity.id)
        events = await container.events().search(EventQuery(entity_id=entity.id, limit=50))
        analytics = container.analytics()
        charts: list[Any] = []
        score = None
        try:
            view = await analytics.entity(actor, entity.id, None, None)
        except PermissionDenied:
            view = None
        if view is not None:
            score = view.current.score(analytics.weights)
            followers = [(s.day, float(s.count(Metric.FOLLOWERS))) for s in view.series]
            charts.append(("Followers", bar_chart(followers, "Followers per day")))
            currency = view.current.main_currency()
            if currency is not None:
                money = [
                    (
                        s.day,
                        sum(m.amount for m in s.amounts(Metric.REVENUE) if m.currency == currency)
                        / 100,
                    )
                    for s in view.series
                ]
                title = f"Revenue per day ({currency})"
                charts.append((title, bar_chart(money, title)))
        return await ui.render(
            "dashboard.html",
            entity=entity,
            revenue=revenue,
            events=[hit.event for hit in events.items],
            charts=charts,
            score=score,
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
        users = [(s.day, float(s.count(Metric.USERS))) for s in view.series]
        return await ui.render(
            "admin.html",
            current=view.current,
            metric=Metric,
            chart=bar_chart(users, "Users per day"),
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
