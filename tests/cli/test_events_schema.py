"""`showgeo events schema`: one JSON Schema per published subject, valid for real payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import msgspec
from click.testing import CliRunner

from showgeo_api.processes.cli import main
from showgeo_domain.events.domain_events import EventWentLive
from showgeo_domain.shared.ids import new_id


def test_prints_a_schema_per_subject() -> None:
    result = CliRunner().invoke(main, ["events", "schema"])
    assert result.exit_code == 0, result.output
    schemas = json.loads(result.output)
    for subject in (
        "showgeo.events.event_went_live",
        "showgeo.events.event_phase_changed",
        "showgeo.store.product_dropped",
        "showgeo.follow.entity_followed",
        "showgeo.orders.order_paid",
        "showgeo.orders.order_refunded",
    ):
        assert subject in schemas, subject
    # The per-context bases are not events anyone receives.
    assert not any(s.endswith(("_event", ".follow_event")) for s in schemas)

    live = schemas["showgeo.events.event_went_live"]
    assert live["type"] == "object"
    assert live["title"] == "EventWentLive"
    assert {"id", "occurred_at", "event_id", "entity_id", "title"} <= set(live["properties"])
    assert {"occurred_at", "event_id", "entity_id"} <= set(live["required"])
    assert live["properties"]["event_id"] == {"type": "string", "format": "uuid"}

    # A payload as the relay publishes it has exactly the documented fields.
    event = EventWentLive(
        occurred_at=datetime(2026, 5, 1, tzinfo=UTC),
        event_id=new_id(),
        entity_id=new_id(),
        title="Live in Lisbon",
    )
    payload = msgspec.json.decode(msgspec.json.encode(event))
    assert set(payload) == set(live["properties"])


def test_every_reference_resolves_inside_its_schema() -> None:
    schemas = json.loads(CliRunner().invoke(main, ["events", "schema"]).output)
    for subject, schema in schemas.items():
        text = json.dumps(schema)
        for name in schema.get("$defs", {}):
            assert f'"#/$defs/{name}"' in text, (subject, name)
        for ref in _refs(schema):
            assert ref.removeprefix("#/$defs/") in schema.get("$defs", {}), (subject, ref)


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_subject_prints_one_schema_with_its_version() -> None:
    result = CliRunner().invoke(
        main, ["events", "schema", "--subject", "showgeo.orders.order_paid"]
    )
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["$id"] == "showgeo:showgeo.orders.order_paid"
    assert schema["x-showgeo-version"] == 1
    assert schema["properties"]["schema_version"] == {"type": "integer", "const": 1}
    assert {"id", "schema_version"} <= set(schema["required"])

    unknown = CliRunner().invoke(main, ["events", "schema", "--subject", "showgeo.nope"])
    assert unknown.exit_code == 2
    assert "no event is published on 'showgeo.nope'" in unknown.output
