"""API reads and writes under wrk on 127.0.0.1: Showgeo's production server against a bare
Litestar + asyncpg ceiling (benchmarks/ceiling_app.py) run by the same server in the same run.

    python benchmarks/http_api.py --quick       # 1,000 entities, 10,000 users, 100,000 follows
    python benchmarks/http_api.py               # 10,000 / 100,000 / 1,000,000 (the issue's size)
    python benchmarks/http_api.py --servers granian,uvicorn   # both servers (full mode default)

Set-up: a fresh migrated PostgreSQL database filled set-based (benchmarks/api_data.py), a
nats-server of its own, and for each server: `showgeo serve --server <name>` (one worker,
EMBEDDED_WORKER=false as in production, where `showgeo worker` relays the outbox) and the
ceiling app beside it, started the same way. Routes, each for `--seconds` after a warm-up,
the API then the ceiling, one route after the other so both see the same machine:

- GET /entities/{id}             an entity picked with a popularity skew (number E * u^2, u
                                 uniform): pages of popular entities are read most
- GET /events?near=…&radius_km=  a random point in the events' area, 100 km
- GET /notifications             a random notified user's first page (authenticated)
- PUT /entities/{id}/follow      a random user (a fresh slice of users per run) follows a
                                 random entity: mostly new follows (count and outbox written)
- POST /orders                   a random user orders one ticket of a random ticket type

wrk runs with one thread and `--connections` connections (2 cores: the server gets one
worker process, the generator little CPU); a Lua script picks ids and tokens at random and
reports requests, p50, p99 and errors (any non-2xx answer or socket error is an error).
Targets: reads ≥ 0.6 x the ceiling's requests per second, writes ≥ 0.4 x.

wrk is installed with apt-get when it is missing and we are root (Debian: `apt-get install
wrk`); otherwise the benchmark stops and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from api_data import JWT_SECRET, Sizes, access_token, entity_id, fill, ticket_type_id
from common import (
    ROOT,
    Result,
    descendants,
    free_port,
    fresh_database,
    machine,
    raise_open_files,
    showgeo_command,
    stop_process,
    throwaway_nats,
    wait_ready,
)

HERE = Path(__file__).resolve().parent
READ_TARGET = 0.6
WRITE_TARGET = 0.4
RADIUS_KM = 100
TOKENS_PER_RUN = 500
ROUTES = ["entity", "near", "notifications", "follow", "order"]
LABELS = {
    "entity": "GET /entities/{id}",
    "near": "GET /events?near=…",
    "notifications": "GET /notifications",
    "follow": "PUT /entities/{id}/follow",
    "order": "POST /orders",
}
WRITES = {"follow", "order"}

LUA = r"""
local ids, tokens = {}, {}
local kind = "%(kind)s"
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  if args[2] ~= "-" then
    for line in io.lines(args[2]) do tokens[#tokens + 1] = line end
  end
  math.randomseed(os.time() + %(seed)d)
end
request = function()
  local id = ids[math.random(#ids)]
  local headers = {}
  if #tokens > 0 then
    headers["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]
  end
  if kind == "entity" then
    -- popularity: entity number E * u^2 (u uniform), as benchmarks/analytics_recompute.py
    id = ids[math.floor(#ids * math.random() ^ 2) + 1]
    return wrk.format("GET", "/entities/" .. id, headers)
  elseif kind == "near" then
    return wrk.format("GET", "/events?near=" .. id .. "&radius_km=%(radius)d", headers)
  elseif kind == "notifications" then
    return wrk.format("GET", "/notifications", headers)
  elseif kind == "follow" then
    return wrk.format("PUT", "/entities/" .. id .. "/follow", headers)
  else
    headers["Content-Type"] = "application/json"
    local body = '{"items":[{"ticket_type_id":"' .. id .. '","quantity":1}]}'
    return wrk.format("POST", "/orders", headers, body)
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,' ..
    '"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def ensure_wrk() -> str:
    """wrk's path; installs Debian's package when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk", flush=True)
        code = subprocess.call(
            ["apt-get", "install", "-y", "-q", "wrk"],
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if code != 0:
            subprocess.call(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL)
            subprocess.call(["apt-get", "install", "-y", "-q", "wrk"], stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(
        "this benchmark needs wrk (https://github.com/wg/wrk): `apt-get install wrk` on "
        "Debian/Ubuntu, `brew install wrk` on macOS"
    )


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def shape(value: Any) -> Any:
    """The JSON's structure (keys and value types), to check both apps answer the same."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "null" if value is None else type(value).__name__


class Inputs:
    """Files the Lua script reads: ids or points per route, tokens per run."""

    def __init__(self, folder: Path, sizes: Sizes) -> None:
        self.folder = folder
        self.sizes = sizes
        rng = random.Random(8)
        self.entities = self._write(
            "entities", [str(entity_id(k)) for k in range(1, sizes.entities + 1)]
        )
        self.points = self._write(
            "points",
            [f"{rng.uniform(37, 55):.4f},{rng.uniform(-9, 19):.4f}" for _ in range(1000)],
        )
        self.ticket_types = self._write(
            "ticket_types", [str(ticket_type_id(k)) for k in range(1, sizes.ticket_types + 1)]
        )
        picks = rng.sample(
            range(1, sizes.notified_users + 1), min(TOKENS_PER_RUN, sizes.notified_users)
        )
        self.readers = self._write("readers", [access_token(i) for i in picks])
        self._runs = 0

    def _write(self, name: str, lines: list[str]) -> Path:
        path = self.folder / f"{name}.txt"
        path.write_text("\n".join(lines) + "\n")
        return path

    def fresh_writers(self) -> Path:
        """Tokens of users no earlier run wrote as (taken from the end of the user range)."""
        self._runs += 1
        last = self.sizes.users - (self._runs - 1) * TOKENS_PER_RUN
        users = range(max(1, last - TOKENS_PER_RUN + 1), last + 1)
        return self._write(f"writers{self._runs}", [access_token(i) for i in users])

    def args(self, route: str) -> tuple[Path, Path | None]:
        if route == "entity":
            return self.entities, None
        if route == "near":
            return self.points, None
        if route == "notifications":
            return self.entities, self.readers
        if route == "follow":
            return self.entities, self.fresh_writers()
        return self.ticket_types, self.fresh_writers()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its descendants (a server's worker) so far."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for member in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run_wrk(
    wrk: str,
    base: str,
    route: str,
    inputs: Inputs,
    seconds: float,
    connections: int,
    server_pid: int | None = None,
) -> dict[str, float]:
    ids, tokens = inputs.args(route)
    script = inputs.folder / f"{route}.lua"
    script.write_text(
        LUA % {"kind": route, "seed": random.randrange(1_000_000), "radius": RADIUS_KM}
    )
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base,
        "--",
        str(ids),
        str(tokens) if tokens else "-",
    ]
    cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    cpu = cpu_seconds(server_pid) - cpu_before if server_pid else 0.0
    line = next((x for x in output.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{output.stdout}\n{output.stderr}")
    raw = json.loads(line.removeprefix("RESULT "))
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "requests": raw["requests"],
        "errors": errors,
        "cpu_ms": 1000 * cpu / raw["requests"] if raw["requests"] else 0.0,
    }


async def check_same_json(api: str, ceiling: str, inputs: Inputs) -> None:
    """One request per route to both apps: same status and same JSON structure."""
    token = {"Authorization": f"Bearer {inputs.readers.read_text().split()[0]}"}
    writer = {"Authorization": f"Bearer {access_token(inputs.sizes.users)}"}
    point = inputs.points.read_text().split()[0]
    calls = {
        "entity": ("GET", f"/entities/{entity_id(1)}", {}, None),
        "near": ("GET", f"/events?near={point}&radius_km={RADIUS_KM}", {}, None),
        "notifications": ("GET", "/notifications", token, None),
        "follow": ("PUT", f"/entities/{entity_id(2)}/follow", writer, None),
        "order": (
            "POST",
            "/orders",
            writer,
            {"items": [{"ticket_type_id": str(ticket_type_id(1)), "quantity": 1}]},
        ),
    }
    async with httpx.AsyncClient() as http:
        for route, (method, path, headers, body) in calls.items():
            a = await http.request(method, api + path, headers=headers, json=body)
            b = await http.request(method, ceiling + path, headers=headers, json=body)
            if a.status_code != b.status_code or shape(a.json()) != shape(b.json()):
                raise SystemExit(
                    f"{route}: the ceiling does not answer like the API:\n"
                    f"API {a.status_code} {a.text[:500]}\nceiling {b.status_code} {b.text[:500]}"
                )


async def measure_server(
    server: str,
    wrk: str,
    inputs: Inputs,
    url: str,
    dsn: str,
    nats_url: str,
    seconds: float,
    warmup: float,
    connections: int,
    folder: Path,
    routes: list[str],
) -> dict[str, dict[str, dict[str, float]]]:
    env = {
        **os.environ,
        "SHOWGEO_ENV": "test",
        "DATABASE_URL": url,
        "NATS_URL": nats_url,
        "EMBEDDED_WORKER": "false",
        "JWT_SECRET": JWT_SECRET,
        "ACCESS_TOKEN_TTL_SECONDS": "7200",
        "CEILING_DSN": dsn,
        # 10 connections each (2 x 5), API and ceiling alike: the PostgreSQL server is shared
        # (max_connections 100) and wrk's 32 connections queue for them the same way.
        "DATABASE_POOL_SIZE": "5",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
    }
    api_port, ceiling_port = free_port(), free_port()
    api_log, ceiling_log = folder / f"api-{server}.log", folder / f"ceiling-{server}.log"
    api = subprocess.Popen(  # noqa: ASYNC220 (servers for the whole run)
        [showgeo_command(), "serve", "--server", server, "--port", str(api_port)],
        env=env,
        cwd=ROOT,
        stdout=api_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    ceiling = subprocess.Popen(  # noqa: ASYNC220
        [
            sys.executable,
            str(HERE / "ceiling_app.py"),
            "--server",
            server,
            "--port",
            str(ceiling_port),
        ],
        env=env,
        cwd=ROOT,
        stdout=ceiling_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    results: dict[str, dict[str, dict[str, float]]] = {}
    try:
        bases = {
            "api": f"http://127.0.0.1:{api_port}",
            "ceiling": f"http://127.0.0.1:{ceiling_port}",
        }
        await wait_ready(bases["api"], api, api_log)
        await wait_ready(bases["ceiling"], ceiling, ceiling_log)
        await check_same_json(bases["api"], bases["ceiling"], inputs)
        pids = {"api": api.pid, "ceiling": ceiling.pid}
        for route in routes:
            results[route] = {}
            for app in ("api", "ceiling"):
                if warmup > 0:
                    await asyncio.to_thread(
                        run_wrk, wrk, bases[app], route, inputs, warmup, connections
                    )
                try:
                    figures = await asyncio.to_thread(
                        run_wrk, wrk, bases[app], route, inputs, seconds, connections, pids[app]
                    )
                except SystemExit:
                    log = api_log if app == "api" else ceiling_log
                    exited = (api if app == "api" else ceiling).poll()
                    print(
                        f"{app} server (exit code {exited}) log tail:\n"
                        f"{log.read_text(errors='replace')[-4000:]}",
                        flush=True,
                    )
                    raise
                figures["load"] = os.getloadavg()[0]
                results[route][app] = figures
                print(
                    f"{server} {LABELS[route]:28} {app:8} {figures['rps']:8.0f} req/s  "
                    f"p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
                    f"CPU {figures['cpu_ms']:.2f} ms/req  errors {figures['errors']:.0f}  "
                    f"(load {load_average()})",
                    flush=True,
                )
    finally:
        stop_process(api)
        stop_process(ceiling)
    return results


def summarise(
    all_results: dict[str, dict[str, dict[str, dict[str, float]]]],
    chosen: str,
    sizes: Sizes,
    seconds: float,
    connections: int,
    seed_seconds: float,
) -> Result:
    results = all_results[chosen]
    ratios = {r: results[r]["api"]["rps"] / results[r]["ceiling"]["rps"] for r in ROUTES}
    errors = sum(results[r][a]["errors"] for r in ROUTES for a in ("api", "ceiling"))
    met_each = {r: ratios[r] >= (WRITE_TARGET if r in WRITES else READ_TARGET) for r in ROUTES}
    worst_read = min(ratios[r] for r in ROUTES if r not in WRITES)
    worst_write = min(ratios[r] for r in WRITES)
    details = []
    for server, per_route in all_results.items():
        for r in ROUTES:
            a, c = per_route[r]["api"], per_route[r]["ceiling"]
            target = WRITE_TARGET if r in WRITES else READ_TARGET
            details.append(
                f"{server} {LABELS[r]}: API {a['rps']:.0f} req/s (p50 {a['p50_ms']:.1f} ms, p99 "
                f"{a['p99_ms']:.1f} ms) / ceiling {c['rps']:.0f} req/s (p50 {c['p50_ms']:.1f} "
                f"ms, p99 {c['p99_ms']:.1f} ms) = **{a['rps'] / c['rps']:.2f}** "
                f"(target {target}); server CPU per request {a['cpu_ms']:.2f} / "
                f"{c['cpu_ms']:.2f} ms (ratio {c['cpu_ms'] / a['cpu_ms']:.2f}); errors "
                f"{a['errors']:.0f}/{c['errors']:.0f}; load {a['load']:.1f}"
            )
    if len(all_results) > 1:
        totals = {s: sum(all_results[s][r]["api"]["rps"] for r in ROUTES) for s in all_results}
        details.append(
            "servers compared (sum of the API's req/s over the five routes): "
            + ", ".join(f"{s} {t:.0f}" for s, t in totals.items())
        )
    details.append(
        f"wrk: 1 thread, {connections} connections, {seconds:.0f} s per route and app after a "
        f"warm-up; server: 1 worker process; data filled in {seed_seconds:.0f} s"
    )
    details.append(f"machine: {machine()}")
    return Result(
        name=f"API reads and writes ({chosen}, vs bare Litestar + asyncpg)",
        figure=", ".join(
            f"{LABELS[r].split(' ', 1)[1].split('?')[0].replace('/{id}', '')} "
            f"{results[r]['api']['rps']:.0f}/s p99 {results[r]['api']['p99_ms']:.0f} ms"
            for r in ROUTES
        ),
        ceiling=", ".join(f"{results[r]['ceiling']['rps']:.0f}/s" for r in ROUTES),
        ratio=round(min(worst_read / READ_TARGET, worst_write / WRITE_TARGET), 2),
        target=(
            f"reads ≥ {READ_TARGET} x, writes ≥ {WRITE_TARGET} x the ceiling; ratio: the worst "
            "route's ratio / its target (≥ 1 met); per route: "
            + ", ".join(f"{r} {ratios[r]:.2f}" for r in ROUTES)
        ),
        met=all(met_each.values()) and errors == 0,
        size=sizes.describe(),
        details=details,
    )


async def run(args: argparse.Namespace) -> Result | None:
    raise_open_files()
    wrk = ensure_wrk()
    sizes = Sizes.quick() if args.quick else Sizes.full()
    seconds = args.seconds or (4.0 if args.quick else 15.0)
    warmup = 1.0 if args.quick else 3.0
    servers = [
        s.strip()
        for s in (args.servers or ("uvicorn" if args.quick else "granian,uvicorn")).split(",")
        if s.strip()
    ]
    async with fresh_database("showgeo_bench_api") as (dsn, url):
        seed_seconds = await fill(dsn, sizes)
        print(f"filled {sizes.describe()} in {seed_seconds:.0f} s", flush=True)
        with throwaway_nats() as nats, tempfile.TemporaryDirectory() as folder:
            await nats.ready()
            inputs = Inputs(Path(folder), sizes)
            all_results = {}
            for server in servers:
                all_results[server] = await measure_server(
                    server,
                    wrk,
                    inputs,
                    url,
                    dsn,
                    nats.url,
                    seconds,
                    warmup,
                    args.connections,
                    Path(folder),
                    args.routes,
                )
    if args.routes != ROUTES:
        return None  # a partial run, for profiling: its figures are printed above
    chosen = max(all_results, key=lambda s: sum(all_results[s][r]["api"]["rps"] for r in ROUTES))
    return summarise(all_results, chosen, sizes, seconds, args.connections, seed_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, uvicorn only")
    parser.add_argument("--servers", default=None, help="granian,uvicorn (default: quick uvicorn)")
    parser.add_argument("--seconds", type=float, default=None, help="per route and app")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--json", default=None, help="write the result here")
    parser.add_argument(
        "--routes",
        default=",".join(ROUTES),
        type=lambda text: [r for r in text.split(",") if r],
        help=f"some of {','.join(ROUTES)} (a partial run prints its figures, writes no result)",
    )
    args = parser.parse_args()
    if unknown := set(args.routes) - set(ROUTES):
        parser.error(f"unknown routes: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    result = asyncio.run(run(args))
    print(f"took {time.monotonic() - started:.0f} s", flush=True)
    if result is not None:
        result.write(args.json)


if __name__ == "__main__":
    sys.exit(main())
