"""Full analytics recompute on PostgreSQL, beside the raw ceilings measured in the same run.

    python benchmarks/analytics_recompute.py --quick
    python benchmarks/analytics_recompute.py --users 1000000 --entities 100000 \
        --interactions 20000000            # the issue's full size (takes long)

It creates a throwaway database (SHOWGEO_BENCH_POSTGRES, default the local server), migrates
it, fills it in SQL with `generate_series` (users, entities with one event, ticket type and
product each; `interactions` split 70 % follows, 20 % paid ticket orders with their tickets,
10 % paid product orders; entity popularity skewed towards low numbers), then measures, each
in a fresh child process so peak memory (ru_maxrss) belongs to that step alone:

1. the project's recompute (`Recompute.run_now`: every scope's GROUP BY into the metrics
   table, normalised scores, interaction vectors in user chunks, top-k neighbours in entity
   chunks, written back);
2. raw SQL: the same aggregates as hand-written `INSERT … SELECT … GROUP BY` into a temp
   table, plus fetching the (user, entity) interaction GROUP BY, on bare asyncpg;
3. raw scipy cosine: the same matrix (built from arrays the database numbered) and one
   `R^T R` product of its normalised columns, no chunks, no top-k.

It prints wall time and peak memory of each and the ratio recompute / (raw SQL + raw cosine)
(the issue's target: at most 2, peak memory at most 4 GiB).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg

SERVER = os.environ.get("SHOWGEO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
QUICK = {"users": 20_000, "entities": 2_000, "interactions": 400_000}


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- data ------------------------------------------------------------------------------------


FILL = [
    """INSERT INTO users (id, email, username, password_hash, display_name, is_private, roles,
           created_at, updated_at)
       SELECT md5('u' || i)::uuid, 'u' || i || '@bench.example', 'u' || i, 'x', 'User ' || i,
              false, 'USER', now(), now()
       FROM generate_series(1, $1::int) i""",
    """INSERT INTO entities (id, name, slug, kind, verified, follower_count, created_at, updated_at)
       SELECT md5('e' || i)::uuid, 'Entity ' || i, 'e' || i, 'CREATOR', false, 0, now(), now()
       FROM generate_series(1, $1::int) i""",
    """INSERT INTO events (id, entity_id, title, starts_at, phase, created_at, updated_at)
       SELECT md5('ev' || i)::uuid, md5('e' || i)::uuid, 'Show ' || i, now() + interval '30 days',
              'PRE_LIVE', now(), now()
       FROM generate_series(1, $1::int) i""",
    """INSERT INTO ticket_types (id, event_id, entity_id, name, price_amount, price_currency,
           quota, sold, reserved, created_at)
       SELECT md5('tt' || i)::uuid, md5('ev' || i)::uuid, md5('e' || i)::uuid, 'GA', 2500, 'EUR',
              1000000000, 0, 0, now()
       FROM generate_series(1, $1::int) i""",
    """INSERT INTO products (id, entity_id, title, kind, price_amount, price_currency, sold,
           reserved, visibility, published_at, created_at, updated_at)
       SELECT md5('p' || i)::uuid, md5('e' || i)::uuid, 'Shirt ' || i, 'PHYSICAL', 1999, 'EUR',
              0, 0, 'PUBLIC', now(), now(), now()
       FROM generate_series(1, $1::int) i""",
]


FILLED = [
    "users",
    "entities",
    "events",
    "ticket_types",
    "products",
    "follows",
    "orders",
    "order_lines",
    "tickets",
]

# Indexes a bulk fill need not maintain row by row: plain indexes, and UNIQUE constraints no
# foreign key depends on. They are dropped before the fill and built again after it from
# their own definitions (one sort each, instead of millions of random B-tree inserts).
REBUILT = """
    SELECT t.relname AS table_name, x.relname AS name, k.conname AS constraint_name,
           CASE WHEN k.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
                ELSE pg_get_constraintdef(k.oid) END AS definition
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_class x ON x.oid = i.indexrelid
    LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid
    WHERE t.relname = ANY($1::text[]) AND t.relnamespace = 'public'::regnamespace
      AND NOT i.indisprimary
      AND (k.oid IS NULL OR (k.contype = 'u' AND NOT EXISTS (
          SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)))
"""


async def fill(url: str, users: int, entities: int, interactions: int) -> None:
    """Set-based: each table one `INSERT … SELECT … FROM generate_series … ORDER BY` its
    primary key (appended to its B-tree in order); secondary indexes built afterwards."""
    follows, tickets = int(interactions * 0.7), int(interactions * 0.2)
    conn = await asyncpg.connect(url)
    try:
        # The generated ids are consistent by construction: skip the per-row foreign-key
        # triggers while filling (the server's superuser setting; trust auth on a dev box).
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("SET work_mem = '512MB'")
        await conn.execute("SET maintenance_work_mem = '1GB'")
        await conn.execute("SET synchronous_commit = off")
        rebuilt = await conn.fetch(REBUILT, FILLED)
        for index in rebuilt:
            if index["constraint_name"]:
                await conn.execute(
                    f'ALTER TABLE "{index["table_name"]}" '
                    f'DROP CONSTRAINT "{index["constraint_name"]}"'
                )
            else:
                await conn.execute(f'DROP INDEX "{index["name"]}"')
        await conn.execute(FILL[0] + " ORDER BY 1", users)
        for statement in FILL[1:]:
            await conn.execute(statement + " ORDER BY 1", entities)
        skewed = "(1 + floor($2::int * power(random(), 2)))::int"
        await conn.execute(
            f"""INSERT INTO follows (user_id, entity_id, created_at)
                SELECT DISTINCT md5('u' || (1 + floor(random() * $1::int))::int)::uuid,
                       md5('e' || {skewed})::uuid, now()
                FROM generate_series(1, $3::int)
                ORDER BY 1, 2""",
            users,
            entities,
            follows,
        )
        await conn.execute(
            """UPDATE entities SET follower_count = c.n
               FROM (SELECT entity_id, count(*) AS n FROM follows GROUP BY entity_id) c
               WHERE c.entity_id = entities.id"""
        )
        await conn.execute(
            f"""CREATE TEMP TABLE picks AS
                SELECT k, md5('o' || k)::uuid AS id,
                       md5('u' || (1 + floor(random() * $1::int))::int)::uuid AS buyer,
                       {skewed} AS e
                FROM generate_series(1, $3::int) k""",
            users,
            entities,
            interactions - follows,
        )
        await conn.execute(
            """INSERT INTO orders (id, buyer_id, entity_id, status, total_amount, currency,
                   refunded_amount, created_at, expires_at, paid_at)
               SELECT id, buyer, md5('e' || e)::uuid, 'PAID', 2500, 'EUR', 0,
                      now(), now(), now()
               FROM picks ORDER BY id"""
        )
        await conn.execute(
            """INSERT INTO order_lines (order_id, position, kind, item_id, entity_id, event_id,
                   title, unit_amount, currency, quantity)
               SELECT id, 0,
                      CASE WHEN k <= $1::int THEN 'TICKET' ELSE 'PRODUCT' END,
                      CASE WHEN k <= $1::int THEN md5('tt' || e)::uuid ELSE md5('p' || e)::uuid END,
                      md5('e' || e)::uuid,
                      CASE WHEN k <= $1::int THEN md5('ev' || e)::uuid END,
                      'item', 2500, 'EUR', 1
               FROM picks ORDER BY id""",
            tickets,
        )
        await conn.execute(
            """INSERT INTO tickets (id, order_id, ticket_type_id, event_id, holder_id, code,
                   issued_at)
               SELECT md5('t' || k)::uuid, id, md5('tt' || e)::uuid,
                      md5('ev' || e)::uuid, buyer, md5('t' || k), now()
               FROM picks WHERE k <= $1::int ORDER BY 1""",
            tickets,
        )
        await conn.execute("DROP TABLE picks")
        for index in rebuilt:
            if index["constraint_name"]:
                await conn.execute(
                    f'ALTER TABLE "{index["table_name"]}" ADD CONSTRAINT '
                    f'"{index["constraint_name"]}" {index["definition"]}'
                )
            else:
                await conn.execute(index["definition"])
        # Hint bits and the visibility map set once here, so the first measured reader does
        # not pay for them (and the planner has statistics).
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


# --- the three measurements (each runs in its own child process) ----------------------------


def measure_recompute(url: str, user_chunk: int) -> dict[str, Any]:
    from showgeo_adapters.sqlalchemy import create_engine, sql_uow_factory
    from showgeo_domain.analytics.jobs import JobTrigger
    from showgeo_domain.analytics.recompute import Recompute
    from showgeo_domain.shared.clock import SystemClock

    async def run() -> dict[str, Any]:
        engine = create_engine(url, pool_size=2)
        try:
            recompute = Recompute(sql_uow_factory(engine), SystemClock(), user_chunk=user_chunk)
            base = peak_mib()
            stages: dict[str, float] = {}  # stage -> seconds since the start when it began

            def progress(job: Any) -> None:
                stages.setdefault(job.stage, time.perf_counter() - started)

            started = time.perf_counter()
            job, _ = await recompute.run_now(JobTrigger.CLI, progress)
            seconds = time.perf_counter() - started
            assert job.status.value == "SUCCEEDED", job.error
            starts = sorted(stages.items(), key=lambda item: item[1])
            ends = [at for _, at in starts[1:]] + [seconds]
            spent = ", ".join(
                f"{stage} {end - at:.1f} s" for (stage, at), end in zip(starts, ends, strict=True)
            )
            return {
                "seconds": seconds,
                "peak_mib": peak_mib(),
                "baseline_mib": base,
                "stages": spent,
            }
        finally:
            await engine.dispose()

    return asyncio.run(run())


RAW_AGGREGATES = [
    "SELECT entity_id, 'followers', count(*) FROM follows GROUP BY entity_id",
    """SELECT e.entity_id, 'tickets_sold', count(*) FROM tickets t JOIN events e
       ON e.id = t.event_id WHERE t.voided_at IS NULL GROUP BY e.entity_id""",
    """SELECT entity_id, 'notifications_sent', count(*) FROM notifications
       WHERE entity_id IS NOT NULL GROUP BY entity_id""",
    """SELECT entity_id, 'paid_orders.' || currency, count(*) FROM orders
       WHERE status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') GROUP BY entity_id, currency""",
    """SELECT l.entity_id, 'store_revenue.' || l.currency,
              sum(l.unit_amount * l.quantity - CASE WHEN o.total_amount = 0 THEN 0
                  ELSE o.refunded_amount * l.unit_amount * l.quantity / o.total_amount END)
       FROM order_lines l JOIN orders o ON o.id = l.order_id
       WHERE o.status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') AND l.kind = 'PRODUCT'
       GROUP BY l.entity_id, l.currency""",
    """SELECT event_id, 'tickets_sold', count(*) FROM tickets WHERE voided_at IS NULL
       GROUP BY event_id""",
    """SELECT event_id, 'checked_in', count(*) FROM tickets
       WHERE voided_at IS NULL AND checked_in_at IS NOT NULL GROUP BY event_id""",
    """SELECT l.event_id, 'ticket_revenue.' || l.currency,
              sum(l.unit_amount * l.quantity - CASE WHEN o.total_amount = 0 THEN 0
                  ELSE o.refunded_amount * l.unit_amount * l.quantity / o.total_amount END)
       FROM order_lines l JOIN orders o ON o.id = l.order_id
       WHERE o.status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') AND l.kind = 'TICKET'
       GROUP BY l.event_id, l.currency""",
    "SELECT user_id, 'following', count(*) FROM follows GROUP BY user_id",
    "SELECT holder_id, 'tickets', count(*) FROM tickets WHERE voided_at IS NULL GROUP BY holder_id",
    """SELECT buyer_id, 'paid_orders', count(*) FROM orders
       WHERE status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') GROUP BY buyer_id""",
    """SELECT buyer_id, 'spent.' || currency, sum(total_amount - refunded_amount) FROM orders
       WHERE status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') GROUP BY buyer_id, currency""",
    "SELECT user_id, 'notifications_received', count(*) FROM notifications GROUP BY user_id",
]

RAW_INTERACTIONS = """
    SELECT user_id, entity_id, sum(f) AS f, sum(t) AS t, sum(u) AS u FROM (
        SELECT user_id, entity_id, 1 AS f, 0 AS t, 0 AS u FROM follows
        UNION ALL
        SELECT t.holder_id, e.entity_id, 0, 1, 0 FROM tickets t JOIN events e
            ON e.id = t.event_id WHERE t.voided_at IS NULL
        UNION ALL
        SELECT o.buyer_id, l.entity_id, 0, 0, l.quantity FROM order_lines l
            JOIN orders o ON o.id = l.order_id
            WHERE o.status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') AND l.kind = 'PRODUCT'
    ) s GROUP BY user_id, entity_id ORDER BY user_id
"""


def measure_raw_sql(url: str) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            base = peak_mib()
            started = time.perf_counter()
            await conn.execute(
                "CREATE TEMP TABLE raw_out (subject uuid, metric text, value float8)"
            )
            for query in RAW_AGGREGATES:
                await conn.execute(f"INSERT INTO raw_out {query}")
            rows = await conn.fetch(RAW_INTERACTIONS)
            seconds = time.perf_counter() - started
            return {
                "seconds": seconds,
                "peak_mib": peak_mib(),
                "baseline_mib": base,
                "pairs": len(rows),
            }
        finally:
            await conn.close()

    return asyncio.run(run())


RAW_MATRIX = """
    WITH u AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM users),
         e AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS j FROM entities)
    SELECT u.i, e.j, s.f, s.t, s.u FROM ({interactions}) s
    JOIN u ON u.id = s.user_id JOIN e ON e.id = s.entity_id
"""


def measure_raw_cosine(url: str) -> dict[str, Any]:
    import numpy as np
    from scipy import sparse

    from showgeo_domain.analytics.vectors import raw_cosine, strengths

    async def fetch() -> tuple[Any, int, int]:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            rows = await conn.fetch(
                RAW_MATRIX.format(interactions=RAW_INTERACTIONS.replace("ORDER BY user_id", ""))
            )
            users = await conn.fetchval("SELECT count(*) FROM users")
            entities = await conn.fetchval("SELECT count(*) FROM entities")
            return np.array(rows, dtype=np.float64).reshape(-1, 5), users, entities
        finally:
            await conn.close()

    data, users, entities = asyncio.run(fetch())  # not timed: the SQL part is measured above
    base = peak_mib()
    started = time.perf_counter()
    values = strengths(data[:, 2], data[:, 3], data[:, 4], np.zeros(len(data)))
    matrix = sparse.csc_matrix(
        (values.astype(np.float32), (data[:, 0].astype(np.int32), data[:, 1].astype(np.int32))),
        shape=(users, entities),
    )
    similarities = raw_cosine(matrix)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mib": peak_mib(),
        "baseline_mib": base,
        "similar_pairs": int(similarities.nnz),
    }


def in_child(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


# --- driver ------------------------------------------------------------------------------------


async def create_database() -> tuple[str, str]:
    name = f"showgeo_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, f"{SERVER.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def drop_database(name: str) -> None:
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def filled_size(url: str) -> dict[str, int]:
    """The size a kept database was filled with (for the report of a `--reuse` run), its
    analytics emptied again so the recompute measured starts as on a fresh fill (an earlier
    run's rows would be deleted first, and its dead tuples scanned)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("TRUNCATE analytics_metrics, analytics_neighbours, analytics_jobs")
        await conn.execute("VACUUM (ANALYZE) analytics_metrics, analytics_neighbours")
        users = await conn.fetchval("SELECT count(*) FROM users")
        entities = await conn.fetchval("SELECT count(*) FROM entities")
        interactions = await conn.fetchval(
            "SELECT (SELECT count(*) FROM follows) + (SELECT count(*) FROM order_lines)"
        )
        return {"users": users, "entities": entities, "interactions": interactions}
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"small size: {QUICK}")
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=20_000_000)
    parser.add_argument("--user-chunk", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", default=None, help="write the result here (benchmarks/run.py)")
    parser.add_argument(
        "--reuse", metavar="NAME", help="measure a database kept by an earlier --keep run"
    )
    args = parser.parse_args()
    size = (
        QUICK
        if args.quick
        else {
            "users": args.users,
            "entities": args.entities,
            "interactions": args.interactions,
        }
    )
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    from showgeo_adapters.sqlalchemy import upgrade

    if args.reuse:
        name = args.reuse
        url = f"{SERVER.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
        size = asyncio.run(filled_size(url.replace("postgresql+asyncpg", "postgresql")))
        print(f"database {name} (as filled before): {size}", flush=True)
    else:
        name, url = asyncio.run(create_database())
    try:
        if not args.reuse:
            asyncio.run(upgrade(url))
            started = time.perf_counter()
            asyncio.run(fill(url.replace("postgresql+asyncpg", "postgresql"), **size))
            print(f"size: {size} (filled in {time.perf_counter() - started:.1f} s)", flush=True)
            print(f"database {name}", flush=True)
        raw_sql = in_child(measure_raw_sql, url)
        raw_cos = in_child(measure_raw_cosine, url)
        ours = in_child(measure_recompute, url, args.user_chunk)
    finally:
        if not (args.keep or args.reuse):
            asyncio.run(drop_database(name))
    raw_total = raw_sql["seconds"] + raw_cos["seconds"]
    print(
        f"raw SQL GROUP BY:      {raw_sql['seconds']:8.2f} s  peak {raw_sql['peak_mib']:7.0f} MiB"
        f"  ({raw_sql['pairs']} user-entity pairs)"
    )
    print(
        f"raw scipy cosine:      {raw_cos['seconds']:8.2f} s  peak {raw_cos['peak_mib']:7.0f} MiB"
        f"  ({raw_cos['similar_pairs']} similar pairs)"
    )
    print(
        f"showgeo recompute:     {ours['seconds']:8.2f} s  peak {ours['peak_mib']:7.0f} MiB"
        f"  (process baseline {ours['baseline_mib']:.0f} MiB)"
    )
    print(f"recompute stages: {ours['stages']}")
    print(
        f"ratio recompute / (raw SQL + raw cosine): {ours['seconds'] / raw_total:.2f}"
        f"  (target <= 2.00); peak {ours['peak_mib'] / 1024:.2f} GiB (target <= 4)"
    )
    from common import Result

    ratio = ours["seconds"] / raw_total
    Result(
        name="analytics_recompute",
        figure=f"recompute {ours['seconds']:.1f} s, peak {ours['peak_mib']:.0f} MiB",
        ceiling=f"raw SQL GROUP BY {raw_sql['seconds']:.1f} s + raw scipy cosine "
        f"{raw_cos['seconds']:.1f} s",
        ratio=round(ratio, 2),
        target="ratio <= 2, peak <= 4 GiB",
        met=ratio <= 2 and ours["peak_mib"] <= 4096,
        size=f"{size['users']} users, {size['entities']} entities, "
        f"{size['interactions']} interactions (PostgreSQL)",
        details=[
            f"raw SQL peak {raw_sql['peak_mib']:.0f} MiB, raw cosine peak "
            f"{raw_cos['peak_mib']:.0f} MiB ({raw_cos['similar_pairs']} similar pairs)",
            f"recompute stages: {ours['stages']}",
        ],
    ).write(args.json)


if __name__ == "__main__":
    main()
