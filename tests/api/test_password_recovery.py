"""Password recovery end to end: `POST /auth/password/forgot` raises an event, the mail
consumer sends the reset mail to a real SMTP server (aiosmtpd on a free port) from the
outbox, and the link's token sets a new password once, ending every old session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import check_published_events, register
from tests.support.smtp_server import Inbox, smtp_server
from tests.support.waiting import eventually

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def inbox() -> Iterator[tuple[str, Inbox]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
async def mail_client(
    settings: Settings, inbox: tuple[str, Inbox], tmp_path: Path
) -> AsyncIterator[AsyncTestClient]:
    url, _ = inbox
    with_smtp = msgspec.structs.replace(settings, smtp_url=url)
    async with AsyncTestClient(app=create_app(with_smtp)) as client:
        yield client
    await check_published_events(settings.database_url)


def _token(mail: EmailMessage) -> str:
    text = mail.get_body(("plain",))
    assert text is not None
    link = next(w for w in text.get_content().split() if "/app/password/reset?" in w)
    return parse_qs(urlsplit(link).query)["token"][0]


async def test_a_reset_mail_arrives_and_its_link_works_once(
    mail_client: AsyncTestClient, inbox: tuple[str, Inbox]
) -> None:
    _, received = inbox
    ana = await register(mail_client, "ana")
    forgot = await mail_client.post("/auth/password/forgot", json={"email": "ANA@example.com"})
    assert forgot.status_code == 202
    await eventually(lambda: len(received.received) == 1)
    [mail] = received.received
    assert mail["To"].addresses[0].addr_spec == "ana@example.com"
    assert mail["Subject"] == "Reset your Showgeo password"
    assert mail.get_body(("html",)) is not None
    token = _token(mail)

    reset = await mail_client.post(
        "/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    assert reset.status_code == 204, reset.text

    again = await mail_client.post(
        "/auth/password/reset", json={"token": token, "password": "yet another one!"}
    )
    assert again.status_code == 400
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["code"] == "reset_token_invalid"

    old_session = await mail_client.post("/auth/refresh", json={"refresh_token": ana.refresh_token})
    assert old_session.status_code == 401
    old_password = await mail_client.post(
        "/auth/login", json={"email": ana.email, "password": ana.password}
    )
    assert old_password.status_code == 401
    new_password = await mail_client.post(
        "/auth/login", json={"email": ana.email, "password": NEW_PASSWORD}
    )
    assert new_password.status_code == 200
    assert len(received.received) == 1  # the mail went out once


async def test_forgot_answers_the_same_for_an_unknown_address(
    mail_client: AsyncTestClient, inbox: tuple[str, Inbox]
) -> None:
    _, received = inbox
    await register(mail_client, "bob")
    known = await mail_client.post("/auth/password/forgot", json={"email": "bob@example.com"})
    unknown = await mail_client.post("/auth/password/forgot", json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    await eventually(lambda: len(received.received) == 1)
    assert [m["To"].addresses[0].addr_spec for m in received.received] == ["bob@example.com"]


async def test_a_forged_token_is_refused(mail_client: AsyncTestClient) -> None:
    response = await mail_client.post(
        "/auth/password/reset", json={"token": "abc.123.forged", "password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reset_token_invalid"


async def test_forgot_is_rate_limited(settings: Settings) -> None:
    strict = msgspec.structs.replace(settings, auth_rate_limit_per_account=2)
    async with AsyncTestClient(app=create_app(strict)) as client:
        codes = [
            (
                await client.post("/auth/password/forgot", json={"email": "x@example.com"})
            ).status_code
            for _ in range(3)
        ]
    assert codes == [202, 202, 429]
