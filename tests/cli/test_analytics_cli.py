"""`showgeo analytics recompute`: after `showgeo demo`, a recompute with a progress bar; an
admin then sees platform and entity summaries whose score is the formula by hand. While
another recompute runs, the command refuses in one line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from showgeo_api.cli import main
from showgeo_api.container import bootstrap, start, stop
from showgeo_api.settings import load_settings
from showgeo_domain.analytics.jobs import JobTrigger
from showgeo_domain.analytics.score import ScoreInputs
from showgeo_domain.analytics.summaries import Metric
from showgeo_domain.identity.model import Actor, Role
from showgeo_domain.shared.ids import new_id


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "ARGON2_MEMORY_KIB": "8",
        "ARGON2_TIME_COST": "1",
        "ARGON2_PARALLELISM": "1",
    }


def test_recompute_after_the_demo(env: dict[str, str]) -> None:
    assert CliRunner().invoke(main, ["demo"], env=env).exit_code == 0
    result = CliRunner().invoke(main, ["analytics", "recompute"], env=env)
    assert result.exit_code == 0, result.output
    assert "100%" in result.output
    assert "analytics recomputed" in result.output

    async def read() -> tuple[ScoreInputs, float, float, int, list[tuple[str, str]]]:
        container = bootstrap(load_settings(env, env_file=None))
        await start(container)
        try:
            admin = Actor(user_id=new_id(), roles=frozenset({Role.USER, Role.ADMIN}))
            analytics = container.analytics()
            entity = await analytics.entity(admin, "night-owls", None, None)
            platform = await analytics.platform(admin, None, None)
            normalised = entity.current.values["normalised_score"]
            inputs = entity.current.score_inputs()
            ana = await container.profiles().get("ana")
            picks = await analytics.recommended_entities(ana.as_actor(), 10)
            chosen = [(p.entity.slug, p.reason) for p in picks]
            return (
                inputs,
                entity.current.score(),
                normalised,
                platform.current.count(Metric.USERS),
                chosen,
            )
        finally:
            await stop(container)

    inputs, score, normalised, users, for_ana = asyncio.run(read())
    assert inputs.followers == 3  # cleo, dev and eli follow the Night Owls in the demo
    by_hand = (
        0.3 * inputs.followers
        + 0.25 * inputs.viewers
        + 0.2 * inputs.store_revenue
        + 0.15 * inputs.tickets_sold
        + 0.1 * inputs.notifications_sent
    )
    assert score == pytest.approx(by_hand)
    assert 0 < normalised <= 1
    assert users == 8
    # ana follows Cleo Live, whose followers ben and dev also follow Porto Jazz
    assert ("porto-jazz", "similar") in for_ana
    assert not {"harbour-hall", "cleo-live"} & {slug for slug, _ in for_ana}  # already followed


def test_recompute_refuses_while_another_runs(env: dict[str, str]) -> None:
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env).exit_code == 0

    async def queue() -> None:
        container = bootstrap(load_settings(env, env_file=None))
        await start(container)
        try:
            await container.recompute().request(JobTrigger.API)
        finally:
            await stop(container)

    asyncio.run(queue())
    result = CliRunner().invoke(main, ["analytics", "recompute"], env=env)
    assert result.exit_code == 1
    assert "already queued" in result.output
    assert "Traceback" not in result.output
