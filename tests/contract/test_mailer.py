"""The Mailer contract, held against the memory fake, the `.eml` folder and the SMTP adapter
talking to a real SMTP server (aiosmtpd on a free port): what arrives, its headers and
alternatives, and which failures are temporary and which permanent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast
from uuid import uuid4

import pytest

from showgeo_adapters.localmail import FolderMailer
from showgeo_adapters.mail_templates import MailComposer
from showgeo_adapters.memory import FakeClock
from showgeo_adapters.memory.mailer import MemoryMailer
from showgeo_adapters.smtp import SmtpMailer
from showgeo_domain.mail.errors import (
    MailDeliveryFailed,
    PermanentMailFailure,
    TemporaryMailFailure,
)
from showgeo_domain.mail.model import MailMessage, MailTemplate, Recipient
from showgeo_domain.mail.ports import Mailer
from tests.support.smtp_server import free_port, smtp_server

SENDER = "Showgeo <noreply@showgeo.test>"


@dataclass
class MailerBackend:
    name: str
    mailer: Mailer
    delivered: Callable[[], list[EmailMessage]]
    refuse: Callable[[int], None]
    """Make every following send fail as a server answering this code would."""


def _reset_mail(name: str = "Ana", subject: str = "Reset your Showgeo password") -> MailMessage:
    return MailMessage(
        source_event_id=uuid4(),
        to=Recipient("ana@example.com", name),
        subject=subject,
        template=MailTemplate.PASSWORD_RESET,
        variables={
            "name": name,
            "link": "http://127.0.0.1:8000/reset?token=abc.def&x=<b>",
            "minutes": "30",
        },
    )


@pytest.fixture(params=["memory", "folder", "smtp"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MailerBackend]:
    composer = MailComposer(SENDER, "http://127.0.0.1:8000")
    clock = FakeClock()
    if request.param == "memory":
        fake = MemoryMailer(composer, clock)

        def refuse_memory(code: int) -> None:
            kind = TemporaryMailFailure if code < 500 else PermanentMailFailure
            fake.failure = kind(f"{code} refused")

        yield MailerBackend("memory", fake, lambda: fake.sent, refuse_memory)
    elif request.param == "folder":
        folder = FolderMailer(tmp_path / "mail", composer, clock)

        def read_folder() -> list[EmailMessage]:
            return [
                cast(EmailMessage, message_from_bytes(p.read_bytes(), policy=policy.default))
                for p in sorted(folder.directory.glob("*.eml"))
            ]

        def refuse_folder(code: int) -> None:
            assert code < 500, "a folder has no permanent refusal"
            blocker = tmp_path / "not-a-folder"
            blocker.write_text("a file where the folder should be")
            folder.directory = blocker / "mail"

        yield MailerBackend("folder", folder, read_folder, refuse_folder)
    else:
        with smtp_server() as (url, inbox):

            def refuse_smtp(code: int) -> None:
                inbox.refuse_with = (
                    f"{code} {'4.3.0 try later' if code < 500 else '5.1.1 no such user'}"
                )

            yield MailerBackend(
                "smtp", SmtpMailer(url, composer, clock), lambda: inbox.received, refuse_smtp
            )


async def test_a_sent_message_arrives_with_text_and_html(backend: MailerBackend) -> None:
    mail = _reset_mail()
    message_id = await backend.mailer.send(mail)
    [received] = backend.delivered()
    assert received["Subject"] == "Reset your Showgeo password"
    assert received["To"].addresses[0].addr_spec == "ana@example.com"
    assert received["To"].addresses[0].display_name == "Ana"
    assert received["From"].addresses[0].addr_spec == "noreply@showgeo.test"
    assert received["Message-ID"] == message_id
    assert message_id == f"<{mail.key.reference}@showgeo.test>"
    assert received["Date"] is not None
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "http://127.0.0.1:8000/reset?token=abc.def&x=<b>" in text.get_content()
    assert "token=abc.def&amp;x=&lt;b&gt;" in html.get_content()  # escaped in HTML
    assert "30 minutes" in text.get_content()


async def test_the_same_mail_keeps_its_message_id(backend: MailerBackend) -> None:
    mail = _reset_mail()
    assert await backend.mailer.send(mail) == await backend.mailer.send(mail)


async def test_crlf_in_subject_and_name_cannot_add_a_header(backend: MailerBackend) -> None:
    mail = _reset_mail(
        name="Ana\r\nBcc: victim@example.com",
        subject="Hello\r\nBcc: victim@example.com\nX-Evil: 1",
    )
    await backend.mailer.send(mail)
    [received] = backend.delivered()
    assert received["Bcc"] is None
    assert received["X-Evil"] is None
    assert received["Subject"] == "Hello Bcc: victim@example.com X-Evil: 1"
    assert [a.addr_spec for a in received["To"].addresses] == ["ana@example.com"]


async def test_a_4xx_answer_is_temporary(backend: MailerBackend) -> None:
    backend.refuse(451)
    with pytest.raises(TemporaryMailFailure):
        await backend.mailer.send(_reset_mail())
    assert backend.delivered() == []


@pytest.mark.parametrize("backend", ["memory", "smtp"], indirect=True)  # a folder has no 5xx
async def test_a_5xx_answer_is_permanent(backend: MailerBackend) -> None:
    backend.refuse(550)
    with pytest.raises(PermanentMailFailure) as caught:
        await backend.mailer.send(_reset_mail())
    assert not caught.value.temporary
    assert backend.delivered() == []


async def test_an_smtp_server_that_is_not_there_is_a_temporary_failure() -> None:
    composer = MailComposer(SENDER, "http://127.0.0.1:8000")
    mailer = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", composer, FakeClock(), timeout=5)
    with pytest.raises(MailDeliveryFailed) as caught:
        await mailer.send(_reset_mail())
    assert caught.value.temporary
