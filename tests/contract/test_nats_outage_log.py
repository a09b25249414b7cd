"""While NATS is down every consumer fails a fetch a second: the log says so once per outage
(and once a minute while it lasts), not once per attempt with a traceback."""

from __future__ import annotations

import logging

import pytest

from showgeo_adapters.nats.bus import _Outage


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_outage_is_told_when_it_starts_and_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="showgeo_adapters.nats.bus")
    outage = _Outage("notifications.live_now")
    outage.over()  # nothing failed: nothing to tell
    for _ in range(5):
        outage.failed(ConnectionRefusedError("connection refused"))
    outage.over()
    outage.over()

    told = _warnings(caplog)
    assert told == [
        "consumer notifications.live_now cannot fetch: ConnectionRefusedError: connection refused",
        told[1],
    ]
    assert told[1].startswith("consumer notifications.live_now fetches again after")
    assert told[1].endswith("(5 failed attempts)")
    tracebacks = [r for r in caplog.records if r.exc_info and r.levelno == logging.DEBUG]
    assert len(tracebacks) == 5  # each attempt's traceback is still there, at DEBUG


def test_a_long_outage_is_recalled_every_minute(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.WARNING, logger="showgeo_adapters.nats.bus")
    clock = iter([0.0, 30.0, 61.0, 90.0, 125.0])
    monkeypatch.setattr("showgeo_adapters.nats.bus.time.monotonic", lambda: next(clock, 125.0))
    outage = _Outage("assets.variants")
    for _ in range(5):
        outage.failed(TimeoutError())
    told = _warnings(caplog)
    assert len(told) == 3  # at 0 s, 61 s and 125 s
    assert "still cannot fetch after 61 s (3 attempts)" in told[1]
    assert "still cannot fetch after 125 s (5 attempts)" in told[2]
