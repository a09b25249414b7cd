"""N open `/notifications` WebSockets on one API process and one notification for all of
them: delivery latency (p50/p99) and memory per idle socket, on granian and on uvicorn.

    python benchmarks/websockets_delivery.py --quick     # 1,000 sockets, uvicorn only
    python benchmarks/websockets_delivery.py             # 10,000 sockets (the issue's size)

Set-up: a fresh migrated database with N users who all follow one entity, a nats-server of
its own, and for each server a real `showgeo serve --server <name>` (one worker, PostgreSQL,
NATS, EMBEDDED_WORKER=false). Then:

1. memory: the server's resident memory (process tree) after a warm-up of a few sockets, and
   again once N sockets (one per user, from `--clients` processes of benchmarks/ws_client.py)
   are open and idle: (after - before) / N;
2. delivery: a LIVE_NOW row for every user is written (`INSERT … SELECT`, not timed), then
   `showgeo.notifications.notifications_created` is published on JetStream as the relay
   would; latency is from just before that publish to each socket's `notification` frame
   (the process's own listener: it asks the store which of its users got one, pushes the
   frames to each socket, then the unread counts);
3. the server's CPU time for the burst (its process tree's user + system time, sampled every
   20 ms, from the publish to the last notification): what delivery costs whatever else the
   shared machine is doing, beside the load average when it began.

The open-file limit is raised to the hard limit (20,000 here) for the server and clients;
the load stays on 127.0.0.1. Targets: p99 ≤ 1 s and ≤ 50 KiB per idle socket.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from common import (
    ROOT,
    Result,
    descendants,
    fill_followers,
    free_port,
    fresh_database,
    machine,
    percentile,
    raise_open_files,
    showgeo_command,
    stop_process,
    throwaway_nats,
    tree_rss_kib,
    wait_ready,
)

LATENCY_TARGET = 1.0
MEMORY_TARGET_KIB = 50.0
JWT_SECRET = "bench-only-jwt-secret-0123456789abcdef-0123456789"
HERE = Path(__file__).resolve().parent

NOTIFY_SQL = """
INSERT INTO notifications (id, user_id, kind, title, body, data, entity_id, source_event_id,
                           created_at)
SELECT gen_random_uuid(), f.user_id, 'LIVE_NOW', 'The Bench Band is live now',
       'Moonrise has started. Tune in!', '{}', f.entity_id, $2, now()
FROM follows f WHERE f.entity_id = $1
"""


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by `pids` (a server and its workers)."""
    total = 0
    for member in pids:
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


async def sample_cpu(pids: list[int], into: list[tuple[float, float]]) -> None:
    """(monotonic time, CPU seconds) every 20 ms until cancelled."""
    while True:
        into.append((time.monotonic(), cpu_seconds(pids)))
        await asyncio.sleep(0.02)


def load_average() -> float:
    return os.getloadavg()[0]


async def warm_up(ws_base: str, env: dict[str, str]) -> None:
    """A few sockets opened and closed, so lazily made things count in the baseline."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "ws_client.py"),
        "--url",
        ws_base,
        "--first",
        "1",
        "--count",
        "20",
        "--wait",
        "0.5",
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    await process.communicate()


async def publish_created(nats_url: str, source_event_id: uuid.UUID, count: int) -> float:
    """`notifications_created` on JetStream as the relay publishes it; returns the monotonic
    time just before publishing."""
    import msgspec

    from showgeo_adapters.nats import JetStreamBus
    from showgeo_domain.notifications.domain_events import NotificationsCreated
    from showgeo_domain.shared.messaging import OutboxMessage

    event = NotificationsCreated(
        occurred_at=datetime.now(UTC),
        source_event_id=source_event_id,
        kind="LIVE_NOW",
        count=count,
    )
    bus = JetStreamBus(nats_url)
    await bus.connect()
    try:
        message = OutboxMessage(
            id=event.id,
            subject=NotificationsCreated.subject(),
            payload=msgspec.json.encode(event),
            occurred_at=event.occurred_at,
        )
        started = time.monotonic()
        await bus.publish(message)
        return started
    finally:
        await bus.close()


async def measure(
    server_name: str,
    sockets: int,
    clients: int,
    dsn: str,
    url: str,
    nats_url: str,
    entity_id: uuid.UUID,
    folder: Path,
) -> dict[str, float]:
    port = free_port()
    env = {
        **os.environ,
        "SHOWGEO_ENV": "test",
        "DATABASE_URL": url,
        "NATS_URL": nats_url,
        "EMBEDDED_WORKER": "false",
        "JWT_SECRET": JWT_SECRET,
        "WS_IDLE_TIMEOUT_SECONDS": "3600",
        "PYTHONPATH": str(HERE),
    }
    log = folder / f"{server_name}.log"
    server = subprocess.Popen(  # noqa: ASYNC220 (a server for the whole run)
        [showgeo_command(), "serve", "--server", server_name, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    processes: list[asyncio.subprocess.Process] = []
    try:
        await wait_ready(f"http://127.0.0.1:{port}", server, log)
        ws_base = f"ws://127.0.0.1:{port}"
        await warm_up(ws_base, env)
        await asyncio.sleep(2)
        before = tree_rss_kib(server.pid)

        share = -(-sockets // clients)
        for c in range(clients):
            first, count = 1 + c * share, min(share, sockets - c * share)
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    str(HERE / "ws_client.py"),
                    "--url",
                    ws_base,
                    "--first",
                    str(first),
                    "--count",
                    str(count),
                    env=env,
                    stdout=asyncio.subprocess.PIPE,
                    limit=2**26,
                )
            )
        opened, connect_seconds = 0, 0.0
        for process in processes:
            assert process.stdout is not None
            line = (await process.stdout.readline()).decode().split()
            if not line or line[0] != "connected":
                raise SystemExit(f"a client failed: {line}\n{log.read_text(errors='replace')}")
            opened += int(line[1])
            connect_seconds = max(connect_seconds, float(line[3]))
        if opened != sockets:
            raise SystemExit(f"only {opened} of {sockets} sockets opened")
        await asyncio.sleep(3)  # idle
        after = tree_rss_kib(server.pid)
        print(
            f"{server_name}: {opened:,} sockets open in {connect_seconds:.1f} s; "
            f"RSS {before / 1024:.0f} → {after / 1024:.0f} MiB",
            flush=True,
        )

        source_event_id = uuid.uuid4()
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(NOTIFY_SQL, entity_id, source_event_id)
        finally:
            await conn.close()
        members = [server.pid, *descendants(server.pid)]
        samples: list[tuple[float, float]] = []
        sampler = asyncio.create_task(sample_cpu(members, samples))
        load_before = load_average()
        await asyncio.sleep(0.1)
        published = await publish_created(nats_url, source_event_id, sockets)
        received: list[float] = []
        missing = 0
        for process in processes:
            assert process.stdout is not None
            report = json.loads(await process.stdout.readline())
            received.extend(report["received"])
            missing += report["missing"]
            await process.wait()
        sampler.cancel()
        # The server's CPU from the publish to the last notification (the clients' exits,
        # which the server also handles, come after): the burst's cost, whatever the load.
        last = max(received, default=published)
        cpu_start = max((c for t, c in samples if t <= published), default=samples[0][1])
        cpu_end = min((c for t, c in samples if t >= last), default=samples[-1][1])
        burst_cpu = cpu_end - cpu_start
        latencies = [t - published for t in received]
        if missing or not latencies:
            raise SystemExit(f"{server_name}: {missing} sockets got no notification")
        figures = {
            "p50": percentile(latencies, 0.50),
            "p99": percentile(latencies, 0.99),
            "max": max(latencies),
            "kib_per_socket": (after - before) / sockets,
            "rss_before_mib": before / 1024,
            "rss_after_mib": after / 1024,
            "connect_seconds": connect_seconds,
            "burst_cpu_seconds": burst_cpu,
            "load_average": load_before,
        }
        print(
            f"{server_name}: p50 {figures['p50'] * 1000:.0f} ms, p99 {figures['p99'] * 1000:.0f} "
            f"ms, max {figures['max'] * 1000:.0f} ms; {figures['kib_per_socket']:.1f} KiB/socket; "
            f"the burst took {burst_cpu:.2f} s of the server's CPU (load average "
            f"{load_before:.1f})",
            flush=True,
        )
        return figures
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        stop_process(server)


async def run(sockets: int, clients: int, servers: list[str]) -> Result:
    raise_open_files()
    results: dict[str, dict[str, float]] = {}
    async with fresh_database() as (dsn, url):
        entity_id = await fill_followers(dsn, sockets)
        with throwaway_nats() as nats, tempfile.TemporaryDirectory() as folder:
            await nats.ready()
            for name in servers:
                results[name] = await measure(
                    name, sockets, clients, dsn, url, nats.url, entity_id, Path(folder)
                )
    best = min(results, key=lambda n: results[n]["kib_per_socket"])
    chosen = results[best]
    met = chosen["p99"] <= LATENCY_TARGET and chosen["kib_per_socket"] <= MEMORY_TARGET_KIB
    return Result(
        name="WebSocket delivery and memory (one API process)",
        figure=(
            f"{best}: p50 {chosen['p50'] * 1000:.0f} ms, p99 {chosen['p99'] * 1000:.0f} ms; "
            f"{chosen['kib_per_socket']:.1f} KiB per idle socket"
        ),
        ceiling="targets (no ceiling run): p99 ≤ 1 s, ≤ 50 KiB per socket",
        ratio=round(chosen["p99"] / LATENCY_TARGET, 2),
        target="p99 ≤ 1 s and ≤ 50 KiB per idle socket (ratio: p99 / 1 s)",
        met=met,
        size=f"{sockets:,} sockets (one per user) from {clients} client processes",
        details=[
            *(
                f"{name}: p50 {r['p50'] * 1000:.0f} ms, p99 {r['p99'] * 1000:.0f} ms, max "
                f"{r['max'] * 1000:.0f} ms; RSS {r['rss_before_mib']:.0f} → "
                f"{r['rss_after_mib']:.0f} MiB = {r['kib_per_socket']:.1f} KiB per socket; "
                f"sockets opened in {r['connect_seconds']:.1f} s; the burst took "
                f"{r['burst_cpu_seconds']:.2f} s of the server's CPU (to the last notification; "
                f"load average {r['load_average']:.1f} when it began)"
                for name, r in results.items()
            ),
            f"machine: {machine()}",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 sockets")
    parser.add_argument("--sockets", type=int, default=None)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--servers", default=None, help="default uvicorn,granian; quick: uvicorn")
    parser.add_argument("--json", default=None, help="write the result here")
    args = parser.parse_args()
    sockets = args.sockets or (1_000 if args.quick else 10_000)
    chosen = args.servers or ("uvicorn" if args.quick else "uvicorn,granian")
    servers = [s.strip() for s in chosen.split(",") if s.strip()]
    asyncio.run(run(sockets, args.clients, servers)).write(args.json)


if __name__ == "__main__":
    sys.exit(main())
