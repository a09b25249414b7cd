"""Forged and broken access tokens get 401 problem+json and nothing else, on every kind of
route: `alg: none`, another algorithm, a wrong key, audience or issuer, expired, claims
edited after signing (a self-made ADMIN), missing claims. The WebSocket refuses the same
tokens with 4401 (tests/api/test_notification_socket.py)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.settings import Settings
from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import create_entity


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def forge(claims: dict[str, Any], key: str, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def tampered(token: str, **changes: Any) -> str:
    """The same signature over an edited payload."""
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    edited = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{edited}.{signature}"


def attacks(settings: Settings, victim: Account) -> dict[str, str]:
    good = claims_of(victim.access_token)
    secret = settings.jwt_secret
    now = datetime.now(UTC)
    unsigned = jwt.encode({**good, "roles": ["ADMIN"]}, key=None, algorithm="none")  # type: ignore[arg-type]
    return {
        "alg none": unsigned,
        "alg none, no signature part": unsigned.rstrip("."),
        "another algorithm": forge(good, secret + "-padding-to-be-long-enough", "HS512"),
        "wrong key": forge(good, "not-the-secret-but-long-enough-0123456789"),
        "wrong audience": forge({**good, "aud": "someone-else"}, secret),
        "wrong issuer": forge({**good, "iss": "evil"}, secret),
        "expired": forge(
            {
                **good,
                "iat": int((now - timedelta(hours=2)).timestamp()),
                "exp": int((now - timedelta(hours=1)).timestamp()),
            },
            secret,
        ),
        "self-made admin": tampered(victim.access_token, roles=["USER", "ADMIN"]),
        "another user": tampered(victim.access_token, sub="00000000-0000-0000-0000-000000000001"),
        "no jti": forge({k: v for k, v in good.items() if k != "jti"}, secret),
        "no roles": forge({k: v for k, v in good.items() if k != "roles"}, secret),
        "not a jwt": "garbage",
    }


async def test_every_forged_token_is_401_everywhere(
    client: AsyncTestClient, settings: Settings
) -> None:
    victim = await register(client, "victim")
    entity = await create_entity(client, victim, "victims")
    assert (await client.get("/auth/me", headers=victim.headers)).status_code == 200
    routes = [
        ("GET", "/auth/me"),
        ("GET", "/notifications/unread-count"),
        ("PATCH", f"/entities/{entity['id']}"),
        ("POST", f"/admin/entities/{entity['id']}/verify"),
        ("GET", "/health/live"),  # a public route: a broken token is still refused
    ]
    for name, token in attacks(settings, victim).items():
        for method, path in routes:
            response = await client.request(
                method,
                path,
                headers={"Authorization": f"Bearer {token}"},
                json={"bio": "pwned"} if method == "PATCH" else None,
            )
            assert response.status_code == 401, (name, method, path, response.text)
            assert_problem(response, 401)
    found = (await client.get(f"/entities/{entity['id']}")).json()
    assert found["bio"] != "pwned"
    assert found["verified"] is False


@pytest.mark.parametrize("scheme", ["Basic abc", "Bearer", "Token x", "bearer  "])
async def test_malformed_authorization_headers_are_401(
    client: AsyncTestClient, scheme: str
) -> None:
    assert_problem(await client.get("/auth/me", headers={"Authorization": scheme}), 401)
