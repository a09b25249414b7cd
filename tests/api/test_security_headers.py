"""Every response carries the security headers; bodies over the limit are refused with a
problem+json 413 that stores nothing; CORS stays closed unless origins are configured."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.http.security_headers import (
    BASE_HEADERS,
    HSTS,
    SecurityHeadersMiddleware,
    security_headers,
)
from tests.api.conftest import assert_problem


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health/live"),
        ("GET", "/entities/no-such-entity"),
        ("GET", "/auth/me"),
        ("POST", "/auth/login"),
        ("GET", "/schema/openapi.json"),
    ],
)
async def test_every_response_has_the_security_headers(
    client: AsyncTestClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={} if method == "POST" else None)
    for name, value in BASE_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    assert HSTS[0] not in response.headers  # production only


async def test_a_route_s_own_header_is_kept_and_not_repeated() -> None:
    sent: list[dict[str, object]] = []

    async def app(scope: object, receive: object, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"X-Frame-Options", b"SAMEORIGIN"), (b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    middleware = SecurityHeadersMiddleware(app, security_headers(production=False))
    await middleware({"type": "http"}, None, send)  # type: ignore[arg-type]
    headers = sent[0]["headers"]
    assert isinstance(headers, list)
    names = [bytes(name).lower() for name, _ in headers]
    assert names.count(b"x-frame-options") == 1
    assert (b"X-Frame-Options", b"SAMEORIGIN") in headers
    for name, value in BASE_HEADERS.items():
        if name != "X-Frame-Options":
            assert (name.lower().encode(), value.encode()) in headers
    assert sent[1] == {"type": "http.response.body", "body": b"ok"}


def test_production_adds_hsts() -> None:
    assert security_headers(production=True)[HSTS[0]] == HSTS[1]


async def test_an_oversized_body_is_413_and_stores_nothing(client: AsyncTestClient) -> None:
    huge = {
        "email": "big@example.com",
        "username": "big",
        "password": "correct horse battery",
        "display_name": "x" * 1_100_000,
    }
    assert_problem(await client.post("/auth/register", json=huge), 413)
    login = await client.post(
        "/auth/login", json={"email": "big@example.com", "password": "correct horse battery"}
    )
    assert login.status_code == 401


async def test_cors_is_closed_by_default(client: AsyncTestClient) -> None:
    response = await client.get("/health/live", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
