"""The mails other contexts' events cause: one composer (and one template) per kind, one
consumer per source event.

`consumers(delivery, ...)` lists `(consumer name, subject, handler)`; the handlers are
idempotent on their own (the sent-mail key), so the API subscribes them as they are, outside
any unit of work (the send must not hold a transaction open). Receipts, verification and
digests will add their composer here.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

import msgspec

from showgeo_domain.identity.domain_events import PasswordResetRequested
from showgeo_domain.identity.services import PasswordRecovery
from showgeo_domain.mail.model import MailMessage, MailTemplate, Recipient
from showgeo_domain.mail.ports import MailUnitOfWork
from showgeo_domain.mail.services import MailDelivery
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.messaging import Handler, OutboxMessage


class PasswordResetMail:
    """The reset link for `PasswordResetRequested`: to the account's current address, with
    the token derived from the event. An expired request causes no mail (a retry that
    comes too late gives up instead of sending a dead link)."""

    def __init__(self, recovery: PasswordRecovery, clock: Clock, reset_page_url: str) -> None:
        self._recovery = recovery
        self._clock = clock
        self._page = reset_page_url

    async def __call__(self, uow: MailUnitOfWork, message: OutboxMessage) -> list[MailMessage]:
        event = msgspec.json.decode(message.payload, type=PasswordResetRequested)
        user = await uow.users.get(event.user_id)
        if user is None or event.expires_at <= self._clock.now():
            return []
        token = self._recovery.token_for(event.reset_id, event.expires_at)
        return [
            MailMessage(
                source_event_id=message.id,
                to=Recipient(user.email, user.display_name),
                subject="Reset your Showgeo password",
                template=MailTemplate.PASSWORD_RESET,
                variables={
                    "name": user.display_name,
                    "link": f"{self._page}?{urlencode({'token': token})}",
                    "minutes": str(math.ceil(self._recovery.ttl.total_seconds() / 60)),
                },
            )
        ]


def consumers(
    delivery: MailDelivery, reset_mail: PasswordResetMail
) -> list[tuple[str, str, Handler]]:
    return [
        (
            "mail.password_reset",
            PasswordResetRequested.subject(),
            delivery.consumer(MailTemplate.PASSWORD_RESET, reset_mail),
        ),
    ]
