"""`showgeo worker` killed (SIGKILL) in the middle of a job, then started again: the job
finishes when the worker returns, nothing is left half-written and nothing is made twice.

- An analytics recompute killed while it builds the interaction vectors (the day's summaries
  are half-written then, and the job says RUNNING with nobody running it): once its lease
  has run out the new worker runs it again from the start; it ends SUCCEEDED with every
  summary exact, one `recomputed` mark and one neighbour set.
- An image-variant job killed while Pillow renders a 16-megapixel photo: the JetStream
  message was never acked, so it is delivered again to the new worker, which makes the
  variants; the asset ends READY with each variant stored once and nothing else on disk.

Real processes on PostgreSQL and a throwaway NATS, with a short lease and ack wait (2 s).
About a minute in all, so it runs in `nox -s hardening` (tests/conftest.py leaves it out of
the everyday run); tests/contract/test_recompute_lease.py covers the lease in-process.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import nats
import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.nats.bus import durable_name
from showgeo_adapters.sqlalchemy import upgrade
from showgeo_adapters.sqlalchemy.tables import analytics_neighbours, follows, outbox
from showgeo_api.settings import Settings
from showgeo_api.wiring.container import Container, bootstrap
from showgeo_domain.analytics.jobs import JobStatus, JobTrigger, RecomputeJob
from showgeo_domain.analytics.summaries import PLATFORM_ID, Metric, Scope, series
from showgeo_domain.assets.domain_events import AssetProcessed
from showgeo_domain.assets.handlers import VARIANTS_CONSUMER
from showgeo_domain.assets.model import AssetStatus, AssetVisibility
from showgeo_domain.assets.services import AssetRequest
from showgeo_domain.identity.model import Actor
from tests.contract.builders import a_user, an_entity
from tests.support.postgres import fresh_database
from tests.support.processes import ShowgeoProcess, throwaway_nats

pytestmark = pytest.mark.postgres

FANS = 3_000
CLUBS = 40
LEASE = 2.0
T = TypeVar("T")


def worker_env(database_url: str, nats_url: str, assets: Path) -> dict[str, str]:
    return {
        "SHOWGEO_ENV": "test",
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "EMBEDDED_WORKER": "false",
        "ASSETS_LOCAL_DIR": str(assets),
        "ANALYTICS_JOB_LEASE_SECONDS": str(LEASE),
        "ANALYTICS_USER_CHUNK": "25",  # many small stages: a long, observable recompute
        "NATS_ACK_WAIT_SECONDS": str(LEASE),
    }


def container_for(env: dict[str, str]) -> Container:
    return bootstrap(
        Settings(
            showgeo_env="test",  # type: ignore[arg-type]
            database_url=env["DATABASE_URL"],
            nats_url=env["NATS_URL"],
            assets_local_dir=env["ASSETS_LOCAL_DIR"],
            analytics_job_lease_seconds=LEASE,
        )
    )


async def until(probe: Callable[[], Awaitable[T | None]], within: float, what: str) -> T:
    """Poll `probe` every 20 ms until it returns something."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = await probe()
        if found is not None:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"waited {within} s for {what}")


async def test_a_recompute_killed_half_way_is_finished_by_the_next_worker(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    rng = np.random.default_rng(7)
    async with fresh_database() as database_url:
        await upgrade(database_url)
        with throwaway_nats(tmp_path) as nats_server:
            await nats_server.ready()
            env = worker_env(database_url, nats_server.url, tmp_path / "assets")
            container = container_for(env)
            uow, engine = container.uow(), container.engine()
            clubs = [an_entity(clock, f"club-{n:02d}") for n in range(CLUBS)]
            async with uow() as unit:
                for club in clubs:
                    await unit.entities.add(club)
                for n in range(FANS):
                    fan = a_user(clock, f"fan_{n:05d}")
                    fan.pull_events()
                    await unit.users.add(fan)
                    for pick in rng.choice(CLUBS, size=3, replace=False).tolist():
                        await unit.follows.add(fan.id, clubs[pick].id, clock.tick())
                await unit.commit()
            # An API process queued the recompute and died before running it.
            job, _ = await container.recompute().request(JobTrigger.API)

            async def job_now() -> RecomputeJob:
                async with uow() as unit:
                    found = await unit.analytics.get_job(job.id)
                assert found is not None
                return found

            async def recomputed_days() -> int:
                day = datetime.now(UTC).date()  # the worker's clock is the real one
                async with uow() as unit:
                    _, days = await unit.analytics.metric_rows(
                        Scope.PLATFORM, PLATFORM_ID, day, day
                    )
                return len(days)

            async def mid_vectors() -> RecomputeJob | None:
                now = await job_now()
                building = now.stage == "building interaction vectors" and now.progress > 0.32
                return now if now.attempts == 2 and building else None

            first = ShowgeoProcess(["worker"], env, tmp_path / "worker1.log")
            try:
                seen = await until(mid_vectors, 90, "the first worker to take the job over")
                first.kill()
            finally:
                first.stop()
            killed_at = time.monotonic()
            await asyncio.sleep(LEASE * 1.5)  # what the dead worker left: still "running"
            stuck = await job_now()
            assert (stuck.status, stuck.attempts) == (JobStatus.RUNNING, 2)
            assert await recomputed_days() == 0  # the day's summaries are half-written

            async def finished() -> RecomputeJob | None:
                now = await job_now()
                return None if now.status.is_active else now

            second = ShowgeoProcess(["worker"], env, tmp_path / "worker2.log")
            try:
                done = await until(finished, 120, "the second worker to finish the job")
            finally:
                second.stop()
            recovered_in = time.monotonic() - killed_at
            assert (done.status, done.attempts, done.progress) == (JobStatus.SUCCEEDED, 3, 1.0), (
                done,
                second.output()[-3000:],
            )

            assert done.finished_at is not None
            day = done.finished_at.date()
            async with engine.connect() as connection:
                total = int(await connection.scalar(select(func.count()).select_from(follows)) or 0)
                per_club = dict(
                    (
                        await connection.execute(
                            select(follows.c.entity_id, func.count()).group_by(follows.c.entity_id)
                        )
                    ).all()
                )
                generations = (
                    await connection.execute(
                        select(func.count(func.distinct(analytics_neighbours.c.generation)))
                    )
                ).scalar_one()
            async with uow() as unit:
                rows, days = await unit.analytics.metric_rows(Scope.PLATFORM, PLATFORM_ID, day, day)
                counted: dict[UUID, int] = {}
                for club in clubs:
                    club_rows, club_days = await unit.analytics.metric_rows(
                        Scope.ENTITY, club.id, day, day
                    )
                    counted[club.id] = series(club_rows, club_days, day, day)[0].count(
                        Metric.FOLLOWERS
                    )
            await engine.dispose()
    assert series(rows, days, day, day)[0].count(Metric.FOLLOWS) == total == FANS * 3
    assert counted == per_club
    assert days == [day]
    assert generations == 1
    print(
        f"\nrecompute of {FANS} fans x {CLUBS} clubs killed at {seen.progress:.0%} "
        f"({seen.stage}); finished by the next worker {recovered_in:.1f} s after the kill "
        f"(lease {LEASE:.0f} s), attempt {done.attempts}"
    )


def big_photo(side: int = 4000) -> bytes:
    """A noisy 16-megapixel JPEG: Pillow takes seconds to render its variants."""
    pixels = np.random.default_rng(3).integers(0, 255, (side, side, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


async def in_pieces(data: bytes, size: int = 1 << 20) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


async def test_a_variant_job_killed_mid_render_is_redone_once_by_the_next_worker(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with fresh_database() as database_url:
        await upgrade(database_url)
        with throwaway_nats(tmp_path) as nats_server:
            await nats_server.ready()
            folder = tmp_path / "assets"
            env = worker_env(database_url, nats_server.url, folder)
            container = container_for(env)
            uow, engine = container.uow(), container.engine()
            owner = a_user(clock, "photographer")
            async with uow() as unit:
                await unit.users.add(owner)
                await unit.commit()
            client = await nats.connect(nats_server.url)
            jetstream = client.jetstream()
            durable = durable_name(VARIANTS_CONSUMER)

            async def variants_consumer() -> tuple[int, int] | None:
                try:
                    info = await jetstream.consumer_info("SHOWGEO", durable)
                except Exception:  # not subscribed yet
                    return None
                return info.num_ack_pending, info.delivered.consumer_seq if info.delivered else 0

            async def rendering() -> bool | None:
                found = await variants_consumer()
                return True if found is not None and found[0] >= 1 else None

            first = ShowgeoProcess(["worker"], env, tmp_path / "worker1.log")
            try:
                await until(variants_consumer, 60, "the first worker to subscribe")
                asset = await container.assets().upload(
                    Actor(owner.id), AssetRequest(AssetVisibility.PUBLIC), in_pieces(big_photo())
                )
                assert asset.status is AssetStatus.PROCESSING
                await until(rendering, 60, "the first worker to take the variant job")
                first.kill()
            finally:
                first.stop()
            killed_at = time.monotonic()
            stuck = await container.assets().describe(Actor(owner.id), asset.id)
            assert stuck.status is AssetStatus.PROCESSING

            async def ready() -> AssetStatus | None:
                now = await container.assets().describe(Actor(owner.id), asset.id)
                return None if now.status is AssetStatus.PROCESSING else now.status

            second = ShowgeoProcess(["worker"], env, tmp_path / "worker2.log")
            try:
                status = await until(ready, 120, "the second worker to make the variants")
                await asyncio.sleep(LEASE * 1.5)  # a second delivery would show up now
                consumer = await variants_consumer()
            finally:
                second.stop()
                await client.close()
            recovered_in = time.monotonic() - killed_at
            assert status is AssetStatus.READY, second.output()[-3000:]
            final = await container.assets().describe(Actor(owner.id), asset.id)
            async with engine.connect() as connection:
                processed = await connection.scalar(
                    select(func.count())
                    .select_from(outbox)
                    .where(outbox.c.subject.like(f"%{AssetProcessed.subject()}"))
                )
            await engine.dispose()
    stored = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert sorted(v.name for v in final.variants) == ["display", "thumbnail"]
    assert stored == sorted([final.key, *(v.key for v in final.variants)])
    assert processed == 1
    assert consumer is not None
    pending, deliveries = consumer
    assert pending == 0
    assert deliveries == 2  # once to the killed worker, once to the next: no third
    print(
        f"\nvariant job of a {final.width}x{final.height} photo killed mid-render; "
        f"redelivered and finished by the next worker {recovered_in:.1f} s after the kill "
        f"(ack wait {LEASE:.0f} s); {len(stored)} objects stored, AssetProcessed once"
    )
