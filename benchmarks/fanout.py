"""Fan-out of one LIVE_NOW to N followers on PostgreSQL, beside a raw `INSERT … SELECT`.

    python benchmarks/fanout.py --quick          # 100,000 followers
    python benchmarks/fanout.py                  # 1,000,000 followers (the issue's size)

On a fresh, migrated database (N users and one entity they all follow, made with
`generate_series`), each round times, in alternating order:

- project: the `notifications.live_now` consumer in a unit of work, committed — the entity
  name lookup, the keyset-batched `INSERT … SELECT` over the followers with the mute filters
  and `ON CONFLICT DO NOTHING`, the (empty) ticket-holder fan-out and the `notifications.created`
  outbox row;
- raw: one `INSERT INTO notifications (…) SELECT … FROM follows WHERE entity_id = $1` of the
  same columns on bare asyncpg, committed — no batches, no filters, no conflict handling.

The notifications table is emptied (TRUNCATE) before every step, so both write into the same
table with the same indexes. The figure is the median over the rounds; target ratio ≤ 1.5.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import UTC, datetime

import asyncpg
from common import Result, Stopwatch, fill_followers, fresh_database, machine, median

TARGET = 1.5

RAW_SQL = """
INSERT INTO notifications (id, user_id, kind, title, body, data, entity_id, source_event_id,
                           created_at)
SELECT gen_random_uuid(), f.user_id, 'LIVE_NOW', $2, $3, $4, f.entity_id, $5, $6
FROM follows f WHERE f.entity_id = $1
"""


async def project(url: str, entity_id: uuid.UUID) -> tuple[float, int]:
    import msgspec

    from showgeo_adapters.sqlalchemy import create_engine, sql_uow_factory
    from showgeo_domain.events.domain_events import EventWentLive
    from showgeo_domain.notifications.handlers import live_now
    from showgeo_domain.shared.messaging import OutboxMessage

    event = EventWentLive(
        occurred_at=datetime.now(UTC), event_id=uuid.uuid4(), entity_id=entity_id, title="Moonrise"
    )
    message = OutboxMessage(
        id=event.id,
        subject=EventWentLive.subject(),
        payload=msgspec.json.encode(event),
        occurred_at=event.occurred_at,
    )
    engine = create_engine(url, pool_size=2)
    try:
        uow = sql_uow_factory(engine)
        async with uow() as unit:  # connected, as a running worker is: the raw side's
            await unit.entities.get(entity_id)  # connection is opened outside its watch too
        with Stopwatch() as watch:
            async with uow() as unit:
                await live_now(unit, message)
                await unit.commit()
    finally:
        await engine.dispose()
    return watch.seconds, await count(url)


async def raw(dsn: str, entity_id: uuid.UUID) -> tuple[float, int]:
    conn = await asyncpg.connect(dsn)
    try:
        with Stopwatch() as watch:
            async with conn.transaction():
                await conn.execute(
                    RAW_SQL,
                    entity_id,
                    "The Bench Band is live now",
                    "Moonrise has started. Tune in!",
                    f'{{"event_id":"{uuid.uuid4()}","entity_id":"{entity_id}"}}',
                    uuid.uuid4(),
                    datetime.now(UTC),
                )
    finally:
        await conn.close()
    return watch.seconds, await count(dsn)


async def count(dsn_or_url: str) -> int:
    conn = await asyncpg.connect(dsn_or_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM notifications"))
    finally:
        await conn.close()


async def empty(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("TRUNCATE notifications")
        await conn.execute("CHECKPOINT")  # no checkpoint of the previous step inside this one
    finally:
        await conn.close()


async def run(followers: int, rounds: int) -> Result:
    async with fresh_database() as (dsn, url):
        with Stopwatch() as filling:
            entity_id = await fill_followers(dsn, followers)
        print(f"{followers:,} users following one entity (filled in {filling.seconds:.1f} s)")
        # Warm both paths once (caches, plans) before measuring.
        await raw(dsn, entity_id)
        await empty(dsn)
        projects: list[float] = []
        raws: list[float] = []
        for n in range(rounds):
            order = ("project", "raw") if n % 2 == 0 else ("raw", "project")
            for step in order:
                await empty(dsn)
                if step == "project":
                    seconds, rows = await project(url, entity_id)
                    projects.append(seconds)
                else:
                    seconds, rows = await raw(dsn, entity_id)
                    raws.append(seconds)
                if rows != followers:
                    raise SystemExit(f"{step} made {rows} notifications, not {followers}")
                print(f"round {n + 1} {step}: {seconds:.2f} s", flush=True)
    p, r = median(projects), median(raws)
    ratio = p / r
    return Result(
        name="Fan-out of one LIVE_NOW (PostgreSQL)",
        figure=f"{p:.2f} s ({followers / p:,.0f} rows/s)",
        ceiling=f"{r:.2f} s raw INSERT … SELECT ({followers / r:,.0f} rows/s)",
        ratio=round(ratio, 2),
        target=f"project / raw ≤ {TARGET}",
        met=ratio <= TARGET,
        size=f"{followers:,} followers, median of {rounds} rounds",
        details=[
            "project rounds: " + ", ".join(f"{s:.2f}" for s in projects) + " s",
            "raw rounds: " + ", ".join(f"{s:.2f}" for s in raws) + " s",
            f"machine: {machine()}",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 followers, 3 rounds")
    parser.add_argument("--followers", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--json", default=None, help="write the result here")
    args = parser.parse_args()
    followers = args.followers or (100_000 if args.quick else 1_000_000)
    rounds = args.rounds or 3
    asyncio.run(run(followers, rounds)).write(args.json)


if __name__ == "__main__":
    sys.exit(main())
