"""Schema fuzzing with schemathesis against a real `showgeo serve` (SQLite, its own folder):
every operation of /schema/openapi.json, as a normal user and as a platform admin. No input
may produce a 5xx; every error must be problem+json; responses must match their schemas.

About three minutes on two busy cores, so it runs in `nox -s hardening` (started by
`.ci/run`), not in the everyday `pytest` (tests/conftest.py leaves this folder out).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.support.live_server import free_port
from tests.support.processes import ShowgeoProcess

EXAMPLES = int(os.environ.get("SHOWGEO_FUZZ_EXAMPLES", "5"))


class Server:
    def __init__(self, url: str) -> None:
        self.url = url
        self.tokens: dict[str, str] = {}
        self.calls: dict[str, int] = {"user": 0, "admin": 0}
        """Requests sent per role (the figure in docs/reliability.md)."""
        self.errors = 0


def _wait(url: str, process: ShowgeoProcess) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.exited() is None, process.output()
        try:
            if httpx.get(f"{url}/health/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(process.output())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    port = free_port()
    env = {
        "SHOWGEO_ENV": "test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'fuzz.db'}",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "8",
        "ARGON2_PARALLELISM": "1",
        "AUTH_RATE_LIMIT_PER_CLIENT": "100000",
        "AUTH_RATE_LIMIT_PER_ACCOUNT": "100000",
        "ASSETS_LOCAL_DIR": str(folder / "assets"),
    }
    admin = ShowgeoProcess(
        [
            "users",
            "create-admin",
            "--email",
            "root@example.com",
            "--username",
            "root",
            "--password",
            "correct horse battery",
        ],
        {**env, "AUTO_MIGRATE": "true"},
        folder / "admin.log",
    )
    admin.wait()
    process = ShowgeoProcess(["serve", "--port", str(port)], env, folder / "serve.log")
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process)
        running = Server(url)
        user = httpx.post(
            f"{url}/auth/register",
            json={
                "email": "fuzzy@example.com",
                "username": "fuzzy",
                "password": "correct horse battery",
            },
        ).json()
        running.tokens["user"] = user["access_token"]
        root = httpx.post(
            f"{url}/auth/login",
            json={"email": "root@example.com", "password": "correct horse battery"},
        ).json()
        running.tokens["admin"] = root["access_token"]
        httpx.post(
            f"{url}/entities",
            json={"name": "Fuzz Band", "slug": "fuzz-band", "kind": "CREATOR"},
            headers={"Authorization": f"Bearer {user['access_token']}"},
        )
        yield running
        print(
            f"\nschema fuzzing: {running.calls['user']} requests as a user, "
            f"{running.calls['admin']} as an admin ({running.errors} answered 4xx), no 5xx"
        )
    finally:
        process.stop()


def _openapi_document() -> dict[str, object]:
    """The document the server will serve, built from the app without serving it (the lazy
    fixture loader of schemathesis 4.32 does not work with pytest 9)."""
    from showgeo_api.app import create_app
    from showgeo_api.settings import Settings

    document = create_app(Settings(database_url="memory://")).openapi_schema.to_schema()
    return dict(document)


schema = schemathesis.openapi.from_dict(_openapi_document())


CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
]
"""What every response must satisfy. Left out: `negative_data_rejection` (msgspec's lax
parsing of query strings is deliberate), `allow_header_conformance` (Litestar answers 405 per
typed route, not per documented path) and `status_code_conformance` (413/429 from middleware
are not listed per operation)."""

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


def _no_breakage(case: schemathesis.Case, server: Server, role: str) -> None:
    headers = {"Authorization": f"Bearer {server.tokens[role]}"}
    response = case.call(base_url=server.url, headers=headers, timeout=30)
    server.calls[role] += 1
    server.errors += response.status_code >= 400
    where = (role, case.method, case.formatted_path, response.status_code)
    assert response.status_code < 500, (*where, response.text[:500])
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400 and response.content:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/problem+json"), (*where, response.text[:300])


@schema.parametrize()
@FUZZ
def test_no_input_breaks_the_api_for_a_user(case: schemathesis.Case, server: Server) -> None:
    _no_breakage(case, server, "user")


@schema.parametrize()
@FUZZ
def test_no_input_breaks_the_api_for_an_admin(case: schemathesis.Case, server: Server) -> None:
    _no_breakage(case, server, "admin")
