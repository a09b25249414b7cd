"""The published events and their JSON Schemas (`showgeo events schema`, docs/events.md).

Every context's `domain_events` module is imported; the published events are the concrete
`DomainEvent` subclasses (those with no subclasses of their own: the per-context bases such
as `FollowEvent` only carry the context name). Each schema is self-contained: the event's
own object schema plus the `$defs` it refers to.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import msgspec

import showgeo_domain
from showgeo_domain.shared.domain_events import DomainEvent

REF_PREFIX = "#/$defs/"


def published_events() -> list[type[DomainEvent]]:
    """Every published event type, sorted by subject."""
    for context in pkgutil.iter_modules(showgeo_domain.__path__):
        if context.ispkg and context.name != "testing":  # strategies; needs hypothesis
            try:
                importlib.import_module(f"showgeo_domain.{context.name}.domain_events")
            except ModuleNotFoundError as exc:
                if exc.name != f"showgeo_domain.{context.name}.domain_events":
                    raise
    found: list[type[DomainEvent]] = []
    pending: list[type[DomainEvent]] = [DomainEvent]
    while pending:
        cls = pending.pop()
        subclasses = cls.__subclasses__()
        if not subclasses and cls is not DomainEvent:
            found.append(cls)
        pending.extend(subclasses)
    return sorted(found, key=lambda c: c.subject())


def event_schemas() -> dict[str, dict[str, Any]]:
    """`{subject: JSON Schema}` for every published event."""
    events = published_events()
    roots, components = msgspec.json.schema_components(events, ref_template=REF_PREFIX + "{name}")
    schemas: dict[str, dict[str, Any]] = {}
    for event, root in zip(events, roots, strict=True):
        name = root["$ref"].removeprefix(REF_PREFIX)
        schema: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"showgeo:{event.subject()}",
            **components[name],
        }
        _pin_version(schema, event)
        needed = _referenced(components[name], components)
        if needed:
            schema["$defs"] = {n: components[n] for n in sorted(needed)}
        schemas[event.subject()] = schema
    return schemas


def event_types() -> dict[str, type[DomainEvent]]:
    """`{subject: event class}`: what to decode a message of each subject into."""
    return {event.subject(): event for event in published_events()}


def schema_version(event: type[DomainEvent]) -> int:
    """The version an event class publishes (`DomainEvent.schema_version`, maybe redeclared)."""
    default = msgspec.structs.fields(event)[event.__struct_fields__.index("schema_version")]
    return int(default.default)


def _pin_version(schema: dict[str, Any], event: type[DomainEvent]) -> None:
    """Every payload carries its id and its schema version (the encoder writes defaults):
    the schema says so, and which version, so a consumer can de-duplicate and branch on it."""
    version = schema_version(event)
    schema["properties"]["schema_version"] = {"type": "integer", "const": version}
    schema["required"] = sorted({*schema.get("required", []), "id", "schema_version"})
    schema["x-showgeo-version"] = version


def _referenced(schema: Any, components: dict[str, Any]) -> set[str]:
    """Names of the components `schema` refers to, transitively."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF_PREFIX):
                name = ref.removeprefix(REF_PREFIX)
                if name not in found:
                    found.add(name)
                    stack.append(components[name])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found
