"""Real processes for end-to-end and fault tests: a throwaway NATS server that can be
stopped and started again on the same port and store, and `showgeo` commands.

Tests that stop a service never touch the machine's shared ones (ARCHITECTURE.md §7).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import free_port

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


class ThrowawayNats:
    """`nats-server -js` on a free port with its JetStream store in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self._store = directory / "jetstream"
        self._log = directory / "nats.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if not Path(NATS_SERVER).exists():
            message = f"nats-server is needed at {NATS_SERVER}"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        self._process = subprocess.Popen(  # noqa: S603 (our own command line)
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self._store)],
            stdout=subprocess.DEVNULL,
            stderr=self._log.open("ab"),
        )

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), as a restart by an operator would do."""
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            self._process.wait(timeout=20)
            self._process = None

    async def ready(self, within: float = 10.0) -> None:
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
def throwaway_nats(directory: Path) -> Iterator[ThrowawayNats]:
    server = ThrowawayNats(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class ShowgeoProcess:
    """`showgeo <args>` in its own process, with its output in a log file for failures."""

    def __init__(self, args: list[str], env: Mapping[str, str], log: Path) -> None:
        self.log = log
        self._process = subprocess.Popen(  # noqa: S603 (our own command line)
            [str(Path(sys.executable).parent / "showgeo"), *args],
            env={**os.environ, **env},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def kill(self) -> None:
        """SIGKILL: the process dies at once, in the middle of whatever it was doing (no
        signal handler, no cleanup), as under the OOM killer or a lost machine."""
        self._process.kill()
        self._process.wait(timeout=15)

    def exited(self) -> int | None:
        return self._process.poll()

    def wait(self, seconds: float = 60.0) -> int:
        """For commands that end by themselves (`showgeo users create-admin`)."""
        code = self._process.wait(timeout=seconds)
        assert code == 0, self.output()
        return code


async def wait_ready(base_url: str, process: ShowgeoProcess, within: float = 60.0) -> None:
    """Until `GET /health/ready` answers 200 (database and bus up)."""
    async with httpx.AsyncClient(base_url=base_url) as http, asyncio.timeout(within):
        while True:
            if process.exited() is not None:
                raise AssertionError(f"showgeo exited early:\n{process.output()}")
            try:
                if (await http.get("/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


@asynccontextmanager
async def two_apis_and_a_worker(
    directory: Path, database_url: str, nats_url: str
) -> AsyncIterator[list[str]]:
    """The platform as deployed: two `showgeo serve` processes (each on its own port) and a
    `showgeo worker`, on a migrated `database_url` and NATS at `nats_url`. Yields the two API
    base URLs once both answer ready and the worker has had a moment to subscribe."""
    env = {
        "SHOWGEO_ENV": "test",
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "EMBEDDED_WORKER": "false",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "8",
        "ARGON2_PARALLELISM": "1",
    }
    ports = [free_port(), free_port()]
    processes = [
        ShowgeoProcess(["serve", "--port", str(port)], env, directory / f"api{n}.log")
        for n, port in enumerate(ports)
    ]
    processes.append(ShowgeoProcess(["worker"], env, directory / "worker.log"))
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes, strict=False):
            await wait_ready(url, process)
        await asyncio.sleep(1.0)  # the worker subscribes its consumers
        worker = processes[-1]
        assert worker.exited() is None, worker.output()
        yield urls
    finally:
        for process in processes:
            process.stop()


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own in a temporary folder, on a free port, run as the
    `postgres` user (PostgreSQL refuses root), so a test may stop and start it at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="showgeo-pg-"))
        self._data = self.folder / "pgdata"
        self._log = self.folder / "postgres.log"
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            message = "PostgreSQL server binaries are needed under /usr/lib/postgresql"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        self._bin = bins[-1]
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: str) -> None:
        command = [str(self._bin / args[0]), *args[1:]]
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)  # noqa: S603

    def init(self) -> None:
        self._as_postgres("initdb", "-D", str(self._data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        self._as_postgres(
            "pg_ctl",
            "-D",
            str(self._data),
            "-l",
            str(self._log),
            "-w",
            "-o",
            f"-p {self.port} -k {self._data} -c listen_addresses=127.0.0.1",
            "start",
        )

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop")


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres()
    server.init()
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
