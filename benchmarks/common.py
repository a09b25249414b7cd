"""What the benchmarks share: throwaway services, the machine, timings and result files.

Every benchmark works on things it creates and removes itself: a fresh PostgreSQL database
on the local server (SHOWGEO_BENCH_POSTGRES, default 127.0.0.1:5432, dropped afterwards), a
`nats-server -js` of its own on a free 127.0.0.1 port (its store in a temporary folder,
stopped afterwards), `showgeo` processes it starts and stops. It never stops a shared service.

A benchmark script prints what it measures and, with `--json PATH`, writes a `Result`
(`benchmarks/run.py` collects them into docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("SHOWGEO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


@dataclass
class Result:
    """One benchmark's outcome, as docs/benchmarks.md shows it.

    `ratio` is figure / ceiling, both measured in the same run; `met` compares it (or, for
    benchmarks without a ceiling, the figure) with `target`."""

    name: str
    figure: str
    ceiling: str
    ratio: float | None
    target: str
    met: bool
    size: str
    details: list[str] = field(default_factory=list)
    measured_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )

    def write(self, path: str | None) -> None:
        print(json.dumps(asdict(self), indent=2), flush=True)
        if path:
            Path(path).write_text(json.dumps(asdict(self), indent=2))


def machine() -> str:
    """Cores and CPU model (from /proc/cpuinfo), memory, Python: the figures' context."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}{memory}, Python {platform.python_version()}"


def raise_open_files() -> int:
    """The soft open-file limit up to the hard one (children inherit it); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of `values` (not empty)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


# --- PostgreSQL ----------------------------------------------------------------------------


@asynccontextmanager
async def fresh_database(prefix: str = "showgeo_bench") -> AsyncIterator[tuple[str, str]]:
    """A new empty database, migrated to head: yields (asyncpg DSN, SQLAlchemy URL); dropped
    afterwards."""
    from showgeo_adapters.sqlalchemy import upgrade

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres", timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = f"{SERVER}/{name}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        await upgrade(url)
        yield dsn, url
    finally:
        admin = await asyncpg.connect(f"{SERVER}/postgres", timeout=10)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


USERS_SQL = """
INSERT INTO users (id, email, username, password_hash, display_name, is_private, roles,
                   created_at, updated_at)
SELECT md5('u' || i)::uuid, 'u' || i || '@bench.example', 'u' || i, 'x', 'User ' || i,
       false, 'USER', now(), now()
FROM generate_series(1, $1::int) i
"""

ENTITY_SQL = """
INSERT INTO entities (id, name, slug, kind, verified, follower_count, created_at, updated_at)
VALUES ($1, 'The Bench Band', 'bench-band', 'CREATOR', false, $2, now(), now())
"""

FOLLOWS_SQL = """
INSERT INTO follows (user_id, entity_id, created_at)
SELECT md5('u' || i)::uuid, $1, now() FROM generate_series(1, $2::int) i
"""


def user_id(i: int) -> uuid.UUID:
    """The id `USERS_SQL` gives user number `i` (1-based): md5('u' || i) as a uuid."""
    import hashlib

    return uuid.UUID(hashlib.md5(f"u{i}".encode()).hexdigest())


async def fill_followers(dsn: str, followers: int) -> uuid.UUID:
    """`followers` users, one entity they all follow; returns the entity id. Set-based
    (`generate_series`), then ANALYZE so plans are those of a live database."""
    entity_id = uuid.uuid4()
    conn = await asyncpg.connect(dsn)
    try:
        # The generated ids match by construction: skip the per-row foreign-key triggers
        # while filling (needs a superuser, as on a development server with trust auth).
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(USERS_SQL, followers)
        await conn.execute(ENTITY_SQL, entity_id, followers)
        await conn.execute(FOLLOWS_SQL, entity_id, followers)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return entity_id


# --- NATS ----------------------------------------------------------------------------------


class ThrowawayNats:
    """`nats-server -js` on a free 127.0.0.1 port, its store in a temporary folder."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if not Path(NATS_SERVER).exists():
            raise SystemExit(f"nats-server is needed at {NATS_SERVER}")
        self._process = subprocess.Popen(
            [
                NATS_SERVER,
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-js",
                "-sd",
                str(self._directory / "jetstream"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self._directory / "nats.log").open("ab"),
        )

    def stop(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    async def ready(self, within: float = 15.0) -> None:
        async with asyncio.timeout(within):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                except OSError:
                    await asyncio.sleep(0.05)
                    continue
                writer.close()
                return


@contextmanager
def throwaway_nats() -> Iterator[ThrowawayNats]:
    with tempfile.TemporaryDirectory(prefix="showgeo-bench-nats-") as directory:
        server = ThrowawayNats(Path(directory))
        server.start()
        try:
            yield server
        finally:
            server.stop()


# --- processes -----------------------------------------------------------------------------


def showgeo_command() -> str:
    return str(Path(sys.executable).parent / "showgeo")


def tree_rss_kib(pid: int) -> int:
    """Resident memory of `pid` and all its descendants (a server's workers), in KiB."""
    total = 0
    for member in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    queue = [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def stop_process(process: subprocess.Popen[Any], timeout: float = 20.0) -> None:
    """SIGINT (a server's graceful stop), then SIGKILL if it does not end in `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until `base` answers /health/ready; a process that exits first ends the benchmark with
    the tail of its log (a server that cannot start is the answer, not a timeout)."""
    async with httpx.AsyncClient(base_url=base) as http, asyncio.timeout(120):
        while True:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]  # noqa: ASYNC240
                raise SystemExit(f"{process.args!r} exited:\n{tail}")
            try:
                if (await http.get("/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
