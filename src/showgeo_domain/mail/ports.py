"""What mail needs from the outside world: something that delivers a message, and a table
that remembers what was sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from showgeo_domain.identity.ports import UsersUnitOfWork
from showgeo_domain.mail.model import MailKey, MailMessage, SentMail
from showgeo_domain.shared.messaging import OutboxMessage


class Mailer(Protocol):
    async def send(self, message: MailMessage) -> str:
        """Deliver one message; returns its Message-ID. Raises `TemporaryMailFailure`
        (try again later) or `PermanentMailFailure` (do not)."""
        ...


class SentMailRepository(Protocol):
    async def add(self, mail: SentMail) -> bool:
        """Store a new record; False (and nothing stored) when its key is already known."""
        ...

    async def get(self, key: MailKey) -> SentMail | None: ...

    async def claim(self, key: MailKey, now: datetime, until: datetime) -> bool:
        """Take a pending, due mail for one attempt: its next attempt moves to `until`, so
        another worker leaves it alone meanwhile (and takes it again if this one dies).
        False when it is not pending, not due, or someone else took it first."""
        ...

    async def update(self, mail: SentMail) -> None:
        """Write status, attempts, next attempt, last error, Message-ID and sent time."""
        ...

    async def due(self, now: datetime, limit: int) -> list[SentMail]:
        """Pending mails whose next attempt is at or before `now`, oldest first."""
        ...

    async def sent_since(self, recipient: str, since: datetime) -> int:
        """How many mails went to `recipient` at or after `since` (the hourly cap)."""
        ...


class MailUnitOfWork(UsersUnitOfWork, Protocol):
    """What sending needs: the recipients' accounts and the record of every mail."""

    sent_mail: SentMailRepository


MailComposer = Callable[[MailUnitOfWork, OutboxMessage], Awaitable[list[MailMessage]]]
"""Turns one source event into the mails it causes (none, one, or one per recipient). It
must be deterministic: a retry composes the message again from the same event."""
