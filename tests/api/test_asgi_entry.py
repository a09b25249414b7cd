"""The servers' entry point (`showgeo_api.asgi:app_from_env`): HTTP goes through Litestar as
it is, and a notification socket's frames go straight to the server's own `send`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litestar import Litestar
from websockets.asyncio.client import connect

from showgeo_api import asgi
from showgeo_api.ws import RAW_SEND
from tests.api.conftest import register
from tests.support.live_server import live_server


async def test_sockets_send_through_the_servers_own_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWGEO_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'entry.db'}")
    monkeypatch.setenv("AUTH_RATE_LIMIT_PER_CLIENT", "10000")
    entry = asgi.app_from_env()
    raw_frames: list[str] = []
    inner = entry.app

    async def spying(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "websocket":
            server_send = scope[RAW_SEND]

            async def counted(message):  # type: ignore[no-untyped-def]
                if message["type"] == "websocket.send":
                    raw_frames.append(message["text"])
                await server_send(message)

            scope[RAW_SEND] = counted  # what the socket must use for its frames
        await inner(scope, receive, send)

    entry.app = spying  # type: ignore[assignment]
    async with live_server(entry) as live:  # type: ignore[arg-type]
        assert isinstance(inner, Litestar)
        assert (await live.http.get("/health/live")).status_code == 200
        fan = await register(live.http, "fan")
        async with connect(f"{live.ws_url}/notifications?token={fan.access_token}") as ws:
            connected = json.loads(await ws.recv())
            assert connected["event"] == "connected"
            await ws.send(json.dumps({"event": "ping", "data": {}}))
            assert json.loads(await ws.recv())["event"] == "pong"
    assert [json.loads(f)["event"] for f in raw_frames] == ["connected", "pong"]
