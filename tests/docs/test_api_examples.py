"""docs/api.md's examples work as printed, against a live `showgeo serve` on a free port.

The page's `bash` blocks run in order in one shell (curl and jq, as a reader would paste
them), and its `python` blocks run in order as one program (httpx and websockets). Only the
address changes: the page says http://127.0.0.1:8000, the test's server listens elsewhere.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.docs.markdown import code_blocks, program

PAGE = "api.md"
DOCUMENTED = "http://127.0.0.1:8000"
SHOWGEO = Path(sys.executable).parent / "showgeo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`showgeo serve` with the embedded defaults (SQLite in a temp folder, in-process bus,
    localpay), fast password hashing and no auth rate limit; its address."""
    home = tmp_path_factory.mktemp("api-examples")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{home / 'showgeo.db'}",
        PUBLIC_BASE_URL=url,
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_KIB="8",
        ARGON2_PARALLELISM="1",
        AUTH_RATE_LIMIT_PER_CLIENT="10000",
        AUTH_RATE_LIMIT_PER_ACCOUNT="10000",
    )
    process = subprocess.Popen(  # noqa: S603
        [str(SHOWGEO), "serve", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                raise AssertionError(f"showgeo serve did not start:\n{output}")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and the workers it forked
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout:
            process.stdout.close()


def test_the_page_has_both_kinds_of_examples() -> None:
    python, bash = code_blocks(PAGE, "python"), code_blocks(PAGE, "bash")
    for topic in ("/auth/refresh", "Idempotency-Key", "next_cursor", "/notifications?token="):
        assert any(topic in block for block in python), topic
    for topic in ("/auth/refresh", "Idempotency-Key", "next_cursor", "cursor="):
        assert any(topic in block for block in bash), topic


def test_the_curl_examples_run(server: str) -> None:
    script = "set -euo pipefail\n" + "\n".join(code_blocks(PAGE, "bash"))
    done = subprocess.run(  # noqa: S603
        ["/bin/bash", "-c", script.replace(DOCUMENTED, server)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    compact = done.stdout.replace(" ", "")
    assert '"username":"cleo"' in compact
    assert '"status":400' in compact
    assert '"field":"slug"' in compact
    slugs = [line for line in lines if line.startswith("cleo-")]
    assert slugs == ["cleo-three", "cleo-two", "cleo-one"]
    order_ids = lines[-2:]
    assert len(set(order_ids)) == 1, lines


def test_the_python_examples_run(server: str) -> None:
    source = program(PAGE, "python").replace(DOCUMENTED, server)
    module = types.ModuleType("showgeo_api_examples")
    exec(compile(source, f"docs/{PAGE}", "exec"), module.__dict__)  # noqa: S102
    assert module.slugs == ["ana-three", "ana-two", "ana-one"]
