"""docs/events.md's outside consumer works as printed: after an API story on a JetStream bus,
the page's nats-py program (a durable pull consumer) receives the events the relay published.

The bus uses a stream and subject prefix of its own on the shared NATS server (deleted
after), so the test swaps the page's `SHOWGEO` and `showgeo.` for those, and runs the
program's `main()` until it has printed what it should, instead of forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import types
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from showgeo_adapters.nats import JetStreamBus
from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from showgeo_api.wiring.container import bootstrap
from tests.api.conftest import FAST_ARGON2, register
from tests.api.helpers import create_entity, create_event, move
from tests.docs.markdown import program
from tests.support.nats import NATS_URL, _unavailable
from tests.support.waiting import eventually

PAGE = "events.md"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'events.db'}",
        auto_migrate=True,
        **FAST_ARGON2,  # type: ignore[arg-type]
    )


@pytest.fixture
async def jetstream() -> AsyncIterator[JetStreamBus]:
    """An unconnected bus of its own: the app connects it on its own loop when it starts."""
    name = f"t{uuid.uuid4().hex[:12]}"
    try:
        probe = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    except Exception as exc:
        _unavailable(f"{type(exc).__name__}: {exc}")
        raise
    bus = JetStreamBus(NATS_URL, stream=name.upper(), subject_prefix=name)
    try:
        yield bus
    finally:
        with contextlib.suppress(Exception):
            await probe.jetstream().delete_stream(bus.stream)
        await probe.close()


async def test_the_documented_consumer_receives_what_the_platform_published(
    settings: Settings, jetstream: JetStreamBus, capsys: pytest.CaptureFixture[str]
) -> None:
    container = bootstrap(settings)
    container.bus.override(providers.Object(jetstream))
    async with AsyncTestClient(app=create_app(container=container)) as client:
        owner = await register(client, "owner")
        await create_entity(client, owner, "owls")
        show = await create_event(client, owner, "owls")
        response = await move(client, owner, show["id"], "LIVE")
        assert response.status_code == 200, response.text

        def drained() -> bool:
            async def waiting() -> int:
                async with container.uow()() as uow:
                    return len(await uow.outbox.unpublished(10))

            return client.blocking_portal.call(waiting) == 0

        await eventually(drained, within=20)

    source = (
        program(PAGE, "python")
        .replace("nats://127.0.0.1:4222", NATS_URL)
        .replace('stream="SHOWGEO"', f'stream="{jetstream.stream}"')
        .replace('"showgeo.events.>"', f'"{jetstream.prefix}.events.>"')
        .replace("asyncio.run(main())", "")
    )
    example = types.ModuleType("showgeo_events_example")
    exec(compile(source, f"docs/{PAGE}", "exec"), example.__dict__)  # noqa: S102
    consumer = asyncio.create_task(example.main())
    printed: list[str] = []

    def heard_it_go_live() -> bool:
        printed.extend(capsys.readouterr().out.splitlines())
        return any(f"{jetstream.prefix}.events.event_went_live" in line for line in printed)

    try:
        await eventually(heard_it_go_live, within=20)
    finally:
        consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer
    subjects = [line.split(" ", 1)[0] for line in printed]
    assert f"{jetstream.prefix}.events.event_created" in subjects
    assert f"{jetstream.prefix}.events.event_phase_changed" in subjects
    went_live = next(line for line in printed if "event_went_live" in line)
    payload = json.loads(went_live.split(" ", 1)[1])
    assert payload["event_id"] == show["id"]
    assert payload["schema_version"] == 1
