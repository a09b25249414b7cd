"""The platform as deployed: two API processes and a worker, on PostgreSQL and NATS, each
a real `showgeo` process. One fan has a socket on each API process; a notification made by
the worker reaches both, and a read on one drops the badge on the other — the sockets'
counts agreeing with `GET /notifications/unread-count` on either process."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from showgeo_adapters.sqlalchemy import upgrade
from tests.api.conftest import register
from tests.api.helpers import create_entity, create_event, move
from tests.api.test_notification_socket import Tab
from tests.support.postgres import fresh_database
from tests.support.processes import throwaway_nats, two_apis_and_a_worker

pytestmark = pytest.mark.postgres


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[list[str]]:
    """Base URLs of two API processes, with a worker running beside them."""
    async with fresh_database() as database_url:
        await upgrade(database_url)
        with throwaway_nats(tmp_path) as nats:
            await nats.ready()
            async with two_apis_and_a_worker(tmp_path, database_url, nats.url) as urls:
                yield urls


async def count(http: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await http.get("/notifications/unread-count", headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["count"])


async def test_a_fan_with_tabs_on_two_processes_hears_everything_on_both(
    platform: list[str],
) -> None:
    one_url, two_url = platform
    async with (
        httpx.AsyncClient(base_url=one_url) as one,
        httpx.AsyncClient(base_url=two_url) as two,
    ):
        owner = await register(one, "owner")
        fan = await register(two, "fan")
        entity = await create_entity(one, owner, "night-owls")
        assert (await two.put(f"/entities/{entity['id']}/follow", headers=fan.headers)).is_success
        event = await create_event(one, owner, entity["id"], title="Moonrise")

        tabs = []
        for url in (one_url, two_url):
            ws_url = url.replace("http://", "ws://") + f"/notifications?token={fan.access_token}"
            tabs.append(Tab(await connect(ws_url)))
        for tab in tabs:
            assert (await tab.next("connected"))["unread_count"] == 0

        assert (await move(two, owner, event["id"], "LIVE")).status_code == 200
        for tab in tabs:
            kinds: set[Any] = set()
            while kinds != {"LIVE_NOW", "PHASE_UPDATE"}:
                kinds.add((await tab.next("notification"))["kind"])
            await tab.count_becomes(2)
        assert await count(one, fan.headers) == await count(two, fan.headers) == 2

        await tabs[0].ws.send(json.dumps({"event": "mark_all_read", "data": {}}))
        for tab in tabs:
            await tab.count_becomes(0)
        assert await count(one, fan.headers) == await count(two, fan.headers) == 0
        for tab in tabs:
            await tab.ws.close()
