"""The `/notifications` WebSocket through a real server: the contract's frames, close codes
and token rules, and the socket agreeing with `GET /notifications/unread-count` as
notifications arrive and other tabs read them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import FAST_ARGON2, Account, register
from tests.api.helpers import create_entity, create_event, move
from tests.support.live_server import LiveServer, live_server

WAIT = 10.0


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    async with live_server(create_app(settings)) as server:
        yield server


def sqlite_settings(tmp_path: Path, **changes: Any) -> Settings:
    return Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'ws.db'}",
        auth_rate_limit_per_client=10_000,
        auth_rate_limit_per_account=10_000,
        **FAST_ARGON2,  # type: ignore[arg-type]
        **changes,
    )


class Tab:
    """One browser tab's socket: frames in arrival order, waited for by name."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def next(self, event: str) -> dict[str, Any]:
        """The data of the next `event` frame, skipping others."""
        async with asyncio.timeout(WAIT):
            while True:
                message = json.loads(await self.ws.recv())
                assert set(message) == {"event", "data"}, message
                if message["event"] == event:
                    return message["data"]

    async def count_becomes(self, expected: int) -> None:
        async with asyncio.timeout(WAIT):
            while (await self.next("unread_count"))["count"] != expected:
                pass

    async def send(self, event: str, **data: Any) -> None:
        await self.ws.send(json.dumps({"event": event, "data": data}))

    async def closed_with(self) -> int:
        async with asyncio.timeout(WAIT):
            with pytest.raises(ConnectionClosed) as closed:
                await self._read_until_closed()
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code

    async def _read_until_closed(self) -> None:
        while True:
            await self.ws.recv()


async def open_tab(live: LiveServer, token: str) -> Tab:
    return Tab(await connect(f"{live.ws_url}/notifications?token={token}"))


async def unread(live: LiveServer, who: Account) -> int:
    response = await live.http.get("/notifications/unread-count", headers=who.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["count"])


async def a_fan_of_a_live_show(live: LiveServer) -> tuple[Account, Account, dict[str, Any]]:
    """`owner`'s entity with an event; `fan` follows it. Returns (owner, fan, event)."""
    owner = await register(live.http, "owner")
    fan = await register(live.http, "fan")
    entity = await create_entity(live.http, owner, "night-owls")
    followed = await live.http.put(f"/entities/{entity['id']}/follow", headers=fan.headers)
    assert followed.status_code == 200, followed.text
    event = await create_event(live.http, owner, entity["id"], title="Moonrise")
    return owner, fan, event


async def test_two_tabs_hear_live_now_and_a_read_in_one_drops_both_badges(
    live: LiveServer,
) -> None:
    owner, fan, event = await a_fan_of_a_live_show(live)
    first, second = await open_tab(live, fan.access_token), await open_tab(live, fan.access_token)
    for tab in (first, second):
        hello = await tab.next("connected")
        assert hello["user_id"] == fan.id
        assert hello["unread_count"] == 0
        datetime.fromisoformat(hello["expires_at"])

    assert (await move(live.http, owner, event["id"], "LIVE")).status_code == 200
    for tab in (first, second):
        got: dict[str, dict[str, Any]] = {}
        while len(got) < 2:  # LIVE_NOW and PHASE_UPDATE, in either order
            note = await tab.next("notification")
            got[note["kind"]] = note
        live_now = got["LIVE_NOW"]
        assert live_now["title"] == "Night Owls is live now"
        assert live_now["data"] == {"event_id": event["id"], "entity_id": event["entity_id"]}
        assert set(live_now) == {"id", "kind", "title", "body", "data", "entity_id", "created_at"}
        await tab.count_becomes(2)
    assert await unread(live, fan) == 2

    await first.send("mark_read", ids=[live_now["id"]])
    for tab in (first, second):
        await tab.count_becomes(1)
    assert await unread(live, fan) == 1

    await second.send("mark_all_read")
    for tab in (first, second):
        await tab.count_becomes(0)
    assert await unread(live, fan) == 0
    await first.ws.close()
    await second.ws.close()


async def test_a_read_over_http_reaches_the_socket(live: LiveServer) -> None:
    owner, fan, event = await a_fan_of_a_live_show(live)
    tab = await open_tab(live, fan.access_token)
    await tab.next("connected")
    await move(live.http, owner, event["id"], "LIVE")
    await tab.count_becomes(2)
    response = await live.http.post("/notifications/read-all", headers=fan.headers)
    assert response.json() == {"count": 2}
    await tab.count_becomes(0)
    await tab.ws.close()


async def test_ping_pong_and_bad_frames_get_an_error_not_a_close(live: LiveServer) -> None:
    fan = await register(live.http, "fan")
    tab = await open_tab(live, fan.access_token)
    await tab.next("connected")
    await tab.send("ping")
    assert await tab.next("pong") == {}
    await tab.ws.send("not json")
    assert (await tab.next("error"))["code"] == "bad_frame"
    await tab.send("mark_read", ids=["not-a-uuid"])
    assert (await tab.next("error"))["code"] == "bad_frame"
    await tab.send("dance")
    assert (await tab.next("error"))["code"] == "unknown_event"
    await tab.send("mark_read", ids=[])
    await tab.send("ping")
    await tab.next("pong")  # still open and answering
    await tab.ws.close()


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
async def test_a_bad_token_closes_with_4401_before_connected(live: LiveServer, token: str) -> None:
    tab = await open_tab(live, token)
    assert await tab.closed_with() == 4401


async def test_an_expired_token_closes_with_4401(live: LiveServer) -> None:
    fan = await register(live.http, "fan")
    container = live.app.state["container"]
    user = await container.profiles().get("fan")
    old = container.access_tokens().issue(user, container.clock().now() - timedelta(hours=1))
    tab = await open_tab(live, old.token)
    assert await tab.closed_with() == 4401
    assert fan.access_token != old.token


async def test_the_socket_ends_when_the_token_does_unless_renewed(tmp_path: Path) -> None:
    app = create_app(sqlite_settings(tmp_path, access_token_ttl_seconds=5))
    async with live_server(app) as live:
        fan = await register(live.http, "fan")
        tab = await open_tab(live, fan.access_token)
        first_expiry = datetime.fromisoformat((await tab.next("connected"))["expires_at"])

        await asyncio.sleep(2.5)
        login = await live.http.post(
            "/auth/login", json={"email": fan.email, "password": fan.password}
        )
        await tab.send("auth", token=login.json()["access_token"])
        renewed = datetime.fromisoformat((await tab.next("authenticated"))["expires_at"])
        assert renewed > first_expiry

        now = app.state["container"].clock().now()
        await asyncio.sleep(max(0.0, (first_expiry - now).total_seconds()) + 0.5)
        await tab.send("ping")
        await tab.next("pong")  # past the first token's end, alive on the renewed one
        assert await tab.closed_with() == 4401

        other = await register(live.http, "other")
        again = await live.http.post(
            "/auth/login", json={"email": fan.email, "password": fan.password}
        )
        tab = await open_tab(live, again.json()["access_token"])
        await tab.next("connected")
        await tab.send("auth", token=other.access_token)
        assert (await tab.next("error"))["code"] == "wrong_user"
        await tab.ws.close()


async def test_a_silent_socket_is_closed(tmp_path: Path) -> None:
    async with live_server(
        create_app(sqlite_settings(tmp_path, ws_idle_timeout_seconds=0.5))
    ) as live:
        fan = await register(live.http, "fan")
        tab = await open_tab(live, fan.access_token)
        await tab.next("connected")
        assert await tab.closed_with() == 4408


def test_frames_are_json_objects_with_event_and_data() -> None:
    from showgeo_api.gateway import frames

    decoded = msgspec.json.decode(frames.unread_count(3))
    assert decoded == {"event": "unread_count", "data": {"count": 3}}
