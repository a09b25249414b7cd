"""Health probes and the OpenAPI document."""

from __future__ import annotations

import msgspec
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings

# Every route of docs/api.md and ARCHITECTURE.md §5 served so far, as OpenAPI paths.
ROUTES: dict[str, set[str]] = {
    "/health/live": {"get"},
    "/health/ready": {"get"},
    "/auth/register": {"post"},
    "/auth/login": {"post"},
    "/auth/refresh": {"post"},
    "/auth/logout": {"post"},
    "/auth/me": {"get"},
    "/users/me": {"patch"},
    "/users/{username}": {"get"},
    "/users/{username}/entities": {"get"},
    "/users/{username}/following": {"get"},
    "/entities": {"get", "post"},
    "/entities/{ref}": {"get", "patch", "delete"},
    "/entities/{ref}/members": {"get", "post"},
    "/entities/{ref}/members/{user_id}": {"patch", "delete"},
    "/entities/{ref}/verification": {"post"},
    "/admin/entities/{ref}/verify": {"post"},
    "/entities/{ref}/follow": {"get", "put", "delete"},
    "/entities/{ref}/followers": {"get"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


async def test_liveness_answers_ok(client: AsyncTestClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_checks_the_database_and_the_bus(client: AsyncTestClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": True, "bus": True}


async def test_openapi_document_lists_every_route_with_its_methods(
    client: AsyncTestClient,
) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    paths = {
        path.rstrip("/") or "/": {m for m in operations if m in HTTP_METHODS}
        for path, operations in response.json()["paths"].items()
    }
    for path, methods in ROUTES.items():
        assert path in paths, f"{path} missing from the OpenAPI document"
        assert methods <= paths[path], (path, paths[path])


async def test_openapi_document_declares_bearer_auth_on_protected_routes(
    client: AsyncTestClient,
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerToken"]["scheme"] == "bearer"
    for path, method in (
        ("/entities", "post"),
        ("/users/me", "patch"),
        ("/admin/entities/{ref}/verify", "post"),
        ("/entities/{ref}/follow", "put"),
    ):
        assert {"BearerToken": []} in document["paths"][path][method]["security"], (path, method)


async def test_cors_origins_come_from_settings(settings: Settings) -> None:
    allowed = msgspec.structs.replace(settings, cors_allow_origins=["https://app.example"])
    async with AsyncTestClient(app=create_app(allowed)) as cors_client:
        ok = await cors_client.get("/health/live", headers={"Origin": "https://app.example"})
        assert ok.headers.get("access-control-allow-origin") == "https://app.example"
        other = await cors_client.get("/health/live", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
