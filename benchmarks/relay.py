"""Relay throughput: events per second from the PostgreSQL outbox to JetStream, beside raw
nats-py publish loops of the same payloads in the same run.

    python benchmarks/relay.py --quick           # 10,000 events
    python benchmarks/relay.py                   # 100,000 events

On a fresh, migrated database whose outbox holds M unpublished `follow.entity_followed`
events (made with `generate_series`) and a nats-server of its own, each round measures:

- project: `OutboxRelay(window=RELAY_WINDOW).drain()` as the worker runs it (batches of
  500: `SELECT … FOR UPDATE SKIP LOCKED`, publish through `JetStreamBus.publish_many` with
  `Nats-Msg-Id`, mark published, commit; the next batch read while one is published) until
  the outbox is empty;
- raw, one by one: `await js.publish(subject, payload, headers={"Nats-Msg-Id": id})` for each
  row (read beforehand, not timed), each awaiting its ack;
- raw, pipelined: `js.publish_async(…)` for each row, then every ack awaited.

Each step publishes to a stream of its own (so de-duplication never spans steps); the outbox
is reset (`published_at = NULL`, VACUUM) between rounds; a first round warms every path
up (connections, statement caches) and is not counted. The ceiling is the faster raw loop;
target: project ≥ 0.5 x ceiling (events per second, medians over the rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import asyncpg
import nats
from common import Result, Stopwatch, fresh_database, machine, median, throwaway_nats

TARGET = 0.5

FILL_SQL = """
INSERT INTO outbox (id, subject, payload, occurred_at)
SELECT e.id, 'showgeo.follow.entity_followed',
       json_build_object('id', e.id, 'occurred_at', to_char(now() AT TIME ZONE 'UTC',
                         'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'version', 1,
                         'entity_id', md5('e' || (i % 100))::uuid,
                         'user_id', md5('u' || i)::uuid)::text,
       now()
FROM generate_series(1, $1::int) i, LATERAL (SELECT md5('ev' || i)::uuid AS id) e
ORDER BY i
"""


async def project(url: str, nats_url: str, tag: str) -> float:
    from showgeo_adapters.nats import JetStreamBus
    from showgeo_adapters.sqlalchemy import create_engine, sql_uow_factory
    from showgeo_domain.shared.clock import SystemClock
    from showgeo_domain.shared.messaging import RELAY_WINDOW, OutboxRelay

    engine = create_engine(url, pool_size=2)
    bus = JetStreamBus(nats_url, stream=tag.upper(), subject_prefix=tag)
    await bus.connect()
    try:
        relay = OutboxRelay(sql_uow_factory(engine), bus, SystemClock(), window=RELAY_WINDOW)
        with Stopwatch() as watch:
            while await relay.drain():
                pass
    finally:
        await bus.close()
        await engine.dispose()
    return watch.seconds


async def raw(
    nats_url: str, tag: str, rows: list[asyncpg.Record], pipelined: bool
) -> tuple[float, int]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await js.add_stream(name=tag.upper(), subjects=[f"{tag}.>"], duplicate_window=120)
        subject = f"{tag}.follow.entity_followed"
        messages = [(str(r["id"]), r["payload"].encode()) for r in rows]
        with Stopwatch() as watch:
            if pipelined:
                acks = [
                    await js.publish_async(subject, payload, headers={"Nats-Msg-Id": event_id})
                    for event_id, payload in messages
                ]
                await asyncio.gather(*acks)
            else:
                for event_id, payload in messages:
                    await js.publish(subject, payload, headers={"Nats-Msg-Id": event_id})
        stored = (await js.stream_info(tag.upper())).state.messages
        await js.delete_stream(tag.upper())
    finally:
        await nc.close()
    return watch.seconds, stored


async def stored(nats_url: str, stream: str) -> int:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        count = (await js.stream_info(stream)).state.messages
        await js.delete_stream(stream)
        return count
    finally:
        await nc.close()


async def reset(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("UPDATE outbox SET published_at = NULL")
        await conn.execute("VACUUM ANALYZE outbox")
    finally:
        await conn.close()


async def run(events: int, rounds: int) -> Result:
    seconds: dict[str, list[float]] = {"project": [], "one by one": [], "pipelined": []}
    async with fresh_database() as (dsn, url):
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(FILL_SQL, events)
            await conn.execute("VACUUM ANALYZE outbox")
            rows = await conn.fetch("SELECT id, payload FROM outbox ORDER BY sequence")
        finally:
            await conn.close()
        print(f"{events:,} events in the outbox", flush=True)
        with throwaway_nats() as server:
            await server.ready()
            for n in range(-1, rounds):  # round -1 warms every path up and is not counted
                steps = ["project", "one by one", "pipelined"]
                for step in steps[n % 3 :] + steps[: n % 3]:
                    tag = f"b{n + 1}{step.replace(' ', '')}"
                    if step == "project":
                        await reset(dsn)
                        took = await project(url, server.url, tag)
                        count = await stored(server.url, tag.upper())
                    else:
                        took, count = await raw(server.url, tag, rows, step == "pipelined")
                    if count != events:
                        raise SystemExit(f"{step} stored {count} messages, not {events}")
                    if n < 0:
                        continue
                    seconds[step].append(took)
                    print(
                        f"round {n + 1} {step}: {took:.2f} s ({events / took:,.0f} events/s)",
                        flush=True,
                    )
    rate = {step: events / median(values) for step, values in seconds.items()}
    ceiling_step = max(("one by one", "pipelined"), key=lambda s: rate[s])
    ratio = rate["project"] / rate[ceiling_step]
    return Result(
        name="Outbox relay to JetStream",
        figure=f"{rate['project']:,.0f} events/s",
        ceiling=f"{rate[ceiling_step]:,.0f} events/s raw nats-py publish ({ceiling_step})",
        ratio=round(ratio, 2),
        target=f"project / raw ≥ {TARGET}",
        met=ratio >= TARGET,
        size=f"{events:,} events, median of {rounds} rounds",
        details=[
            f"raw one by one (await each ack): {rate['one by one']:,.0f} events/s; "
            f"raw pipelined (publish_async): {rate['pipelined']:,.0f} events/s",
            *(
                f"{step} rounds: " + ", ".join(f"{s:.2f}" for s in v) + " s"
                for step, v in seconds.items()
            ),
            f"machine: {machine()}",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 events, 3 rounds")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", default=None, help="write the result here")
    args = parser.parse_args()
    events = args.events or (10_000 if args.quick else 100_000)
    asyncio.run(run(events, args.rounds)).write(args.json)


if __name__ == "__main__":
    sys.exit(main())
