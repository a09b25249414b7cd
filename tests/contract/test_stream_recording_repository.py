"""Recordings and ingresses of a stream: the same answers from memory, SQLite and
PostgreSQL; a second insert of the same media-server id writes nothing."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_domain.streaming.model import (
    AccessLevel,
    Geofence,
    IngressReport,
    IngressStatus,
    RecordingReport,
    RecordingStatus,
    Stream,
    StreamIngress,
    StreamRecording,
)
from tests.contract.builders import a_user, an_entity, an_event, store


@pytest.fixture
async def streams(uow_factory, clock: FakeClock):
    host, entity = a_user(clock, "host"), an_entity(clock, "band")
    shows = [an_event(clock, entity, "One"), an_event(clock, entity, "Two")]
    await store(uow_factory, users=[host], entities=[entity], events=shows)
    made = [
        Stream.configure(
            event_id=e.id,
            entity_id=entity.id,
            access_level=AccessLevel.PUBLIC,
            geofence=Geofence(),
            now=clock.tick(),
        )
        for e in shows
    ]
    async with uow_factory() as uow:
        for stream in made:
            await uow.streams.add(stream)
        await uow.commit()
    return made


async def test_recordings_round_trip_once_per_egress(uow_factory, clock, streams):
    one, two = streams
    now = clock.tick()
    first = StreamRecording.start(
        one.event_id,
        RecordingReport(
            egress_id="EG_1", room=one.room, status=RecordingStatus.STARTING, started_at=now
        ),
        now,
    )
    second = dataclasses.replace(first, egress_id="EG_2", created_at=now + timedelta(seconds=1))
    elsewhere = dataclasses.replace(first, egress_id="EG_3", event_id=two.event_id)
    async with uow_factory() as uow:
        assert await uow.streams.add_recording(second)
        assert await uow.streams.add_recording(first)
        assert await uow.streams.add_recording(elsewhere)
        assert not await uow.streams.add_recording(dataclasses.replace(first, error="dup"))
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.streams.get_recording("EG_1", for_update=True)
        assert found == first
        ended = clock.tick()
        assert found.learn(
            RecordingReport(
                egress_id="EG_1",
                room=one.room,
                status=RecordingStatus.COMPLETE,
                location="s3://bucket/a.mp4",
                ended_at=ended,
                duration_seconds=61.5,
                size_bytes=5_000_000_000,
            ),
            ended,
        )
        await uow.streams.update_recording(found)
        await uow.commit()
    async with uow_factory() as uow:
        listed = await uow.streams.recordings(one.event_id)
        assert await uow.streams.get_recording("EG_missing") is None
    assert [r.egress_id for r in listed] == ["EG_1", "EG_2"]  # oldest first
    assert listed[0] == found
    assert listed[0].size_bytes == 5_000_000_000  # beyond 32 bits
    assert listed[0].status is RecordingStatus.COMPLETE
    assert listed[1].error is None  # the duplicate wrote nothing


async def test_ingresses_round_trip_once_per_id(uow_factory, clock, streams):
    one, _ = streams
    now = clock.tick()
    made = StreamIngress("IN_1", one.event_id, "RTMP", "One", IngressStatus.INACTIVE, now, now)
    async with uow_factory() as uow:
        assert await uow.streams.add_ingress(made)
        assert not await uow.streams.add_ingress(dataclasses.replace(made, name="dup"))
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.streams.get_ingress("IN_1", for_update=True)
        assert found == made
        at = clock.tick()
        assert found.learn(
            IngressReport(
                ingress_id="IN_1", room=one.room, status=IngressStatus.PUBLISHING, started_at=at
            ),
            at,
            at,
        )
        await uow.streams.update_ingress(found)
        await uow.commit()
    async with uow_factory() as uow:
        listed = await uow.streams.ingresses(one.event_id)
        assert await uow.streams.get_ingress("IN_missing") is None
    assert listed == [found]
    assert listed[0].is_publishing
    assert listed[0].name == "One"
