"""HTTP request metrics: a counter and a latency histogram by route template, method and status.

The route label is the handler's path template (`/entities/{entity_id:uuid}`), never the
raw path: one series per route whatever ids clients send, so the number of series stays
bounded. Litestar applies app middleware per route handler, after routing, so a request no
route matches (a 404 from the router, a 405) is not counted here.

Kept cheap for the hot routes: the labelled children of both metrics are looked up once per
(route, method, status) and cached, so a request costs two clock reads, a dict lookup, an
increment and one histogram observation.
"""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from prometheus_client import Counter, Histogram, disable_created_metrics

disable_created_metrics()  # type: ignore[no-untyped-call]  # no `_created` series

REQUESTS = Counter(
    "showgeo_http_requests",
    "HTTP requests answered, by route template, method and status code.",
    ["route", "method", "status"],
)
REQUEST_DURATION = Histogram(
    "showgeo_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template and method.",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SERVER_ERROR = 500
"""The status counted when a handler raised before any response started."""


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = SERVER_ERROR

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_noting_status)
        finally:
            self._observe(scope, status, time.perf_counter() - started)

    def _observe(self, scope: HTTPScope, status: int, seconds: float) -> None:
        route = scope.get("path_template") or "<unmatched>"
        key = (route, scope["method"], status)
        children = self._children.get(key)
        if children is None:
            children = (
                REQUESTS.labels(route, key[1], str(status)),
                REQUEST_DURATION.labels(route, key[1]),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
