"""`GET /metrics`: requests by route template, the token that guards it, the outbox gauges
read at scrape time, and prometheus-client's multiprocess mode across two app processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY, generate_latest

from showgeo_adapters.nats.bus import durable_name
from showgeo_adapters.sqlalchemy.tables import outbox
from showgeo_api import processes
from showgeo_api.app import create_app
from showgeo_api.gateway.hub import SocketHub
from showgeo_api.processes.consumer_metrics import ConsumerMetrics, counted
from showgeo_api.routes.metrics import bus_registry
from showgeo_api.settings import Environment, Settings
from showgeo_api.wiring.container import Container, bootstrap
from showgeo_domain.shared.messaging import OutboxMessage
from tests.support.migrated import sqlite_copy
from tests.support.nats import jetstream_bus
from tests.support.waiting import eventually

ENTITY_ROUTE = "/entities/{ref}"


def _memory(**overrides: object) -> Settings:
    fields: dict[str, object] = {"showgeo_env": Environment.TEST, "database_url": "memory://"}
    return Settings(**{**fields, **overrides})  # type: ignore[arg-type]


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the series `name{labels}` in an exposition, None when it is absent."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        series, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and found == labels:
            return float(value)
    return None


async def test_requests_are_counted_by_route_template_not_by_raw_path() -> None:
    async with AsyncTestClient(app=create_app(_memory())) as client:
        before = sample(
            (await client.get("/metrics")).text,
            "showgeo_http_requests_total",
            route=ENTITY_ROUTE,
            method="GET",
            status="404",
        )
        first, second = uuid.uuid4(), uuid.uuid4()
        assert (await client.get(f"/entities/{first}")).status_code == 404
        assert (await client.get(f"/entities/{second}")).status_code == 404
        response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    counted = sample(
        text, "showgeo_http_requests_total", route=ENTITY_ROUTE, method="GET", status="404"
    )
    assert counted == (before or 0) + 2
    assert str(first) not in text
    assert str(second) not in text
    assert f'route="{ENTITY_ROUTE}"' in text
    assert (
        sample(
            text,
            "showgeo_http_request_duration_seconds_bucket",
            route=ENTITY_ROUTE,
            method="GET",
            le="+Inf",
        )
        or 0
    ) >= 2


async def test_a_set_token_is_required() -> None:
    async with AsyncTestClient(app=create_app(_memory(metrics_token="scrape-me"))) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert wrong.status_code == 401
    assert right.status_code == 200
    assert "showgeo_http_requests_total" in right.text


async def test_production_without_a_token_has_no_metrics_page() -> None:
    production = _memory(showgeo_env=Environment.PRODUCTION, metrics_token=None)
    async with AsyncTestClient(app=create_app(production)) as client:
        assert (await client.get("/metrics")).status_code == 404
    with_token = _memory(showgeo_env=Environment.PRODUCTION, metrics_token="scrape-me")
    async with AsyncTestClient(app=create_app(with_token)) as client:
        assert (await client.get("/metrics")).status_code == 401
        ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert ok.status_code == 200


@pytest.fixture
async def sqlite_container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Container:
    # The embedded relay would publish the test's event on its own within 0.2 s: here it
    # runs once at start and then only when the test drains it.
    monkeypatch.setattr(processes.worker, "RELAY_SECONDS", 3600.0)
    await sqlite_copy(tmp_path / "metrics.db")
    return bootstrap(
        Settings(
            showgeo_env="test",  # type: ignore[arg-type]
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'metrics.db'}",
            assets_local_dir=str(tmp_path / "assets"),
            mail_dir=str(tmp_path / "mail"),
        )
    )


async def test_the_outbox_gauges_follow_an_event_written_then_published(
    sqlite_container: Container,
) -> None:
    container = sqlite_container
    async with AsyncTestClient(app=create_app(container=container)) as client:
        empty = (await client.get("/metrics")).text
        assert sample(empty, "showgeo_outbox_unpublished_events") == 0
        assert sample(empty, "showgeo_outbox_oldest_unpublished_age_seconds") == 0

        engine = container.engine()
        assert engine is not None
        async with engine.begin() as connection:
            await connection.execute(
                outbox.insert().values(
                    id=uuid.uuid4(),
                    subject="showgeo.metrics.probe",
                    payload="{}",
                    occurred_at=datetime.now(UTC) - timedelta(minutes=5),
                )
            )
        waiting = (await client.get("/metrics")).text
        assert sample(waiting, "showgeo_outbox_unpublished_events") == 1
        age = sample(waiting, "showgeo_outbox_oldest_unpublished_age_seconds")
        assert age is not None
        assert 290 <= age <= 600

        assert await container.relay().drain() == 1
        published = (await client.get("/metrics")).text
        assert sample(published, "showgeo_outbox_unpublished_events") == 0
        assert sample(published, "showgeo_outbox_oldest_unpublished_age_seconds") == 0


_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from litestar.testing import AsyncTestClient
    from showgeo_api.app import create_app
    from showgeo_api.settings import Settings

    async def main(requests: int, scrape: bool) -> None:
        settings = Settings(showgeo_env="test", database_url="memory://")
        async with AsyncTestClient(app=create_app(settings)) as client:
            for _ in range(requests):
                assert (await client.get("/health/live")).status_code == 200
            if scrape:
                print((await client.get("/metrics")).text)

    asyncio.run(main(int(sys.argv[1]), sys.argv[2] == "scrape"))
    """
)


def test_multiprocess_mode_sums_what_every_process_counted(tmp_path: Path) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}

    def child(requests: int, mode: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603 (this interpreter, the test's own script)
            [sys.executable, "-c", _CHILD, str(requests), mode],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )

    writers = [child(3, "count"), child(4, "count")]
    for writer in writers:
        writer.communicate(timeout=120)
        assert writer.returncode == 0
    assert len(list(shared.glob("counter_*.db"))) >= 2  # one file per process

    scraper = child(0, "scrape")
    text, _ = scraper.communicate(timeout=120)
    assert scraper.returncode == 0
    assert (
        sample(
            text, "showgeo_http_requests_total", route="/health/live", method="GET", status="200"
        )
        == 7
    )


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_hub_counts_open_sockets_and_frames_sent_and_dropped() -> None:
    hub = SocketHub(queue_size=4)
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    async def close(code: int, reason: str) -> None:
        return None

    opened = value("showgeo_ws_open_sockets")
    frames = value("showgeo_ws_frames_sent_total")
    dropped = value("showgeo_ws_frames_dropped_total")
    user = uuid.uuid4()
    first, second = hub.open(user, send, close), hub.open(user, send, close)
    first.start("hello")
    second.start("hello")
    assert value("showgeo_ws_open_sockets") == opened + 2

    assert hub.push(user, "one") == 2
    await second.shut(1000, "bye")  # closing: the next frame cannot go to it
    assert hub.push(user, "two") == 1
    assert value("showgeo_ws_frames_sent_total") == frames + 3
    assert value("showgeo_ws_frames_dropped_total") == dropped + 1

    hub.forget(second)
    hub.forget(second)  # twice: counted once
    assert value("showgeo_ws_open_sockets") == opened + 1
    await hub.close_all()
    assert value("showgeo_ws_open_sockets") == opened


async def test_consumer_runs_are_counted_by_outcome() -> None:
    async def fine(message: OutboxMessage) -> None:
        return None

    async def broken(message: OutboxMessage) -> None:
        raise RuntimeError("mail server down")

    message = OutboxMessage(uuid.uuid4(), "showgeo.metrics.probe", b"{}", datetime.now(UTC))
    handled = value("showgeo_consumer_handled_total", consumer="metrics.fine")
    failed = value("showgeo_consumer_failed_total", consumer="metrics.broken")
    await counted("metrics.fine", fine)(message)
    await counted("metrics.fine", fine)(message)
    with pytest.raises(RuntimeError):
        await counted("metrics.broken", broken)(message)
    assert value("showgeo_consumer_handled_total", consumer="metrics.fine") == handled + 2
    assert value("showgeo_consumer_failed_total", consumer="metrics.broken") == failed + 1
    assert value("showgeo_consumer_handled_total", consumer="metrics.broken") == 0
    assert value("showgeo_consumer_handle_duration_seconds_count", consumer="metrics.fine") >= 2


@pytest.mark.nats
async def test_jetstream_reports_redeliveries_and_dead_letters_to_the_metrics() -> None:
    consumer = f"metrics.dead_{uuid.uuid4().hex[:8]}"

    async def broken(message: OutboxMessage) -> None:
        raise RuntimeError("always")

    options = {"backoff": (0.05,), "max_deliver": 2, "fetch_timeout": 0.2}
    async with jetstream_bus(observer=ConsumerMetrics(), **options) as bus:
        await bus.subscribe(consumer, "showgeo.metrics.>", counted(consumer, broken))
        await bus.publish(
            OutboxMessage(
                id=uuid.uuid4(),
                subject="showgeo.metrics.probe",
                payload=b"{}",
                occurred_at=datetime.now(UTC),
            )
        )
        await eventually(
            lambda: value("showgeo_consumer_dead_lettered_total", consumer=consumer) == 1
        )
        lag = generate_latest(await bus_registry(bus)).decode()
    assert sample(lag, "showgeo_dead_letters", consumer=consumer) == 1
    durable = durable_name(consumer)
    assert sample(lag, "showgeo_consumer_pending_messages", durable=durable) == 0
    assert sample(lag, "showgeo_consumer_in_flight_messages", durable=durable) == 0
    assert set(re.findall(r"^# TYPE (showgeo_\w+) ", lag, re.M)) == BUS_GAUGES
    assert value("showgeo_consumer_redelivered_total", consumer=consumer) == 1
    assert value("showgeo_consumer_failed_total", consumer=consumer) == 2


DOCS = Path(__file__).resolve().parents[2] / "docs"
BUS_GAUGES = {
    "showgeo_consumer_pending_messages",
    "showgeo_consumer_in_flight_messages",
    "showgeo_dead_letters",
}
"""Read from JetStream at scrape time, so only with NATS_URL (checked above)."""


async def test_docs_list_every_metric_and_the_dashboard_queries_only_those(
    sqlite_container: Container,
) -> None:
    async with AsyncTestClient(app=create_app(container=sqlite_container)) as client:
        text = (await client.get("/metrics")).text
    exposed = set(re.findall(r"^# TYPE (showgeo_\w+) \w+$", text, re.M))
    assert "showgeo_outbox_unpublished_events" in exposed
    assert "showgeo_ws_open_sockets" in exposed
    assert "showgeo_consumer_dead_lettered_total" in exposed

    page = (DOCS / "metrics.md").read_text()
    documented = set(re.findall(r"^\| `(showgeo_\w+)` \|", page, re.M))
    assert documented == exposed | BUS_GAUGES

    dashboard = (DOCS / "grafana" / "showgeo.json").read_text()
    queried = {
        re.sub(r"_(bucket|sum|count)$", "", name)
        for name in re.findall(r"showgeo_\w+", dashboard)
        if name.startswith("showgeo_") and "_" in name[8:]
    }
    assert queried <= exposed | BUS_GAUGES, queried - exposed
    assert {"showgeo_outbox_unpublished_events", "showgeo_ws_open_sockets"} <= queried


async def test_a_token_with_characters_beyond_ascii_is_refused_not_an_error() -> None:
    async with AsyncTestClient(app=create_app(_memory(metrics_token="scrape-me"))) as client:
        response = await client.get(
            "/metrics", headers={"Authorization": "Bearer scr\u00e9pe-me".encode("latin-1")}
        )
    assert response.status_code == 401


async def test_a_scrape_answers_without_the_outbox_gauges_when_the_database_fails(
    sqlite_container: Container, tmp_path: Path
) -> None:
    async with AsyncTestClient(app=create_app(container=sqlite_container)) as client:
        (tmp_path / "metrics.db").unlink()
        (tmp_path / "metrics.db").mkdir()  # the file is now a directory: no read can work
        engine = sqlite_container.engine()
        assert engine is not None
        await engine.dispose()
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert "showgeo_http_requests_total" in response.text
    assert "showgeo_outbox_unpublished_events" not in response.text
