"""The whole platform under a realistic mix, bounded in time, on 127.0.0.1 only: two API
processes and a worker, browsing, following, buying and open WebSockets.

    python benchmarks/load.py --quick     # 25 s, 1,000 entities / 10,000 users / 100,000 follows
    python benchmarks/load.py             # 2 minutes on the issue's data size

Set-up: a fresh migrated database filled set-based (benchmarks/api_data.py), a nats-server
of its own, two `showgeo serve` processes (granian, one worker each, EMBEDDED_WORKER=false)
and one `showgeo worker` (relay, consumers, jobs), as a deployment runs them.

Load: `--sockets` `/notifications` WebSockets opened first (half on each API) and held for
the whole run, then `--users` virtual users, each on one API (alternately), looping for
`--seconds` over a visit with think times of 20-200 ms:

- 55 % browse: GET /events?near=… then GET /entities/{id} of a hit's entity (or any entity)
- 20 % GET /notifications and GET /notifications/unread-count (their own)
- 15 % follow: PUT /entities/{id}/follow, now and then DELETE it again
- 10 % buy: POST /orders of one ticket, then GET /orders/{id}

Reported: throughput (requests per second over the run), p50/p99 per route, errors (any
non-2xx answer, transport error or socket that closed: must be zero), and the resident
memory of each process after a warm-up and at the end; the bound is stated in MEM_BOUND_MIB
(growth per process).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
from api_data import JWT_SECRET, Sizes, access_token, entity_id, fill, ticket_type_id
from common import (
    ROOT,
    Result,
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
from websockets.asyncio.client import ClientConnection, connect
from websockets.protocol import State

HERE = Path(__file__).resolve().parent
MEM_BOUND_MIB = 64.0  # growth of any one process's resident memory from warm-up to end
THINK = (0.02, 0.2)


class Stats:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: list[str] = []

    async def call(
        self, http: httpx.AsyncClient, route: str, method: str, path: str, **kwargs: object
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await http.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.errors[route] += 1
            if len(self.examples) < 5:
                self.examples.append(f"{route}: {type(exc).__name__} {exc}")
            return None
        self.latencies[route].append(time.perf_counter() - started)
        if response.status_code >= 300:
            self.errors[route] += 1
            if len(self.examples) < 5:
                self.examples.append(f"{route}: {response.status_code} {response.text[:200]}")
            return None
        return response


async def visitor(
    n: int, base: str, sizes: Sizes, stats: Stats, until: float, rng: random.Random
) -> None:
    """One person's visits until `until`: users from the end of the range buy and follow,
    readers of notifications are among the notified ones."""
    reader = 1 + n % sizes.notified_users
    buyer = sizes.users - n
    headers = {"Authorization": f"Bearer {access_token(reader if n % 2 else buyer)}"}
    followed: list[int] = []
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        while time.monotonic() < until:
            dice = rng.random()
            if dice < 0.55:
                point = f"{rng.uniform(37, 55):.4f},{rng.uniform(-9, 19):.4f}"
                found = await stats.call(
                    http, "GET /events?near", "GET", f"/events?near={point}&radius_km=100"
                )
                items = found.json()["items"] if found is not None else []
                target = (
                    rng.choice(items)["entity_id"]
                    if items
                    else str(entity_id(rng.randint(1, sizes.entities)))
                )
                await asyncio.sleep(rng.uniform(*THINK))
                await stats.call(http, "GET /entities/{id}", "GET", f"/entities/{target}")
            elif dice < 0.75:
                await stats.call(
                    http, "GET /notifications", "GET", "/notifications", headers=headers
                )
                await stats.call(
                    http,
                    "GET /notifications/unread-count",
                    "GET",
                    "/notifications/unread-count",
                    headers=headers,
                )
            elif dice < 0.90:
                if followed and rng.random() < 0.3:
                    k = followed.pop(rng.randrange(len(followed)))
                    await stats.call(
                        http,
                        "DELETE /entities/{id}/follow",
                        "DELETE",
                        f"/entities/{entity_id(k)}/follow",
                        headers=headers,
                    )
                else:
                    k = rng.randint(1, sizes.entities)
                    followed.append(k)
                    await stats.call(
                        http,
                        "PUT /entities/{id}/follow",
                        "PUT",
                        f"/entities/{entity_id(k)}/follow",
                        headers=headers,
                    )
            else:
                body = {
                    "items": [
                        {
                            "ticket_type_id": str(
                                ticket_type_id(rng.randint(1, sizes.ticket_types))
                            ),
                            "quantity": 1,
                        }
                    ]
                }
                placed = await stats.call(
                    http, "POST /orders", "POST", "/orders", headers=headers, json=body
                )
                if placed is not None:
                    order_id = placed.json()["order"]["id"]
                    await stats.call(
                        http, "GET /orders/{id}", "GET", f"/orders/{order_id}", headers=headers
                    )
            await asyncio.sleep(rng.uniform(*THINK))


async def open_sockets(bases: list[str], count: int, first_user: int) -> list[ClientConnection]:
    gate = asyncio.Semaphore(50)

    async def one(i: int) -> ClientConnection:
        base = bases[i % len(bases)].replace("http://", "ws://")
        async with gate:
            ws = await connect(
                f"{base}/notifications?token={access_token(first_user + i)}",
                ping_interval=None,
                compression=None,
                open_timeout=60,
            )
            await asyncio.wait_for(ws.recv(), 60)  # the `connected` frame
            return ws

    return list(await asyncio.gather(*(one(i) for i in range(count))))


def rss_mib(processes: dict[str, subprocess.Popen[bytes]]) -> dict[str, float]:
    return {name: tree_rss_kib(p.pid) / 1024 for name, p in processes.items()}


async def run(args: argparse.Namespace) -> Result:
    raise_open_files()
    sizes = Sizes.quick() if args.quick else Sizes.full()
    seconds = args.seconds or (25.0 if args.quick else 120.0)
    users = args.users or (30 if args.quick else 60)
    sockets = args.sockets if args.sockets is not None else (200 if args.quick else 1_000)
    async with fresh_database("showgeo_bench_load") as (dsn, url):
        seed_seconds = await fill(dsn, sizes)
        print(f"filled {sizes.describe()} in {seed_seconds:.0f} s", flush=True)
        with throwaway_nats() as nats, tempfile.TemporaryDirectory() as folder:
            await nats.ready()
            env = {
                **os.environ,
                "SHOWGEO_ENV": "test",
                "DATABASE_URL": url,
                "NATS_URL": nats.url,
                "EMBEDDED_WORKER": "false",
                "JWT_SECRET": JWT_SECRET,
                "ACCESS_TOKEN_TTL_SECONDS": "7200",
                "WS_IDLE_TIMEOUT_SECONDS": "3600",
                "DATABASE_POOL_SIZE": "5",  # 10 connections per process on a shared server
            }
            processes: dict[str, subprocess.Popen[bytes]] = {}
            ports = [free_port(), free_port()]
            logs = {}
            for i, port in enumerate(ports):
                logs[f"api{i + 1}"] = Path(folder) / f"api{i + 1}.log"
                processes[f"api{i + 1}"] = subprocess.Popen(  # noqa: ASYNC220
                    [showgeo_command(), "serve", "--server", "granian", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=logs[f"api{i + 1}"].open("wb"),
                    stderr=subprocess.STDOUT,
                )
            logs["worker"] = Path(folder) / "worker.log"
            processes["worker"] = subprocess.Popen(  # noqa: ASYNC220
                [showgeo_command(), "worker"],
                env=env,
                cwd=ROOT,
                stdout=logs["worker"].open("wb"),
                stderr=subprocess.STDOUT,
            )
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            held: list[ClientConnection] = []
            try:
                for i, base in enumerate(bases):
                    await wait_ready(base, processes[f"api{i + 1}"], logs[f"api{i + 1}"])
                # warm-up: a few seconds of the same mix, not counted
                warm = Stats()
                until = time.monotonic() + 3
                await asyncio.gather(
                    *(
                        visitor(n, bases[n % 2], sizes, warm, until, random.Random(n))
                        for n in range(min(users, 10))
                    )
                )
                held = await open_sockets(bases, sockets, first_user=1)
                await asyncio.sleep(1)
                before = rss_mib(processes)
                load_before = os.getloadavg()[0]
                print(
                    f"{len(held)} sockets open; RSS "
                    + ", ".join(f"{k} {v:.0f} MiB" for k, v in before.items()),
                    flush=True,
                )
                stats = Stats()
                started = time.monotonic()
                until = started + seconds
                await asyncio.gather(
                    *(
                        visitor(n, bases[n % 2], sizes, stats, until, random.Random(1000 + n))
                        for n in range(users)
                    )
                )
                elapsed = time.monotonic() - started
                closed = sum(1 for ws in held if ws.state is not State.OPEN)
                after = rss_mib(processes)
                load_after = os.getloadavg()[0]
            finally:
                for ws in held:
                    ws.transport.abort()
                for process in processes.values():
                    stop_process(process)

    total = sum(len(v) for v in stats.latencies.values())
    errors = sum(stats.errors.values()) + closed
    growth = {k: after[k] - before[k] for k in after}
    worst_growth = max(growth.values())
    throughput = total / elapsed
    all_latencies = [x for v in stats.latencies.values() for x in v]
    p99_all = percentile(all_latencies, 0.99) * 1000 if all_latencies else 0.0
    details = [
        f"{route}: {len(values):,} requests, p50 {percentile(values, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(values, 0.99) * 1000:.0f} ms, errors {stats.errors.get(route, 0)}"
        for route, values in sorted(stats.latencies.items())
    ]
    details += [
        f"{sockets:,} WebSockets held open for the whole run (half on each API): {closed} closed",
        "RSS after warm-up → end: "
        + ", ".join(f"{k} {before[k]:.0f} → {after[k]:.0f} MiB" for k in before),
        f"{users} virtual users, think time {THINK[0] * 1000:.0f}-{THINK[1] * 1000:.0f} ms, "
        f"{elapsed:.0f} s; load average {load_before:.1f} at start, {load_after:.1f} at end "
        "(the load generator, PostgreSQL, NATS and the three processes share the 2 cores)",
        *(f"error: {e}" for e in stats.examples),
        f"machine: {machine()}",
    ]
    return Result(
        name="Whole platform under a mixed load (2 API processes + worker)",
        figure=(
            f"{throughput:.0f} req/s, p99 {p99_all:.0f} ms over all routes, {errors} errors, "
            f"RSS growth ≤ {worst_growth:.0f} MiB per process"
        ),
        ceiling=f"bounds: 0 errors, ≤ {MEM_BOUND_MIB:.0f} MiB growth per process",
        ratio=round(worst_growth / MEM_BOUND_MIB, 2),
        target=f"0 errors, RSS growth ≤ {MEM_BOUND_MIB:.0f} MiB (ratio: growth / bound)",
        met=errors == 0 and worst_growth <= MEM_BOUND_MIB,
        size=f"{sizes.describe()}; {users} users, {sockets:,} sockets, {seconds:.0f} s",
        details=details,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="25 s on a tenth of the data")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--users", type=int, default=None, help="virtual users")
    parser.add_argument("--sockets", type=int, default=None, help="WebSockets held open")
    parser.add_argument("--json", default=None, help="write the result here")
    args = parser.parse_args()
    asyncio.run(run(args)).write(args.json)


if __name__ == "__main__":
    sys.exit(main())
