"""Liveness (the process answers) and readiness (it can do real work: database reachable)."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency

from showgeo_api.wiring.readiness import ReadinessProbe


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live")
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready")
    async def ready(
        self, readiness: NamedDependency[ReadinessProbe]
    ) -> Response[dict[str, object]]:
        checks = await readiness.check()
        ok = all(checks.values())
        return Response(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )
