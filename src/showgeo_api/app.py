"""`create_app(settings)`: the thin HTTP shell around the container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsPlugin
from litestar.types import ControllerRouterHandler

from showgeo_api.gateway.listener import SUBJECTS as REALTIME_SUBJECTS
from showgeo_api.gateway.socket_route import notifications_socket
from showgeo_api.http.authentication import BearerAuthentication
from showgeo_api.http.errors import problem_details_config
from showgeo_api.http.metrics import RequestMetricsMiddleware
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
from showgeo_api.routes.metrics import forget_this_process, metrics
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
from showgeo_api.wiring.dependencies import route_dependencies

CONTROLLERS: list[ControllerRouterHandler] = [
    HealthController,
    metrics,
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
            forget_this_process()

    cors_origins = container.settings().cors_allow_origins
    app = Litestar(
        route_handlers=[*CONTROLLERS, *web_routes(settings)],
        template_config=template_config(),
        dependencies=route_dependencies(container),
        middleware=[
            RequestMetricsMiddleware,
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
