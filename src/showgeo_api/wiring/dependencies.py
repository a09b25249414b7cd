"""What a handler (JSON route or web page) can ask for by parameter name: the container's
services under their provider names, the clock's `now`, and the caller (`viewer`, `actor`,
`admin`) and `page` from `http/deps.py`. `create_app` installs `route_dependencies` on the app.

Add a use case to the container, then its name to `SERVICES`; a handler then takes it as
`name: NamedDependency[Type]`.
"""

from __future__ import annotations

from typing import Any

from litestar.di import Provide

from showgeo_api.http import deps
from showgeo_api.wiring.container import Container

SERVICES: tuple[str, ...] = (
    "readiness",
    "authentication",
    "profiles",
    "entities",
    "follows",
    "events",
    "store",
    "notifications",
    "orders",
    "seller_views",
    "payments",
    "event_phases",
    "analytics",
    "recompute_runner",
    "assets",
    "image_links",
    "local_storage",
    "streaming",
    "stream_webhooks",
    "payment_provider",
    "gateway",
    "auth_throttles",
    "password_recovery",
)
"""The container's providers handlers receive, each by its own name."""


def _from(provider: Any) -> Provide:
    return Provide(lambda: provider(), sync_to_thread=False)


def route_dependencies(container: Container) -> dict[str, Provide]:
    services = {name: _from(getattr(container, name)) for name in SERVICES}
    clock = container.clock
    return {
        **services,
        "now": Provide(lambda: clock().now(), sync_to_thread=False),
        "viewer": Provide(deps.provide_viewer),
        "actor": Provide(deps.provide_actor),
        "admin": Provide(deps.provide_admin),
        "page": Provide(deps.provide_page),
    }
