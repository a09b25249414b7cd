"""`showgeo bus status` and `showgeo bus dead-letters list|replay`: the stream, its
consumers and their lag, the dead letters and the outbox backlog, as rich tables.

Needs NATS_URL: the in-process bus of the embedded default has nothing to inspect from
another process. The stream and subjects are the ones the processes use (NATS_STREAM,
`showgeo.`); the replay semantics are in `showgeo_adapters.nats.operations`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TypeVar

import click
import nats
import nats.js.errors
from rich.console import Console
from rich.table import Table

from showgeo_adapters.nats.operations import BusOperations, DeadLetter, ReplayRefused
from showgeo_adapters.sqlalchemy.outbox_backlog import OutboxBacklog, outbox_backlog
from showgeo_api.processes.cli_errors import connect_nats_once
from showgeo_api.processes.cli_errors import one_line_errors as _one_line_errors
from showgeo_api.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


@asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[BusOperations]:
    if not settings.nats_url:
        raise SettingsError("showgeo bus needs NATS_URL: the in-process bus has no stream")
    # no retry (nats-py's max_reconnect_attempts=0 retried for ever): one line when it is down
    nc = await connect_nats_once(settings.nats_url)
    try:
        try:
            ops = await BusOperations.of_stream(nc.jetstream(), settings.nats_stream)
        except nats.js.errors.NotFoundError as exc:
            raise SettingsError(
                f"NATS_STREAM: no stream {settings.nats_stream} on the server"
            ) from exc
        yield ops
    finally:
        await nc.close()


def _with_bus(work: Callable[[BusOperations], Awaitable[T]]) -> T:
    async def run() -> T:
        async with connected(load_settings()) as bus:
            return await work(bus)

    return asyncio.run(run())


async def _backlog(settings: Settings) -> OutboxBacklog | None:
    if settings.uses_memory:
        return None
    from showgeo_adapters.sqlalchemy import create_engine

    engine = create_engine(settings.database_url, pool_size=1)
    try:
        return await outbox_backlog(engine)
    finally:
        await engine.dispose()


def _age(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "-"
    seconds = max(0, int((now - at).total_seconds()))
    days, seconds = divmod(seconds, 86400)
    return f"{days}d {seconds // 3600:02d}h{seconds % 3600 // 60:02d}m{seconds % 60:02d}s"


@click.group()
def bus() -> None:
    """The event bus: stream, consumers, dead letters (needs NATS_URL)."""


@bus.command("status")
@_one_line_errors
def bus_status() -> None:
    """The stream, each consumer's lag and redeliveries, dead letters, outbox backlog."""
    settings = load_settings()
    status = _with_bus(lambda ops: ops.status())
    backlog = asyncio.run(_backlog(settings))
    now = datetime.now(UTC)
    console = Console()

    stream = Table(title=f"stream {status.stream}")
    for column in ("messages", "bytes", "first seq", "last seq", "duplicate window"):
        stream.add_column(column, justify="right")
    stream.add_row(
        str(status.messages),
        str(status.bytes),
        str(status.first_sequence),
        str(status.last_sequence),
        f"{status.duplicate_window_seconds:g} s",
    )
    console.print(stream)

    consumers = Table(title="consumers")
    consumers.add_column("consumer", overflow="fold")
    consumers.add_column("subjects", overflow="fold")
    for column in ("pending (lag)", "in flight", "redelivered", "dead letters"):
        consumers.add_column(column, justify="right")
    named = {c.name for c in status.consumers}
    for c in status.consumers:
        dead = sum(n for name, n in status.dead_letters.items() if _durable(name) == c.name)
        consumers.add_row(
            c.name,
            c.filter_subject,
            str(c.pending),
            str(c.in_flight),
            str(c.redelivered),
            str(dead),
        )
    for name, n in status.dead_letters.items():
        if _durable(name) not in named:  # its consumer was removed since
            consumers.add_row(name, "-", "-", "-", "-", str(n))
    console.print(consumers)

    outbox = Table(title="outbox")
    outbox.add_column("unpublished", justify="right")
    outbox.add_column("oldest waiting", justify="right")
    if backlog is None:
        outbox.add_row("-", "memory:// has no outbox to read from another process")
    else:
        outbox.add_row(str(backlog.unpublished), _age(backlog.oldest_occurred_at, now))
    console.print(outbox)


def _durable(consumer: str) -> str:
    from showgeo_adapters.nats.bus import durable_name

    return durable_name(consumer)


@bus.group("dead-letters")
def dead_letters() -> None:
    """Messages a consumer failed on every delivery (on `showgeo.dlq.<consumer>`)."""


def _letters_table(letters: list[DeadLetter], title: str) -> Table:
    table = Table(title=title)
    table.add_column("id", justify="right")
    table.add_column("consumer", overflow="fold")
    table.add_column("subject", overflow="fold")
    table.add_column("event id", overflow="fold")
    table.add_column("dead at")
    table.add_column("reason", overflow="fold")
    for letter in letters:
        table.add_row(
            str(letter.sequence),
            letter.consumer,
            letter.subject,
            letter.event_id,
            letter.dead_at.strftime("%Y-%m-%d %H:%M:%S") if letter.dead_at else "-",
            letter.reason,
        )
    return table


@dead_letters.command("list")
@_one_line_errors
def dead_letters_list() -> None:
    """Every dead letter waiting, oldest first; the id is what `replay` takes."""
    letters = _with_bus(lambda ops: ops.dead_letters())
    if not letters:
        click.echo("no dead letters")
        return
    Console().print(_letters_table(letters, f"{len(letters)} dead letters"))


@dead_letters.command("replay")
@click.argument("letter_id", required=False, type=int)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter.")
@_one_line_errors
def dead_letters_replay(letter_id: int | None, replay_all: bool) -> None:
    """Publish a dead letter's event again (its consumer handles it, the others skip it as
    already handled) and remove the dead letter. Give its id, or --all."""
    if (letter_id is None) == (not replay_all):
        raise click.UsageError("give one dead letter's id or --all")
    if replay_all:
        replayed, refused = _with_bus(lambda ops: ops.replay_all())
        if replayed:
            Console().print(_letters_table(replayed, f"{len(replayed)} replayed"))
        for letter, reason in refused:
            click.secho(f"kept {letter.sequence}: {reason}", fg="yellow", err=True)
        if not replayed and not refused:
            click.echo("no dead letters")
        if refused:
            raise SystemExit(1)
        return

    async def one(ops: BusOperations) -> DeadLetter:
        letter = await ops.dead_letter(int(letter_id or 0))
        await ops.replay(letter)
        return letter

    try:
        letter = _with_bus(one)
    except ReplayRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"replayed {letter.event_id} ({letter.subject}) for {letter.consumer}")
