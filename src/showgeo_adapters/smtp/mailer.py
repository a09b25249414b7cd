"""The Mailer on an SMTP server through aiosmtplib.

`SMTP_URL` says where and how: `smtp://user:pass@host:587` upgrades with STARTTLS when the
server offers it, `smtps://host:465` speaks TLS from the first byte; user and password are
optional. One connection per message: mail here is a trickle (resets, receipts), and a fresh
connection never inherits a half-broken one.

What failed decides what happens next: a 4xx reply, a refused or lost connection and a
timeout are temporary (retried later); a 5xx reply is permanent. A refused login (535) is
treated as temporary: it is this server's configuration, not the message, that is wrong, and
the mail should go out once that is fixed.
"""

from __future__ import annotations

import ssl
from urllib.parse import unquote, urlsplit

import aiosmtplib

from showgeo_adapters.mail_templates import MailComposer
from showgeo_domain.mail.errors import PermanentMailFailure, TemporaryMailFailure
from showgeo_domain.mail.model import MailMessage
from showgeo_domain.shared.clock import Clock


class SmtpMailer:
    def __init__(
        self,
        url: str,
        composer: MailComposer,
        clock: Clock,
        *,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:587 or smtps://host")
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or (465 if self._implicit_tls else 587)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._composer = composer
        self._clock = clock
        self._timeout = timeout
        self._tls_context = tls_context

    async def send(self, message: MailMessage) -> str:
        mail = self._composer.compose(message, self._clock.now())
        try:
            await aiosmtplib.send(
                mail,
                hostname=self._host,
                port=self._port,
                username=self._user,
                password=self._password,
                use_tls=self._implicit_tls,
                start_tls=None if not self._implicit_tls else False,
                tls_context=self._tls_context,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise TemporaryMailFailure(f"SMTP login refused: {exc.code} {exc.message}") from exc
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            failure = (
                TemporaryMailFailure if all(400 <= c < 500 for c in codes) else PermanentMailFailure
            )
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            raise failure(f"SMTP refused the recipient: {detail}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            failure = TemporaryMailFailure if 400 <= exc.code < 500 else PermanentMailFailure
            raise failure(f"SMTP answered {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryMailFailure(f"SMTP server unreachable: {exc}") from exc
        return str(mail["Message-ID"])
