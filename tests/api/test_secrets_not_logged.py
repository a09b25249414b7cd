"""Secrets never reach the logs: a session of register, login, refresh, a failed login, a
forged token, a signed webhook and a 500-free error path, logged at DEBUG everywhere, and
not one record contains a password, a token, the JWT secret or the localpay secret."""

from __future__ import annotations

import logging
from pathlib import Path

from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import FAST_ARGON2, register
from tests.api.helpers import pay, place, seats, shop

JWT_SECRET = "jwt-secret-that-must-never-be-logged-0123456789"
LOCALPAY_SECRET = "localpay-secret-that-must-never-be-logged-012345"


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_no_secret_in_any_log_record(tmp_path: Path) -> None:
    kept = Keep()
    settings = Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'secrets.db'}",
        jwt_secret=JWT_SECRET,
        localpay_secret=LOCALPAY_SECRET,
        auth_rate_limit_per_client=10_000,
        auth_rate_limit_per_account=10_000,
        **FAST_ARGON2,  # type: ignore[arg-type]
    )
    root = logging.getLogger()
    level = root.level
    async with AsyncTestClient(app=create_app(settings)) as client:
        # After start-up: the app's logging config replaces the root handlers it finds.
        root.addHandler(kept)
        root.setLevel(logging.DEBUG)
        for name in ("showgeo_api", "showgeo_adapters", "showgeo_domain", "litestar", "httpx"):
            logging.getLogger(name).addHandler(kept)
        ana = await register(client, "ana")
        login = await client.post(
            "/auth/login", json={"email": ana.email, "password": ana.password}
        )
        refreshed = await client.post(
            "/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
        )
        await client.post(
            "/auth/login", json={"email": ana.email, "password": "wrong-password-xyz"}
        )
        await client.get("/auth/me", headers={"Authorization": f"Bearer {ana.access_token}x"})
        _, general = await shop(client)
        order = (await place(client, ana, seats(general, 1))).json()
        await pay(client, order["checkout"]["url"])
        await client.post(
            "/webhooks/localpay", content=b"{}", headers={"Showgeo-Signature": "t=1,v1=00"}
        )
    secrets = {
        ana.password,
        "wrong-password-xyz",
        ana.access_token,
        ana.refresh_token,
        login.json()["access_token"],
        login.json()["refresh_token"],
        refreshed.json()["refresh_token"],
        JWT_SECRET,
        LOCALPAY_SECRET,
    }
    root.setLevel(level)
    for name in ("", "showgeo_api", "showgeo_adapters", "showgeo_domain", "litestar", "httpx"):
        logging.getLogger(name or None).removeHandler(kept)
    assert len(kept.records) >= 5, "too little was logged: the test would prove nothing"
    for record in kept.records:
        text = record.getMessage() + (record.exc_text or "") + str(record.args or "")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{record.name}: {text[:200]}"
