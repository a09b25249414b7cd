"""`create_app(settings)`: the thin HTTP shell around the container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsPlugin
from litestar.types import ControllerRouterHandler

from showgeo_api.gateway.listener import SUBJECTS as REALTIME_SUBJECTS
from showgeo_api.gateway.socket_route import notifications_socket
from showgeo_api.http import deps
from showgeo_api.http.authentication import BearerAuthentication
from showgeo_api.http.errors import problem_details_config
from showgeo_api.http.openapi_problems import install_documented_openapi
from showgeo_api.http.security_headers import SecurityHeadersMiddleware, security_headers
from showgeo_api.processes.worker import Worker
from showgeo_api.routes.analytics import AnalyticsController, RecommendationsController
from showgeo_api.routes.asset_links import CONTROLLERS as ASSET_LINK_CONTROLLERS
from showgeo_api.routes.assets import AssetsController
from showgeo_api.routes.auth import AuthController
from showgeo_api.routes.entities import AdminEntitiesController, EntitiesController
from showgeo_api.routes.events import EntityEventsController, EventsController
from showgeo_api.routes.follow import FollowController
from showgeo_api.routes.health import HealthController
from showgeo_api.routes.localpay import LocalPayController
from showgeo_api.routes.notifications import NotificationsController
from showgeo_api.routes.orders import (
    MyOrdersController,
    OrdersController,
    RevenueController,
    TicketsController,
)
from showgeo_api.routes.seller_orders import CONTROLLERS as SELLER_CONTROLLERS
from showgeo_api.routes.store import EntityProductsController, ProductsController
from showgeo_api.routes.streaming import LiveKitWebhookController, StreamController
from showgeo_api.routes.users import UsersController
from showgeo_api.routes.webhooks import WebhooksController
from showgeo_api.settings import Settings
from showgeo_api.web.router import template_config, web_routes
from showgeo_api.wiring.container import Container, bootstrap, start, stop

CONTROLLERS: list[ControllerRouterHandler] = [
    HealthController,
    AuthController,
    UsersController,
    EntitiesController,
    AdminEntitiesController,
    FollowController,
    EntityEventsController,
    EventsController,
    EntityProductsController,
    ProductsController,
    OrdersController,
    MyOrdersController,
    TicketsController,
    RevenueController,
    WebhooksController,
    LiveKitWebhookController,
    StreamController,
    LocalPayController,
    NotificationsController,
    AnalyticsController,
    RecommendationsController,
    notifications_socket,
    AssetsController,
    *ASSET_LINK_CONTROLLERS,
    *SELLER_CONTROLLERS,
]


def _from(provider: Any) -> Provide:
    return Provide(lambda: provider(), sync_to_thread=False)


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> Litestar:
    """The API for `settings` (default: the environment). Pass `container` to share one with
    in-process callers or to override adapters in tests."""
    container = container or bootstrap(settings)
    settings = container.settings()

    worker = Worker(container) if container.settings().embedded_worker else None

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await start(container)
        try:
            listener = container.realtime_listener()
            await container.bus().listen(REALTIME_SUBJECTS, listener)
            container.bus().on_reconnect(listener.resync)
            if worker is not None:
                await worker.start()
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await container.socket_hub().close_all()
            await stop(container)

    cors_origins = container.settings().cors_allow_origins
    app = Litestar(
        route_handlers=[*CONTROLLERS, *web_routes(settings)],
        template_config=template_config(),
        dependencies={
            "readiness": _from(container.readiness),
            "authentication": _from(container.authentication),
            "profiles": _from(container.profiles),
            "entities": _from(container.entities),
            "follows": _from(container.follows),
            "events": _from(container.events),
            "store": _from(container.store),
            "notifications": _from(container.notifications),
            "orders": _from(container.orders),
            "seller_views": _from(container.seller_views),
            "payments": _from(container.payments),
            "event_phases": _from(container.event_phases),
            "analytics": _from(container.analytics),
            "recompute_runner": _from(container.recompute_runner),
            "assets": _from(container.assets),
            "image_links": _from(container.image_links),
            "local_storage": _from(container.local_storage),
            "streaming": _from(container.streaming),
            "stream_webhooks": _from(container.stream_webhooks),
            "payment_provider": _from(container.payment_provider),
            "gateway": _from(container.gateway),
            "now": Provide(lambda: container.clock().now(), sync_to_thread=False),
            "auth_throttles": _from(container.auth_throttles),
            "viewer": Provide(deps.provide_viewer),
            "actor": Provide(deps.provide_actor),
            "admin": Provide(deps.provide_admin),
            "page": Provide(deps.provide_page),
        },
        middleware=[
            DefineMiddleware(
                SecurityHeadersMiddleware, headers=security_headers(settings.is_production)
            ),
            DefineMiddleware(BearerAuthentication, authentication=container.authentication),
        ],
        request_max_body_size=settings.max_request_body_bytes,
        plugins=[ProblemDetailsPlugin(problem_details_config())],
        cors_config=CORSConfig(allow_origins=cors_origins) if cors_origins else None,
        openapi_config=OpenAPIConfig(
            title="Showgeo",
            version="0.1.0",
            description="Live events and the creator economy.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        lifespan=[lifespan],
        state=State({"container": container}),
    )
    install_documented_openapi(app)
    return app
