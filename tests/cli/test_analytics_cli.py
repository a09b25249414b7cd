"""`showgeo analytics recompute`: after `showgeo demo`, a recompute with a progress bar; an
admin then sees platform and entity summaries whose score is the formula by hand. While
another recompute runs, the command refuses in one line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from showgeo_api.processes.cli import main
from showgeo_api.processes.demo import ENTITIES as DEMO_ENTITIES
from showgeo_api.settings import load_settings
from showgeo_api.wiring.container import bootstrap, start, stop
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

    async def read() -> tuple[
        dict[str, ScoreInputs], dict[str, float], dict[str, float], int, list[tuple[str, str]]
    ]:
        container = bootstrap(load_settings(env, env_file=None))
        await start(container)
        try:
            admin = Actor(user_id=new_id(), roles=frozenset({Role.USER, Role.ADMIN}))
            analytics = container.analytics()
            inputs, scores, normalised = {}, {}, {}
            for slug, *_ in DEMO_ENTITIES:
                entity = await analytics.entity(admin, slug, None, None)
                inputs[slug] = entity.current.score_inputs()
                scores[slug] = entity.current.score()
                normalised[slug] = entity.current.values.get("normalised_score", 0.0)
            platform = await analytics.platform(admin, None, None)
            ana = await container.profiles().get("ana")
            picks = await analytics.recommended_entities(ana.as_actor(), 10)
            chosen = [(p.entity.slug, p.reason) for p in picks]
            return inputs, scores, normalised, platform.current.count(Metric.USERS), chosen
        finally:
            await stop(container)

    inputs, scores, normalised, users, for_ana = asyncio.run(read())
    # cleo, dev and eli follow the Night Owls in the demo; nothing is sold or streamed there
    assert inputs["night-owls"].followers == 3
    assert {slug: inputs[slug].followers for slug in inputs} == {
        slug: len(followers) for slug, *_, followers in DEMO_ENTITIES
    }
    weights = {
        "followers": 0.3,
        "viewers": 0.25,
        "store_revenue": 0.2,
        "tickets_sold": 0.15,
        "notifications_sent": 0.1,
    }
    for slug, entity_inputs in inputs.items():
        values = msgspec.structs.asdict(entity_inputs)
        assert scores[slug] == pytest.approx(sum(w * values[k] for k, w in weights.items()))
    # normalised by hand: each input over its largest value across the entities, the
    # weighted sum over the sum of the weights
    tops = {k: max(msgspec.structs.asdict(i)[k] for i in inputs.values()) for k in weights}
    for slug, entity_inputs in inputs.items():
        values = msgspec.structs.asdict(entity_inputs)
        by_hand = sum(w * values[k] / tops[k] for k, w in weights.items() if tops[k] > 0)
        assert normalised[slug] == pytest.approx(by_hand / sum(weights.values()))
    assert 0 < normalised["night-owls"] <= 1
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
