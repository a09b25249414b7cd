"""A Mailer for tests and embedding: keeps each message as the `EmailMessage` the real
adapters would send, and fails on demand the way a mail server does."""

from __future__ import annotations

from email.message import EmailMessage

from showgeo_adapters.mail_templates import MailComposer
from showgeo_domain.mail.errors import MailDeliveryFailed
from showgeo_domain.mail.model import MailMessage
from showgeo_domain.shared.clock import Clock


class MemoryMailer:
    def __init__(self, composer: MailComposer, clock: Clock) -> None:
        self._composer = composer
        self._clock = clock
        self.sent: list[EmailMessage] = []
        self.failure: MailDeliveryFailed | None = None
        """Raised by every send while set (a server that is down or refuses)."""

    async def send(self, message: MailMessage) -> str:
        if self.failure is not None:
            raise self.failure
        mail = self._composer.compose(message, self._clock.now())
        self.sent.append(mail)
        return str(mail["Message-ID"])
