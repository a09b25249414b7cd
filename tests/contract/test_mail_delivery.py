"""Mail sent from the outbox, against each store (memory, SQLite, PostgreSQL): once per
(source event, recipient, template), retried after temporary failures, given up on
permanent ones, capped per recipient and hour."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import msgspec

from showgeo_adapters.mail_templates import MailComposer
from showgeo_adapters.memory import FakeClock
from showgeo_adapters.memory.mailer import MemoryMailer
from showgeo_adapters.smtp import SmtpMailer
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.identity.model import PasswordReset
from showgeo_domain.mail.errors import PermanentMailFailure, TemporaryMailFailure
from showgeo_domain.mail.model import MailKey, MailMessage, MailStatus, MailTemplate, Recipient
from showgeo_domain.mail.ports import MailUnitOfWork
from showgeo_domain.mail.services import MailDelivery
from showgeo_domain.shared.messaging import OutboxMessage
from tests.contract.builders import a_user, store
from tests.support.smtp_server import free_port, smtp_server


class Greeting(msgspec.Struct):
    to: list[str]


async def compose(uow: MailUnitOfWork, message: OutboxMessage) -> list[MailMessage]:
    """A test composer: one reset-shaped mail per address the event names."""
    event = msgspec.json.decode(message.payload, type=Greeting)
    return [
        MailMessage(
            source_event_id=message.id,
            to=Recipient(address),
            subject="Hello",
            template=MailTemplate.PASSWORD_RESET,
            variables={"name": "you", "link": "http://x.test/r", "minutes": "30"},
        )
        for address in event.to
    ]


def _event(clock: FakeClock, *to: str) -> OutboxMessage:
    return OutboxMessage(
        id=uuid4(),
        subject="showgeo.test.greeting",
        payload=msgspec.json.encode(Greeting(list(to))),
        occurred_at=clock.now(),
    )


def _delivery(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, **options: int
) -> tuple[MailDelivery, MemoryMailer]:
    mailer = MemoryMailer(MailComposer("noreply@showgeo.test", "http://x.test"), clock)
    delivery = MailDelivery(
        uow_factory,
        mailer,
        clock,
        composers={MailTemplate.PASSWORD_RESET: compose},
        backoff=[timedelta(seconds=30)],
        **options,
    )
    return delivery, mailer


async def _status(uow_factory: PlatformUnitOfWorkFactory, key: MailKey) -> MailStatus | None:
    async with uow_factory() as uow:
        record = await uow.sent_mail.get(key)
    return None if record is None else record.status


async def test_a_redelivered_event_sends_nothing_again(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    delivery, mailer = _delivery(uow_factory, clock)
    event = _event(clock, "ana@example.com", "bo@example.com")
    assert await delivery.accept(event, compose) == 2
    assert await delivery.accept(event, compose) == 0
    clock.advance(timedelta(hours=1))
    assert await delivery.retry_due() == 0
    assert sorted(m["To"].addresses[0].addr_spec for m in mailer.sent) == [
        "ana@example.com",
        "bo@example.com",
    ]


async def test_a_burst_while_the_server_is_down_goes_out_once_when_it_is_back(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    delivery, mailer = _delivery(uow_factory, clock, concurrency=8)
    mailer.failure = TemporaryMailFailure("421 service not available")
    events = [_event(clock, f"fan{i}@example.com") for i in range(200)]
    for event in events:
        assert await delivery.accept(event, compose) == 0
    assert await delivery.retry_due(limit=500) == 0  # nothing due before the backoff
    clock.advance(timedelta(seconds=31))
    assert await delivery.retry_due(limit=500) == 0  # still down: attempt two fails too
    mailer.failure = None
    for event in events:  # the bus redelivers some: still nothing new
        await delivery.accept(event, compose)
    assert mailer.sent == []
    clock.advance(timedelta(seconds=31))
    sent = 0
    for _ in range(3):
        sent += await delivery.retry_due(limit=150)
    assert sent == 200
    ids = [m["Message-ID"] for m in mailer.sent]
    assert len(ids) == len(set(ids)) == 200
    clock.advance(timedelta(hours=2))
    assert await delivery.retry_due(limit=500) == 0


async def test_a_permanent_failure_is_recorded_and_never_retried(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    delivery, mailer = _delivery(uow_factory, clock)
    mailer.failure = PermanentMailFailure("550 5.1.1 no such user")
    event = _event(clock, "gone@example.com")
    await delivery.accept(event, compose)
    key = MailKey(event.id, "gone@example.com", MailTemplate.PASSWORD_RESET)
    assert await _status(uow_factory, key) is MailStatus.FAILED
    mailer.failure = None
    clock.advance(timedelta(days=1))
    assert await delivery.retry_due() == 0
    assert mailer.sent == []


async def test_temporary_failures_give_up_after_the_last_attempt(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    delivery, mailer = _delivery(uow_factory, clock, max_attempts=3)
    mailer.failure = TemporaryMailFailure("451 try later")
    event = _event(clock, "ana@example.com")
    await delivery.accept(event, compose)
    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        await delivery.retry_due()
    key = MailKey(event.id, "ana@example.com", MailTemplate.PASSWORD_RESET)
    assert await _status(uow_factory, key) is MailStatus.FAILED


async def test_a_recipient_gets_at_most_the_hourly_cap(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    delivery, mailer = _delivery(uow_factory, clock, hourly_cap=3)
    events = [_event(clock, "ana@example.com") for _ in range(5)]
    for event in events:
        await delivery.accept(event, compose)
        clock.advance(timedelta(minutes=1))
    assert len(mailer.sent) == 3
    capped = MailKey(events[4].id, "ana@example.com", MailTemplate.PASSWORD_RESET)
    assert await _status(uow_factory, capped) is MailStatus.CAPPED
    clock.advance(timedelta(hours=1))
    await delivery.accept(_event(clock, "ana@example.com"), compose)
    assert len(mailer.sent) == 4


async def test_a_reset_link_is_consumed_once(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    user = a_user(clock, "ana")
    await store(uow_factory, users=[user])
    reset = PasswordReset.issue(
        user_id=user.id, now=clock.tick(), sign=lambda m: "sig", ttl=timedelta(minutes=30)
    )
    async with uow_factory() as uow:
        await uow.password_resets.add(reset)
        await uow.commit()
    async with uow_factory() as uow:
        resets = uow.password_resets
        found = await resets.get_by_hash(reset.token_hash)
        assert found is not None
        assert found.id == reset.id
        assert found.used_at is None
        assert await resets.consume(reset.id, clock.tick())
        assert not await resets.consume(reset.id, clock.tick())
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.password_resets.get(reset.id)
        assert again is not None
        assert again.used_at is not None


async def test_a_real_smtp_server_down_during_a_burst_gets_each_mail_once_when_back(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """No mocks: the SMTP adapter against a port nobody listens on, then aiosmtpd there."""
    port = free_port()
    mailer = SmtpMailer(
        f"smtp://127.0.0.1:{port}",
        MailComposer("noreply@showgeo.test", "http://x.test"),
        clock,
        timeout=5,
    )
    delivery = MailDelivery(
        uow_factory,
        mailer,
        clock,
        composers={MailTemplate.PASSWORD_RESET: compose},
        backoff=[timedelta(seconds=30)],
        concurrency=8,
    )
    events = [_event(clock, f"fan{i}@example.com") for i in range(200)]
    for event in events:
        assert await delivery.accept(event, compose) == 0
    with smtp_server(port) as (_, inbox):
        for event in events[:20]:  # redelivered by the bus meanwhile: nothing new
            assert await delivery.accept(event, compose) == 0
        clock.advance(timedelta(seconds=31))
        sent = await delivery.retry_due(limit=500)
        clock.advance(timedelta(hours=1))
        sent += await delivery.retry_due(limit=500)
    assert sent == 200
    recipients = [rcpt for _, rcpts in inbox.envelopes for rcpt in rcpts]
    assert sorted(recipients) == sorted(f"fan{i}@example.com" for i in range(200))
