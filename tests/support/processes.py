"""Real processes for end-to-end and fault tests: a throwaway NATS server that can be
stopped and started again on the same port and store, and `showgeo` commands.

Tests that stop a service never touch the machine's shared ones (ARCHITECTURE.md §7).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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
