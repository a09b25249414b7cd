"""The servers' entry point (`showgeo_api.asgi:app_from_env`): HTTP goes through Litestar as
it is, and a notification socket's frames go straight to the server's own `send`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from litestar import Litestar
from websockets.asyncio.client import connect

from showgeo_api import asgi
from showgeo_api.gateway.socket_route import RAW_SEND
from showgeo_api.processes.gc_tuning import YOUNG_THRESHOLD
from tests.api.conftest import register
from tests.support.live_server import live_server


async def test_sockets_send_through_the_servers_own_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWGEO_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'entry.db'}")
    monkeypatch.setenv("AUTH_RATE_LIMIT_PER_CLIENT", "10000")
    # the serving process's collector settings stay out of the test process
    monkeypatch.setattr(asgi, "tune_for_serving", lambda: None)
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


def test_the_served_app_freezes_start_up_and_collects_young_objects_less_often(
    tmp_path: Path,
) -> None:
    """In a process of its own: `gc.freeze()` is for good."""
    script = (
        "import gc; from showgeo_api import asgi; asgi.app_from_env(); "
        "print(gc.get_threshold()[0], gc.get_freeze_count())"
    )
    env = {
        **os.environ,
        "SHOWGEO_ENV": "test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'entry.db'}",
    }
    done = subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    threshold, frozen = (int(x) for x in done.stdout.split())
    assert threshold == YOUNG_THRESHOLD
    assert frozen > 100_000  # the app, its routes, the container: start-up's objects
