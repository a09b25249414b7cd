"""Sending mail from the outbox: once per (source event, recipient, template), retried on
temporary failures, given up on permanent ones, every outcome recorded.

A source event's consumer (`MailDelivery.consumer`) records one pending row per mail the
event causes, commits, and then tries each: the database transaction is over before any
mail server is spoken to, so a slow or dead server holds no connection and no lock (on
SQLite that would stall every writer). A temporary failure sets the row's next attempt
(growing backoff) and the consumer returns: the bus moves on, and `retry_due` (a worker job)
takes the row again when it is due. Before each attempt the row is claimed (its next
attempt pushed past the attempt), so two workers never send it both; a worker that dies
mid-send leaves the claim to expire and the mail is tried again, which is the one case a
mail can go out twice: the Message-ID stays the same (derived from the key), so clients
show one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping, Sequence
from datetime import timedelta

from showgeo_domain.mail.errors import MailDeliveryFailed, TemporaryMailFailure
from showgeo_domain.mail.model import MailKey, MailMessage, MailStatus, MailTemplate, SentMail
from showgeo_domain.mail.ports import MailComposer, Mailer, MailUnitOfWork
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.messaging import Handler, OutboxMessage
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("showgeo.mail")

DEFAULT_BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
)
DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_HOURLY_CAP = 20
DEFAULT_CONCURRENCY = 4
CLAIM = timedelta(minutes=2)
"""How long one attempt may take before another worker may try the mail again."""


class MailDelivery:
    def __init__(
        self,
        uow: UnitOfWorkFactory[MailUnitOfWork],
        mailer: Mailer,
        clock: Clock,
        *,
        composers: Mapping[MailTemplate, MailComposer] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        hourly_cap: int = DEFAULT_HOURLY_CAP,
        backoff: Sequence[timedelta] = DEFAULT_BACKOFF,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        if concurrency < 1 or hourly_cap < 1 or max_attempts < 1 or not backoff:
            raise ValueError("concurrency, hourly cap, attempts and backoff must be positive")
        self._uow = uow
        self._mailer = mailer
        self._clock = clock
        self._composers: dict[MailTemplate, MailComposer] = dict(composers or {})
        self._sending = asyncio.Semaphore(concurrency)
        self._retrying = asyncio.Semaphore(concurrency)
        self._cap = hourly_cap
        self._backoff = tuple(backoff)
        self._max_attempts = max_attempts

    def consumer(self, template: MailTemplate, compose: MailComposer) -> Handler:
        """The bus handler for one source event: records and sends the mails `compose`
        makes of it. Idempotent on its own (the sent-mail key), so subscribed as it is."""
        self._composers[template] = compose

        async def handle(message: OutboxMessage) -> None:
            await self.accept(message, compose)

        return handle

    async def accept(self, message: OutboxMessage, compose: MailComposer) -> int:
        """Record the mails `message` causes, then try each new one; returns how many were
        sent now. Mails already recorded (a redelivery) are left to their own record."""
        async with self._uow() as uow:
            mails = await compose(uow, message)
            fresh: list[MailMessage] = []
            now = self._clock.now()
            for mail in mails:
                record = SentMail.pending(
                    mail.key,
                    source_subject=message.subject,
                    source_payload=message.payload,
                    now=now,
                )
                if await uow.sent_mail.add(record):
                    fresh.append(mail)
            if fresh:
                await uow.commit()
        outcomes = await asyncio.gather(*(self._attempt(mail) for mail in fresh))
        return sum(1 for status in outcomes if status is MailStatus.SENT)

    async def retry_due(self, limit: int = 100) -> int:
        """Try again every pending mail whose time has come (the worker runs this every few
        seconds); returns how many were sent."""
        async with self._uow(read_only=True) as uow:
            due = await uow.sent_mail.due(self._clock.now(), limit)
        outcomes = await asyncio.gather(*(self._bounded(self._retry(record)) for record in due))
        return sum(1 for status in outcomes if status is MailStatus.SENT)

    async def _bounded(self, work: Awaitable[MailStatus | None]) -> MailStatus | None:
        """At most `concurrency` retries at once, so a backlog does not take every database
        connection at once either."""
        async with self._retrying:
            return await work

    async def _retry(self, record: SentMail) -> MailStatus | None:
        compose = self._composers.get(record.key.template)
        if compose is None:
            return None  # a template this process does not send (yet): another one will
        source = OutboxMessage(
            id=record.key.source_event_id,
            subject=record.source_subject,
            payload=record.source_payload,
            occurred_at=record.created_at,
        )
        async with self._uow(read_only=True) as uow:
            mails = await compose(uow, source)
        mail = next((m for m in mails if m.key == record.key), None)
        if mail is None:  # the source no longer causes this mail (e.g. its link expired)
            return await self._give_up(record.key, "no longer applies")
        return await self._attempt(mail)

    async def _attempt(self, mail: MailMessage) -> MailStatus | None:
        """Claim, check the cap, send, record. None when someone else has the mail."""
        key = mail.key
        async with self._uow() as uow:
            now = self._clock.now()
            if not await uow.sent_mail.claim(key, now, now + CLAIM):
                return None
            record = await uow.sent_mail.get(key)
            if record is None:
                return None
            if await uow.sent_mail.sent_since(key.recipient, now - timedelta(hours=1)) >= self._cap:
                record.capped(now)
                await uow.sent_mail.update(record)
                await uow.commit()
                log.warning("mail %s to %s not sent: hourly cap", key.template, key.recipient)
                return record.status
            await uow.commit()
        try:
            async with self._sending:
                message_id = await self._mailer.send(mail)
        except MailDeliveryFailed as exc:
            return await self._failed(record, exc)
        except Exception as exc:  # a bug or an outage of our own: counted, so it ends
            log.exception("mail %s to %s could not be sent", key.template, key.recipient)
            return await self._failed(record, TemporaryMailFailure(f"{type(exc).__name__}: {exc}"))
        async with self._uow() as uow:
            record.sent(message_id, self._clock.now())
            await uow.sent_mail.update(record)
            await uow.commit()
        return record.status

    async def _failed(self, record: SentMail, exc: MailDeliveryFailed) -> MailStatus:
        now = self._clock.now()
        retry_at = None
        if exc.temporary and record.attempts + 1 < self._max_attempts:
            retry_at = now + self._backoff[min(record.attempts, len(self._backoff) - 1)]
        record.failed(exc.detail, now, retry_at=retry_at)
        async with self._uow() as uow:
            await uow.sent_mail.update(record)
            await uow.commit()
        log.warning(
            "mail %s to %s failed (attempt %d, %s): %s",
            record.key.template,
            record.key.recipient,
            record.attempts,
            "will retry" if retry_at else "given up",
            exc.detail,
        )
        return record.status

    async def _give_up(self, key: MailKey, reason: str) -> MailStatus | None:
        async with self._uow() as uow:
            now = self._clock.now()
            record = await uow.sent_mail.get(key)
            if record is None or record.status.is_final:
                return None
            record.failed(reason, now, retry_at=None)
            await uow.sent_mail.update(record)
            await uow.commit()
            return record.status
