"""Auth routes: register, login, refresh rotation with theft detection, logout, me, limits."""

from __future__ import annotations

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import assert_problem, register


async def test_register_returns_user_and_token_pair(client: AsyncTestClient) -> None:
    response = await client.post(
        "/auth/register",
        json={
            "email": " Ana@Example.COM ",
            "username": "Ana_1",
            "password": "correct horse",
            "display_name": "Ana",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["user"]["email"] == "ana@example.com"
    assert body["user"]["username"] == "ana_1"
    assert body["user"]["roles"] == ["USER"]
    assert "password" not in response.text
    assert "password_hash" not in response.text
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "ana", "password": "correct horse"}, "email"),
        ({"email": "ana@example.com", "password": "correct horse"}, "username"),
        ({"email": "ana@example.com", "username": "ana"}, "password"),
        ({"email": "not-an-email", "username": "ana", "password": "correct horse"}, "email"),
        ({"email": "ana@example.com", "username": "a!", "password": "correct horse"}, "username"),
        ({"email": "ana@example.com", "username": "ana", "password": "short"}, "password"),
        ({"email": 5, "username": "ana", "password": "correct horse"}, "email"),
        ({"email": "ana@example.com", "username": "ana", "password": "x" * 129}, "password"),
        (
            {"email": "ana@example.com", "username": "a" * 31, "password": "correct horse"},
            "username",
        ),
        (
            {
                "email": "ana@example.com",
                "username": "ana",
                "password": "correct horse",
                "display_name": "d" * 81,
            },
            "display_name",
        ),
    ],
)
async def test_register_rejects_bad_input_and_stores_nothing(
    client: AsyncTestClient, body: dict[str, object], field: str
) -> None:
    problem = assert_problem(await client.post("/auth/register", json=body), 400)
    assert field in {e["field"] for e in problem["errors"]}, problem
    login = await client.post(
        "/auth/login", json={"email": "ana@example.com", "password": "correct horse"}
    )
    assert_problem(login, 401, "invalid_credentials")


async def test_malformed_json_is_a_problem(client: AsyncTestClient) -> None:
    response = await client.post(
        "/auth/register", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400)


async def test_duplicate_email_and_username_conflict(client: AsyncTestClient) -> None:
    await register(client, "ana")
    same_email = await client.post(
        "/auth/register",
        json={"email": "ANA@example.com", "username": "other", "password": "correct horse"},
    )
    assert_problem(same_email, 409, "email_taken")
    same_name = await client.post(
        "/auth/register",
        json={"email": "other@example.com", "username": "ANA", "password": "correct horse"},
    )
    assert_problem(same_name, 409, "username_taken")
    assert_problem(await client.get("/users/other"), 404)


async def test_login_with_right_and_wrong_password(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    ok = await client.post("/auth/login", json={"email": ana.email, "password": ana.password})
    assert ok.status_code == 200
    assert ok.json()["user"]["username"] == "ana"
    wrong = await client.post("/auth/login", json={"email": ana.email, "password": "nope nope"})
    assert_problem(wrong, 401, "invalid_credentials")
    unknown = await client.post(
        "/auth/login", json={"email": "who@example.com", "password": "nope nope"}
    )
    assert_problem(unknown, 401, "invalid_credentials")


async def test_refresh_rotates_and_replay_revokes_the_family(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    first = await client.post("/auth/refresh", json={"refresh_token": ana.refresh_token})
    assert first.status_code == 200
    newest = first.json()["refresh_token"]
    assert newest != ana.refresh_token

    replay = await client.post("/auth/refresh", json={"refresh_token": ana.refresh_token})
    assert_problem(replay, 401, "refresh_token_reused")
    # theft detected: the family's newest token stops working as well
    after = await client.post("/auth/refresh", json={"refresh_token": newest})
    assert_problem(after, 401)


async def test_concurrent_refresh_with_one_token_lets_one_through(
    client: AsyncTestClient,
) -> None:
    ana = await register(client, "ana")
    results = await asyncio.gather(
        *(client.post("/auth/refresh", json={"refresh_token": ana.refresh_token}) for _ in range(2))
    )
    assert sorted(r.status_code for r in results) == [200, 401]


async def test_logout_revokes_the_session(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    other_session = await client.post(
        "/auth/login", json={"email": ana.email, "password": ana.password}
    )
    out = await client.post("/auth/logout", json={"refresh_token": ana.refresh_token})
    assert out.status_code == 204
    again = await client.post("/auth/logout", json={"refresh_token": ana.refresh_token})
    assert again.status_code == 204
    assert_problem(
        await client.post("/auth/refresh", json={"refresh_token": ana.refresh_token}), 401
    )
    # other sessions of the same user live on
    still = await client.post(
        "/auth/refresh", json={"refresh_token": other_session.json()["refresh_token"]}
    )
    assert still.status_code == 200


async def test_unknown_refresh_token_is_401(client: AsyncTestClient) -> None:
    assert_problem(await client.post("/auth/refresh", json={"refresh_token": "nope"}), 401)
    assert_problem(await client.post("/auth/logout", json={"refresh_token": "nope"}), 401)
    assert_problem(await client.post("/auth/refresh", json={}), 400)


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer a.b.c"],
)
async def test_me_needs_a_valid_bearer_token(client: AsyncTestClient, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    problem = assert_problem(await client.get("/auth/me", headers=headers), 401)
    assert problem["code"] == "invalid_token"


async def test_login_is_rate_limited_per_account(settings: Settings) -> None:
    limited = Settings(
        **{**_fields(settings), "auth_rate_limit_per_account": 3, "auth_rate_limit_per_client": 50}
    )
    async with AsyncTestClient(app=create_app(limited)) as client:
        ana = await register(client, "ana")  # attempt 1 for this email
        wrong = {"email": ana.email, "password": "wrong wrong"}
        for _ in range(2):
            assert_problem(await client.post("/auth/login", json=wrong), 401)
        blocked = await client.post(
            "/auth/login", json={"email": ana.email, "password": ana.password}
        )
        assert_problem(blocked, 429, "rate_limited")
        assert int(blocked.headers["retry-after"]) >= 1
        # another account from the same client is still allowed
        await register(client, "ben")


async def test_auth_is_rate_limited_per_client(settings: Settings) -> None:
    limited = Settings(
        **{**_fields(settings), "auth_rate_limit_per_account": 50, "auth_rate_limit_per_client": 2}
    )
    async with AsyncTestClient(app=create_app(limited)) as client:
        await register(client, "ana")
        await register(client, "ben")
        third = await client.post(
            "/auth/register",
            json={"email": "cyd@example.com", "username": "cyd", "password": "correct horse"},
        )
        assert_problem(third, 429, "rate_limited")
        assert "retry-after" in third.headers
        assert_problem(await client.get("/users/cyd"), 404)


def _fields(settings: Settings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in settings.__struct_fields__}
