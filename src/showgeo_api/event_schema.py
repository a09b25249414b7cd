"""The published events and their JSON Schemas (`showgeo events schema`, docs/events.md).

Every context's `events` module is imported; the published events are the concrete
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
from showgeo_domain.shared.events import DomainEvent

REF_PREFIX = "#/$defs/"


def published_events() -> list[type[DomainEvent]]:
    """Every published event type, sorted by subject."""
    for context in pkgutil.iter_modules(showgeo_domain.__path__):
        if context.ispkg:
            try:
                importlib.import_module(f"showgeo_domain.{context.name}.events")
            except ModuleNotFoundError as exc:
                if exc.name != f"showgeo_domain.{context.name}.events":
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
        needed = _referenced(components[name], components)
        if needed:
            schema["$defs"] = {n: components[n] for n in sorted(needed)}
        schemas[event.subject()] = schema
    return schemas


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
