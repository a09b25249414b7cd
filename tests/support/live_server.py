"""The app served by a real uvicorn on a free 127.0.0.1 port, inside the test's event loop.

For WebSocket tests: Litestar's test client runs sockets on a portal thread that polls for
client frames in a busy loop, while a real server exercises the same path browsers take
(handshake, close codes, frames) at no cost when idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from litestar import Litestar


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    app: Litestar
    http: httpx.AsyncClient
    ws_url: str


@asynccontextmanager
async def live_server(app: Litestar, port: int | None = None) -> AsyncIterator[LiveServer]:
    """`port` when the app must know its own address first (e.g. PUBLIC_BASE_URL)."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # raises what stopped it
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            yield LiveServer(app, http, f"ws://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
