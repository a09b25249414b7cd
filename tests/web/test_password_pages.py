"""Forgot password and choose a new one in the browser app: the mail lands in MAIL_DIR as an
`.eml` (the embedded default), its link opens the reset page, the form sets the password
once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.web.pages import csrf, log_in, sign_up, submit, text, until

NEW_PASSWORD = "a brand new passphrase"


def _mails(folder: Path) -> list[EmailMessage]:
    return [
        cast(EmailMessage, message_from_bytes(p.read_bytes(), policy=policy.default))
        for p in sorted(folder.glob("*.eml"))
    ]


@pytest.fixture
async def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
async def client(settings: Settings, mail_dir: Path) -> AsyncIterator[AsyncTestClient]:
    with_folder = msgspec.structs.replace(settings, mail_dir=str(mail_dir))
    async with AsyncTestClient(app=create_app(with_folder)) as test_client:
        yield test_client


async def test_forgot_then_reset_through_the_pages(client: AsyncTestClient, mail_dir: Path) -> None:
    await sign_up(client, "ana")
    client.cookies.clear()
    login = await client.get("/app/login")
    assert "/app/password/forgot" in login.text

    token = await csrf(client, "/app/password/forgot")
    sent = await submit(client, "/app/password/forgot", {"email": "ana@example.com"}, token=token)
    assert sent.status_code == 200
    assert "is on its way" in text(sent.text)

    async def mailed() -> bool:
        return bool(_mails(mail_dir))

    await until(mailed)
    [mail] = _mails(mail_dir)
    body = mail.get_body(("plain",))
    assert body is not None
    link = next(w for w in body.get_content().split() if "/app/password/reset?" in w)
    page = urlsplit(link)
    form_page = await client.get(f"{page.path}?{page.query}")
    assert form_page.status_code == 200
    assert 'name="token"' in form_page.text

    reset_token = await csrf(client, f"{page.path}?{page.query}")
    the_token = parse_qs(page.query)["token"][0]
    done = await submit(
        client,
        "/app/password/reset",
        {"token": the_token, "password": NEW_PASSWORD},
        token=reset_token,
    )
    assert done.status_code == 200
    assert "Your password is changed" in text(done.text)

    again = await submit(
        client,
        "/app/password/reset",
        {"token": the_token, "password": NEW_PASSWORD},
        token=reset_token,
    )
    assert "invalid, expired or used" in text(again.text)
    await log_in(client, "ana@example.com", NEW_PASSWORD)
