"""What goes on the wire is what `showgeo events schema` publishes, and published schemas only
grow within a version.

1. A realistic API story (register, profile, entity and team, verification, follow, event,
   ticket purchase through localpay, check-in, going live, refund, a cancelled order, a
   product drop, logout, notifications read) runs against the app while a probe subscribed
   to `showgeo.>` records every message the relay publishes. Each message is decoded with
   msgspec into the class its subject names, validated against its published JSON Schema
   and must carry no field the schema does not document.
2. The published schemas are compared with the committed snapshot
   (`tests/api/snapshots/event_schemas.json`, keyed `subject@vN`): within a version a
   schema may only gain optional fields. A new subject, version or optional field fails too,
   until the snapshot is refreshed with `SHOWGEO_UPDATE_EVENT_SCHEMAS=1 pytest
   tests/api/test_published_schemas.py` (which refuses breaking changes) — and the table in
   docs/events.md gets its row.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import msgspec
import pytest
from jsonschema import Draft202012Validator
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.processes.event_schema import event_schemas, event_types, schema_version
from showgeo_api.settings import Settings
from showgeo_api.wiring.container import bootstrap
from showgeo_domain.shared.messaging import OutboxMessage
from tests.api.conftest import Account, register
from tests.api.helpers import (
    add_member,
    create_entity,
    create_event,
    create_product,
    local,
    make_admin,
    move,
    pay,
    place,
    publish,
    seats,
)
from tests.support.waiting import eventually

SNAPSHOT = Path(__file__).parent / "snapshots" / "event_schemas.json"
UPDATE = os.environ.get("SHOWGEO_UPDATE_EVENT_SCHEMAS") == "1"
DOCS = Path(__file__).parents[2] / "docs" / "events.md"

# What the story below must make the platform publish (it may publish more).
STORY_SUBJECTS = {
    "showgeo.identity.user_registered",
    "showgeo.identity.user_profile_updated",
    "showgeo.identity.refresh_family_revoked",
    "showgeo.entities.entity_created",
    "showgeo.entities.entity_updated",
    "showgeo.entities.entity_deleted",
    "showgeo.entities.member_added",
    "showgeo.entities.member_role_changed",
    "showgeo.entities.member_removed",
    "showgeo.entities.verification_requested",
    "showgeo.entities.entity_verified",
    "showgeo.follow.entity_followed",
    "showgeo.follow.entity_unfollowed",
    "showgeo.events.event_created",
    "showgeo.events.event_updated",
    "showgeo.events.event_phase_changed",
    "showgeo.events.event_went_live",
    "showgeo.events.ticket_type_created",
    "showgeo.orders.order_placed",
    "showgeo.orders.order_paid",
    "showgeo.orders.order_refunded",
    "showgeo.orders.order_cancelled",
    "showgeo.orders.ticket_checked_in",
    "showgeo.store.product_created",
    "showgeo.store.product_updated",
    "showgeo.store.product_dropped",
    "showgeo.notifications.notifications_created",
    "showgeo.notifications.notifications_read",
}


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def the_story(client: AsyncTestClient) -> Account:
    """Most of what a platform's first evening looks like, through HTTP only; returns the
    entity's owner, who has been told of a new follower by then (or soon)."""
    owner, fan, helper = [await register(client, n) for n in ("owner", "fan", "helper")]
    await ok(await client.patch("/users/me", json={"display_name": "A Fan"}, headers=fan.headers))

    owls = await create_entity(client, owner, "owls")
    base = f"/entities/{owls['id']}"
    await ok(await client.patch(base, json={"bio": "Night music"}, headers=owner.headers))
    await add_member(client, owner, owls, helper, "COLLABORATOR")
    member = f"{base}/members/{helper.id}"
    await ok(await client.patch(member, json={"role": "ADMIN"}, headers=owner.headers))
    await ok(await client.delete(member, headers=owner.headers), 204)
    await ok(await client.post(f"{base}/verification", headers=owner.headers), 202)
    root = await make_admin(client)
    await ok(await client.post(f"/admin/entities/{owls['id']}/verify", headers=root.headers))

    await ok(await client.put(f"{base}/follow", headers=fan.headers))
    await ok(await client.delete(f"{base}/follow", headers=fan.headers))
    await ok(await client.put(f"{base}/follow", headers=fan.headers))

    venue = {"name": "Harbour", "lat": 38.7, "lon": -9.1, "country": "PT"}
    show = await create_event(client, owner, "owls", venue=venue)
    await ok(
        await client.patch(
            f"/events/{show['id']}", json={"description": "Doors at 20:00"}, headers=owner.headers
        )
    )
    general = await ok(
        await client.post(
            f"/events/{show['id']}/ticket-types",
            json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 10},
            headers=owner.headers,
        ),
        201,
    )
    placed = await ok(await place(client, fan, seats(general, 2), key="first-night"), 201)
    await pay(client, placed["checkout"]["url"])
    assert local(placed["checkout"]["url"])
    second = await ok(await place(client, fan, seats(general, 1)), 201)
    await ok(await client.post(f"/orders/{second['order']['id']}/cancel", headers=fan.headers))

    await ok(await move(client, owner, show["id"], "LIVE"))
    tickets = await ok(await client.get("/users/me/tickets", headers=fan.headers))
    code = tickets["items"][0]["code"]
    await ok(await client.post(f"/tickets/{code}/check-in", headers=owner.headers))
    await ok(
        await client.post(
            f"/orders/{placed['order']['id']}/refunds",
            json={"amount": {"amount": 1000, "currency": "EUR"}, "reason": "late start"},
            headers=owner.headers,
        ),
        201,
    )
    await ok(await move(client, owner, show["id"], "POST_LIVE"))

    shirt = await create_product(client, owner)
    await ok(
        await client.patch(
            f"/products/{shirt['id']}", json={"title": "Tour shirt 2030"}, headers=owner.headers
        )
    )
    await ok(await publish(client, owner, shirt))

    spare = await create_entity(client, owner, "spare-owls")
    await ok(await client.delete(f"/entities/{spare['id']}", headers=owner.headers), 204)
    await logout(client, fan)
    return owner


async def logout(client: AsyncTestClient, account: Account) -> None:
    body = {"refresh_token": account.refresh_token}
    await ok(await client.post("/auth/logout", json=body, headers=account.headers), 204)


async def read_everything(client: AsyncTestClient, account: Account) -> None:
    """Once the consumers have told `account` something, read it all (→ notifications_read)."""
    for _ in range(200):
        count = await ok(await client.get("/notifications/unread-count", headers=account.headers))
        if count["count"]:
            break
        await asyncio.sleep(0.05)
    await ok(await client.post("/notifications/read-all", headers=account.headers))


@pytest.fixture
async def wire(settings: Settings) -> list[OutboxMessage]:
    """Every message published while the story runs, as the bus delivered it."""
    container = bootstrap(settings)
    seen: list[OutboxMessage] = []

    async def probe(message: OutboxMessage) -> None:
        seen.append(message)

    async with AsyncTestClient(app=create_app(container=container)) as client:
        await container.bus().subscribe("schema-probe", "showgeo.>", probe)
        owner = await the_story(client)
        await read_everything(client, owner)
        await eventually(lambda: _drained(client), within=15)
    return seen


def _drained(client: AsyncTestClient) -> bool:
    async def unpublished() -> int:
        async with client.app.state["container"].uow()() as uow:
            return len(await uow.outbox.unpublished(10))

    return client.blocking_portal.call(unpublished) == 0


async def test_every_message_on_the_wire_matches_its_published_schema(
    wire: list[OutboxMessage],
) -> None:
    schemas, types = event_schemas(), event_types()
    subjects = {m.subject for m in wire}
    assert subjects >= STORY_SUBJECTS, sorted(STORY_SUBJECTS - subjects)
    for message in wire:
        assert message.subject in schemas, f"{message.subject} is published but not documented"
        schema = schemas[message.subject]
        payload = json.loads(message.payload)
        errors = [
            e.message
            for e in Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER
            ).iter_errors(payload)
        ]
        assert not errors, (message.subject, errors, payload)
        assert set(payload) <= set(schema["properties"]), (message.subject, payload)
        event = msgspec.json.decode(message.payload, type=types[message.subject])
        assert event.id == message.id
        assert event.schema_version == schema_version(types[message.subject])
        assert payload["schema_version"] == schema["properties"]["schema_version"]["const"]
    assert len({m.id for m in wire}) == len(wire), "a message was delivered twice"


# --- schemas only grow within a version ---------------------------------------------------------


def versioned(schemas: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{s}@v{schema['x-showgeo-version']}": schema for s, schema in schemas.items()}


def resolved(node: Any, defs: dict[str, Any]) -> Any:
    """`node` with every `$ref` into `$defs` replaced by what it names (they do not recurse)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return resolved(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: resolved(v, defs) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [resolved(v, defs) for v in node]
    return node


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why `new` could break a consumer written against `old` (same subject and version)."""
    problems: list[str] = []
    old_props = resolved(old["properties"], old.get("$defs", {}))
    new_props = resolved(new["properties"], new.get("$defs", {}))
    for name, shape in old_props.items():
        if name not in new_props:
            problems.append(f"field {name!r} was removed")
        elif new_props[name] != shape:
            problems.append(f"field {name!r} changed: {shape} → {new_props[name]}")
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(new_required - old_required):
        problems.append(f"field {name!r} became required (new fields must be optional)")
    for name in sorted(old_required - new_required):
        problems.append(f"field {name!r} is no longer always sent")
    return problems


def test_published_schemas_only_grow_within_a_version() -> None:
    current = versioned(event_schemas())
    committed: dict[str, dict[str, Any]] = json.loads(SNAPSHOT.read_text())
    problems = [
        f"{key}: {problem}"
        for key, old in committed.items()
        for problem in (
            ["no longer published (publish it, or keep it until consumers move on)"]
            if key not in current
            else breaking_changes(old, current[key])
        )
    ]
    assert not problems, (
        "breaking change to a published event schema; raise the event's schema_version "
        "instead:\n" + "\n".join(problems)
    )
    if current != committed:
        if UPDATE:
            SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        else:
            added = sorted(set(current) - set(committed))
            changed = sorted(k for k in committed if k in current and current[k] != committed[k])
            pytest.fail(
                f"event schemas grew (new: {added}, changed: {changed}); if that is meant, run "
                "SHOWGEO_UPDATE_EVENT_SCHEMAS=1 pytest tests/api/test_published_schemas.py, "
                "add new subjects to docs/events.md and commit the snapshot"
            )


def test_every_published_subject_is_in_the_events_page() -> None:
    page = DOCS.read_text(encoding="utf-8")
    missing = [s for s in event_schemas() if f"`{s}`" not in page]
    assert not missing, f"docs/events.md does not list {missing}"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ({"a": "s"}, {"a": "s", "b": "i"}, None),
        ({"a": "s"}, {}, "removed"),
        ({"a": "s"}, {"a": "i"}, "changed"),
        ({"a": "s"}, {"a": "s", "b+": "i"}, "became required"),
    ],
)
def test_the_additivity_rule_itself(old: dict[str, str], new: dict[str, str], problem: str | None):
    def schema(fields: dict[str, str]) -> dict[str, Any]:
        kinds = {"s": {"type": "string"}, "i": {"type": "integer"}}
        return {
            "properties": {n.rstrip("+"): kinds[k] for n, k in fields.items()},
            "required": ["a"] * ("a" in fields)
            + [n.rstrip("+") for n in fields if n.endswith("+")],
        }

    found = breaking_changes(schema(old), schema(new))
    assert (problem is None and not found) or any(problem in f for f in found if problem), found
