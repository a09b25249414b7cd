"""`showgeo bus status` and `showgeo bus dead-letters list|replay` against the real NATS
server, each test on a stream and subject prefix of its own (tests/support/nats.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner, Result

from showgeo_adapters.nats import JetStreamBus
from showgeo_adapters.nats.operations import BusOperations
from showgeo_adapters.sqlalchemy import create_engine, upgrade
from showgeo_adapters.sqlalchemy.outbox_backlog import outbox_backlog
from showgeo_adapters.sqlalchemy.tables import outbox
from showgeo_api.processes.cli import main
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.messaging import OutboxMessage
from tests.support.nats import NATS_URL, jetstream_bus
from tests.support.waiting import eventually

pytestmark = pytest.mark.nats

AT = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)


class Flaky:
    """Fails every delivery until `healed`, then records what it gets."""

    def __init__(self) -> None:
        self.healed = False
        self.received: list[OutboxMessage] = []

    async def __call__(self, message: OutboxMessage) -> None:
        if not self.healed:
            raise RuntimeError("mail server down")
        self.received.append(message)


def a_message(subject: str = "showgeo.events.event_went_live") -> OutboxMessage:
    event_id = new_id()
    payload = msgspec.json.encode({"id": str(event_id), "occurred_at": AT})
    return OutboxMessage(id=event_id, subject=subject, payload=payload, occurred_at=AT)


@pytest.fixture
async def bus() -> AsyncIterator[JetStreamBus]:
    # a short duplicate window: a dead letter may be replayed a second after its event
    async with jetstream_bus(
        backoff=(0.05,), max_deliver=2, fetch_timeout=0.2, duplicate_window=1.0
    ) as remote:
        yield remote


async def ops_of(bus: JetStreamBus) -> BusOperations:
    return await BusOperations.of_stream(bus._jetstream(), bus.stream)


async def dead(bus: JetStreamBus, count: int) -> None:
    ops = await ops_of(bus)

    for _ in range(300):
        if len(await ops.dead_letters()) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} dead letters did not arrive")


async def showgeo(env: dict[str, str], *args: str) -> Result:
    """The command in a thread: it runs its own event loop (`asyncio.run`)."""
    runner = CliRunner()
    return await asyncio.to_thread(runner.invoke, main, list(args), env=env)


def env_of(bus: JetStreamBus, **extra: str) -> dict[str, str]:
    return {
        "NATS_URL": NATS_URL,
        "NATS_STREAM": bus.stream,
        "DATABASE_URL": "memory://",
        "COLUMNS": "200",  # rich's width without a terminal: whole names in the tables
        **extra,
    }


async def test_status_shows_lag_redeliveries_dead_letters_and_the_outbox(
    bus: JetStreamBus, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}"
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                outbox.insert().values(
                    id=new_id(), subject="showgeo.x.y", payload="{}", occurred_at=AT
                )
            )
        backlog = await outbox_backlog(engine)
    finally:
        await engine.dispose()
    assert backlog.unpublished == 1
    assert backlog.oldest_occurred_at == AT

    failing, fine = Flaky(), Flaky()
    fine.healed = True
    await bus.subscribe("notifications.mail", "showgeo.events.>", failing)
    await bus.subscribe("analytics.counters", "showgeo.events.>", fine)
    await bus.publish(a_message())
    await dead(bus, 1)
    await eventually(lambda: len(fine.received) == 1)

    result = await showgeo(env_of(bus, DATABASE_URL=url), "bus", "status")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"stream {bus.stream}" in out
    mail_row = next(line for line in out.splitlines() if "notifications_mail" in line)
    assert mail_row.split("│")[-2].strip() == "1"  # its dead letter
    counters_row = next(line for line in out.splitlines() if "analytics_counters" in line)
    assert counters_row.split("│")[-2].strip() == "0"
    outbox_table = out.rsplit("outbox", 1)[1]
    outbox_row = next(line for line in outbox_table.splitlines() if line.startswith("│"))
    assert outbox_row.split("│")[1].strip() == "1"  # one unpublished event waiting


async def test_list_then_replay_one_dead_letter_to_its_consumer(bus: JetStreamBus) -> None:
    failing = Flaky()
    await bus.subscribe("notifications.mail", "showgeo.events.>", failing)
    sent = a_message()
    await bus.publish(sent)
    await dead(bus, 1)

    listed = await showgeo(env_of(bus), "bus", "dead-letters", "list")
    assert listed.exit_code == 0, listed.output
    assert str(sent.id) in listed.output
    assert "mail server down" in listed.output
    (letter,) = await (await ops_of(bus)).dead_letters()
    assert letter.consumer == "notifications.mail"
    assert letter.subject == "showgeo.events.event_went_live"

    failing.healed = True
    await asyncio.sleep(1.2)  # past the stream's duplicate window
    replayed = await showgeo(env_of(bus), "bus", "dead-letters", "replay", str(letter.sequence))
    assert replayed.exit_code == 0, replayed.output
    assert f"replayed {sent.id}" in replayed.output
    await eventually(lambda: len(failing.received) == 1)
    assert failing.received == [sent]  # the same id, subject and payload
    assert await (await ops_of(bus)).dead_letters() == []
    again = await showgeo(env_of(bus), "bus", "dead-letters", "list")
    assert "no dead letters" in again.output


async def test_replay_all_publishes_each_event_once(bus: JetStreamBus) -> None:
    mail, push = Flaky(), Flaky()
    await bus.subscribe("notifications.mail", "showgeo.events.>", mail)
    await bus.subscribe("notifications.push", "showgeo.events.>", push)
    first, second = a_message(), a_message("showgeo.events.event_created")
    await bus.publish(first)
    await bus.publish(second)
    await dead(bus, 4)  # two events, dead for both consumers

    mail.healed = push.healed = True
    await asyncio.sleep(1.2)
    result = await showgeo(env_of(bus), "bus", "dead-letters", "replay", "--all")
    assert result.exit_code == 0, result.output
    assert "4 replayed" in result.output
    await eventually(lambda: len(mail.received) == len(push.received) == 2)
    await asyncio.sleep(0.5)
    assert sorted(m.id for m in mail.received) == sorted([first.id, second.id])
    assert sorted(m.id for m in push.received) == sorted([first.id, second.id])
    assert await (await ops_of(bus)).dead_letters() == []


async def test_a_replay_the_stream_would_drop_keeps_the_dead_letter() -> None:
    """Within the duplicate window the re-send would be dropped silently: refused instead."""
    async with jetstream_bus(backoff=(0.05,), max_deliver=2, fetch_timeout=0.2) as bus:
        await bus.subscribe("notifications.mail", "showgeo.events.>", Flaky())
        await bus.publish(a_message())
        await dead(bus, 1)
        (letter,) = await (await ops_of(bus)).dead_letters()
        result = await showgeo(env_of(bus), "bus", "dead-letters", "replay", str(letter.sequence))
        assert result.exit_code != 0
        assert "duplicate window" in result.output
        assert len(await (await ops_of(bus)).dead_letters()) == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("replay",), "one dead letter's id or --all"),
        (("replay", "1", "--all"), "one dead letter's id or --all"),
        (("replay", "1"), "not a dead letter"),
        (("replay", "999999"), "no message 999999"),
    ],
)
async def test_replay_refuses_what_is_not_a_dead_letter(
    bus: JetStreamBus, args: tuple[str, ...], says: str
) -> None:
    await bus.publish(a_message())  # sequence 1: an event, not a dead letter
    result = await showgeo(env_of(bus), "bus", "dead-letters", *args)
    assert result.exit_code != 0
    assert says in result.output


async def test_without_nats_or_its_stream_it_says_so_in_one_line(bus: JetStreamBus) -> None:
    no_nats: dict[str, Any] = {"NATS_URL": "", "DATABASE_URL": "memory://"}
    result = await showgeo(no_nats, "bus", "status")
    assert result.exit_code == 1
    assert "needs NATS_URL" in result.output
    missing = await showgeo(env_of(bus, NATS_STREAM="NO_SUCH_STREAM"), "bus", "status")
    assert missing.exit_code == 1
    assert "no stream NO_SUCH_STREAM" in missing.output
