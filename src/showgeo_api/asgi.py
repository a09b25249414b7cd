"""ASGI entry point for servers:
`granian --interface asgi --factory showgeo_api.asgi:app_from_env`."""

from __future__ import annotations

from typing import Any

from litestar import Litestar

from showgeo_api.app import create_app
from showgeo_api.gateway.socket_route import RAW_SEND
from showgeo_api.processes.gc_tuning import tune_for_serving
from showgeo_api.settings import load_settings


class ServerSend:
    """Puts the server's own `send` in each WebSocket's scope, where the notification socket
    finds it: a burst sends one frame per socket, and Litestar's two `send` wrappers (which
    only watch for accept, close and HTTP response starts) were a large share of a burst's
    CPU (docs/benchmarks.md). Everything else goes through Litestar untouched."""

    def __init__(self, app: Litestar) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            scope[RAW_SEND] = send
        await self.app(scope, receive, send)


def app_from_env() -> ServerSend:
    app = ServerSend(create_app(load_settings()))
    tune_for_serving()
    return app
