"""Errors in the OpenAPI document as they are on the wire: `application/problem+json`.

Litestar documents its 4xx responses (validation errors, and those a route declares) as
`application/json`; every error we send is RFC 9457 problem+json, so clients and schema
checkers (schemathesis in tests/fuzz) must be told so.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIType,
    Reference,
    Schema,
)

JSON = "application/json"
PROBLEM = "application/problem+json"

PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status", "detail"],
    properties={
        "type": Schema(type=OpenAPIType.STRING, description="urn:showgeo:problem:<code>"),
        "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "code": Schema(type=OpenAPIType.STRING, description="machine-readable reason"),
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["field", "message"],
                properties={
                    "field": Schema(type=OpenAPIType.STRING),
                    "message": Schema(type=OpenAPIType.STRING),
                },
            ),
        ),
    },
    description="RFC 9457 problem details; some problems add fields (e.g. `reason`).",
)


_documented: OpenAPI | None = None


def install_documented_openapi(app: Litestar) -> None:
    """Give `app` the OpenAPI document with problem+json errors, built once per process.

    Building it walks every route's types (a third of `create_app`'s time); every app of this
    process has the same routes, so the first one's document serves all (tests build an app
    per test). Litestar keeps the built document on its OpenAPI plugin (`_openapi`)."""
    global _documented
    plugin: Any = next(p for p in app.plugins if hasattr(p, "provide_openapi"))
    if _documented is None:
        _documented = document_problems(plugin.provide_openapi())
    else:
        plugin._openapi = _documented


def document_problems(schema: OpenAPI) -> OpenAPI:
    """Every 4xx/5xx response becomes problem+json with the `Problem` schema, in place."""
    components = schema.components or Components()
    schema.components = components
    components.schemas = {**(components.schemas or {}), "Problem": PROBLEM_SCHEMA}
    problem = OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))
    for path_item in (schema.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
            operation = getattr(path_item, method, None)
            if operation is None or not operation.responses:
                continue
            for status, response in operation.responses.items():
                if status[:1] not in ("4", "5") or isinstance(response, Reference):
                    continue
                response.content = {PROBLEM: problem}
    return schema
