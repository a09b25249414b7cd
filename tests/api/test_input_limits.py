"""Hostile and odd input: over-long strings and lists, page sizes out of range, forged
cursors, unicode edge cases, SQL metacharacters and header injection. Each is a clear 4xx
problem (or, for text that is merely unusual, stored and returned exactly) and never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import FAST_ARGON2, Account, assert_problem, register
from tests.api.helpers import create_entity, seats, shop


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    """Validation does not depend on the database: SQLite only."""
    settings = Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'limits.db'}",
        auth_rate_limit_per_client=10_000,
        auth_rate_limit_per_account=10_000,
        **FAST_ARGON2,  # type: ignore[arg-type]
    )
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
async def ana(client: AsyncTestClient) -> Account:
    return await register(client, "ana")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/entities", {"name": "x" * 10_000, "slug": "long-name", "kind": "CREATOR"}, "name"),
        ("/entities", {"name": "Ok", "slug": "s" * 65, "kind": "CREATOR"}, "slug"),
        (
            "/entities",
            {"name": "Ok", "slug": "ok-slug", "kind": "CREATOR", "bio": "b" * 100_000},
            "bio",
        ),
        ("/entities", {"name": "Ok", "slug": "ok-slug", "kind": "PIRATE"}, "kind"),
    ],
)
async def test_bad_bodies_are_400_problems(
    client: AsyncTestClient, ana: Account, path: str, body: object, field: str | None
) -> None:
    problem = assert_problem(await client.post(path, json=body, headers=ana.headers), 400)
    if field is not None:
        assert (
            field in {e["field"] for e in problem.get("errors", [])} or field in problem["detail"]
        )
    assert (await client.get("/entities/ok-slug")).status_code == 404


async def test_too_many_ids_and_bad_preferences(client: AsyncTestClient, ana: Account) -> None:
    many = {
        "muted_kinds": [],
        "muted_entities": [f"00000000-0000-0000-0000-{n:012d}" for n in range(201)],
    }
    assert_problem(
        await client.put("/notifications/preferences", json=many, headers=ana.headers), 400
    )
    kinds = {"muted_kinds": ["NOT_A_KIND"], "muted_entities": []}
    assert_problem(
        await client.put("/notifications/preferences", json=kinds, headers=ana.headers), 400
    )


@pytest.mark.parametrize(
    "query",
    [
        "?limit=0",
        "?limit=101",
        "?limit=-1",
        "?limit=abc",
        "?cursor=not-a-cursor",
        "?cursor=" + "A" * 600,
    ],
)
async def test_page_sizes_and_cursors_out_of_range(client: AsyncTestClient, query: str) -> None:
    assert_problem(await client.get(f"/entities{query}"), 400)


@pytest.mark.parametrize(
    "text",
    [
        "Björk & Sigur Rós",
        "مرحبا بالعالم",  # right-to-left
        "👩‍🎤🎸🔥",  # emoji with zero-width joiners
        "e\u0301te\u0301",  # combining accents
        "'; DROP TABLE entities; --",
        "%_\\",  # LIKE wildcards
    ],
)
async def test_unusual_text_round_trips_and_searches_literally(
    client: AsyncTestClient, ana: Account, text: str
) -> None:
    created = await client.post(
        "/entities",
        json={"name": text, "slug": "odd-name", "kind": "CREATOR", "bio": text},
        headers=ana.headers,
    )
    assert created.status_code == 201, created.text
    found = (await client.get("/entities/odd-name")).json()
    assert (found["name"], found["bio"]) == (text, text)
    search = await client.get("/entities", params={"q": text})
    assert search.status_code == 200
    assert [e["slug"] for e in search.json()["items"]] == ["odd-name"]
    other = await client.get("/entities", params={"q": "%"})
    assert other.status_code == 200  # a wildcard is a character, not "everything"
    assert len(other.json()["items"]) == (1 if "%" in text else 0)


async def test_nul_characters_are_refused(client: AsyncTestClient, ana: Account) -> None:
    response = await client.post(
        "/entities",
        json={"name": "bad\x00name", "slug": "nul-name", "kind": "CREATOR"},
        headers=ana.headers,
    )
    assert 400 <= response.status_code < 500, response.text
    assert (await client.get("/entities/nul-name")).status_code == 404


async def test_header_injection_in_an_idempotency_key(client: AsyncTestClient) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    headers = {**buyer.headers, "Idempotency-Key": "k" * 300}
    assert_problem(await client.post("/orders", json=seats(general, 1), headers=headers), 400)


async def test_sql_metacharacters_in_path_ids_are_404_not_errors(
    client: AsyncTestClient, ana: Account
) -> None:
    await create_entity(client, ana, "owls")
    for ref in ["owls'--", "owls%27%20OR%201=1--", "..%2F..%2Fetc%2Fpasswd"]:
        response = await client.get(f"/entities/{ref}")
        assert response.status_code in (400, 404), (ref, response.status_code)
