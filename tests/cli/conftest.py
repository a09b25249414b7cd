"""Fixtures of the command-line tests."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture(autouse=True)
def root_logger_without_stale_streams() -> None:
    """Each `CliRunner.invoke` swaps `sys.stderr` for a buffer it closes afterwards, and an app
    or command built meanwhile (Litestar's logging config, `basicConfig`) binds the root
    logger's handler to that buffer. A later command then logs into a closed file. Earlier
    tests (tests/docs) leave such handlers behind, so every test here starts with pytest's
    own handlers only."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if not type(handler).__module__.startswith("_pytest"):
            root.removeHandler(handler)
