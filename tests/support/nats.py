"""JetStream buses for tests: a stream and subject prefix of their own, deleted after.

Without a reachable server the test is skipped on a developer machine and fails under
`CI=true`, where a missing service is a broken build, never a silent skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import nats
import pytest

from showgeo_adapters.nats import JetStreamBus

NATS_URL = os.environ.get("SHOWGEO_TEST_NATS", "nats://127.0.0.1:4222")


def _unavailable(reason: str) -> None:
    message = f"NATS with JetStream is needed at {NATS_URL}: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@asynccontextmanager
async def jetstream_bus(**options: Any) -> AsyncIterator[JetStreamBus]:
    name = f"t{uuid.uuid4().hex[:12]}"
    bus = JetStreamBus(NATS_URL, stream=name.upper(), subject_prefix=name, **options)
    try:
        await bus.connect()
    except Exception as exc:
        await bus.close()
        _unavailable(f"{type(exc).__name__}: {exc}")
        raise  # unreachable: skip/fail raise
    try:
        yield bus
    finally:
        await bus.close()
        nc = await nats.connect(NATS_URL)
        try:
            await nc.jetstream().delete_stream(bus.stream)
        finally:
            await nc.close()
