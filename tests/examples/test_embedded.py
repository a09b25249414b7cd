"""The in-process example (examples/embedded.py) runs as documented, in memory and on the
real databases: a follower is told when the entity goes live."""

from __future__ import annotations

import runpy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.postgres import fresh_database

EXAMPLE = Path(__file__).parents[2] / "examples" / "embedded.py"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'embedded.db'}"
    else:
        async with fresh_database() as url:
            yield url


async def test_a_follower_hears_that_the_entity_went_live(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    example = runpy.run_path(str(EXAMPLE))
    lines = await example["main"]()
    assert "LIVE_NOW: The Night Owls is live now" in lines
    assert any(line.startswith("PHASE_UPDATE:") for line in lines)
