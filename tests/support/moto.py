"""A real S3-speaking server for tests: moto in server mode on a free 127.0.0.1 port.

One server per test session (`moto_server` fixture); each test gets its own bucket. moto is a
dev dependency: if it cannot start the test fails under `CI=true` and is skipped elsewhere.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest

from showgeo_adapters.s3 import S3ObjectStorage

ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unavailable(reason: str) -> None:
    message = f"moto_server could not start: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """The endpoint URL of a moto server started for this session."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _unavailable(f"no answer on port {port}")
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


@asynccontextmanager
async def s3_storage(endpoint: str, **options: object) -> AsyncIterator[S3ObjectStorage]:
    """An adapter on a fresh bucket of the moto server."""
    storage = S3ObjectStorage(
        f"test-{uuid.uuid4().hex[:12]}",
        endpoint_url=endpoint,
        region=REGION,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        **options,  # type: ignore[arg-type]
    )
    try:
        await storage.ensure_bucket()
        yield storage
    finally:
        await storage.aclose()
