"""Password recovery on the memory adapters: a reset is issued only for an account, the
mail's token is derived (never stored), works once and not after 30 minutes, and a reset
ends every session of the account."""

from __future__ import annotations

from datetime import timedelta
from typing import cast
from uuid import UUID

import msgspec
import pytest

from showgeo_adapters.mail_templates import MailComposer
from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_adapters.memory.mailer import MemoryMailer
from showgeo_adapters.security import HmacSigner
from showgeo_domain.identity.domain_events import (
    PasswordChanged,
    PasswordResetRequested,
    RefreshFamilyRevoked,
)
from showgeo_domain.identity.errors import InvalidRefreshToken, PasswordResetInvalid
from showgeo_domain.identity.ports import PasswordRecoveryUnitOfWork
from showgeo_domain.identity.services import Authentication, PasswordRecovery
from showgeo_domain.mail.handlers import PasswordResetMail
from showgeo_domain.mail.model import MailTemplate
from showgeo_domain.mail.services import MailDelivery
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.messaging import OutboxMessage
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory
from tests.domain.conftest import PASSWORD, FakePasswordHasher, events_of

NEW = "a brand new passphrase"


@pytest.fixture
def recovery(uow: object, hasher: FakePasswordHasher, clock: FakeClock) -> PasswordRecovery:
    return PasswordRecovery(
        uow,
        hasher,
        HmacSigner("test-secret", "showgeo password reset"),
        clock,
    )


def _requested(store: MemoryStore) -> PasswordResetRequested:
    [event] = events_of(store, PasswordResetRequested)
    return cast(PasswordResetRequested, event)


def _token(recovery: PasswordRecovery, store: MemoryStore) -> str:
    event = _requested(store)
    return recovery.token_for(event.reset_id, event.expires_at)


async def test_forgot_for_an_unknown_or_malformed_address_does_nothing(
    recovery: PasswordRecovery, store: MemoryStore
) -> None:
    await recovery.forgot("nobody@example.com")
    await recovery.forgot("not an address\r\n")
    assert events_of(store, PasswordResetRequested) == []
    assert store.state.password_resets == {}


async def test_only_the_hash_of_the_token_is_stored(
    auth: Authentication, recovery: PasswordRecovery, store: MemoryStore
) -> None:
    await auth.register(email="ana@example.com", username="ana", password=PASSWORD)
    await recovery.forgot(" ANA@example.com ")
    token = _token(recovery, store)
    [reset] = store.state.password_resets.values()
    assert token not in reset.token_hash
    assert token.encode() not in msgspec.json.encode(_requested(store))
    assert reset.expires_at - reset.created_at == timedelta(minutes=30)


async def test_a_token_works_once_and_ends_every_session(
    auth: Authentication, recovery: PasswordRecovery, store: MemoryStore
) -> None:
    first = await auth.register(email="ana@example.com", username="ana", password=PASSWORD)
    second = await auth.login(email="ana@example.com", password=PASSWORD)
    await recovery.forgot("ana@example.com")
    token = _token(recovery, store)
    with pytest.raises(InvalidInput):  # too short: refused before the token is spent
        await recovery.reset(token, "short")
    await recovery.reset(token, NEW)
    with pytest.raises(PasswordResetInvalid):
        await recovery.reset(token, NEW)
    for session in (first, second):
        with pytest.raises(InvalidRefreshToken):
            await auth.refresh(session.refresh_token)
    revoked = events_of(store, RefreshFamilyRevoked)
    assert len(revoked) == 2
    assert {cast(RefreshFamilyRevoked, e).reason for e in revoked} == {"password_reset"}
    assert len(events_of(store, PasswordChanged)) == 1
    await auth.login(email="ana@example.com", password=NEW)


async def test_a_token_is_refused_after_thirty_minutes(
    auth: Authentication, recovery: PasswordRecovery, store: MemoryStore, clock: FakeClock
) -> None:
    await auth.register(email="ana@example.com", username="ana", password=PASSWORD)
    await recovery.forgot("ana@example.com")
    token = _token(recovery, store)
    clock.advance(timedelta(minutes=30))
    with pytest.raises(PasswordResetInvalid):
        await recovery.reset(token, NEW)


async def test_a_forged_token_is_refused(
    auth: Authentication, recovery: PasswordRecovery, store: MemoryStore
) -> None:
    await auth.register(email="ana@example.com", username="ana", password=PASSWORD)
    await recovery.forgot("ana@example.com")
    event = _requested(store)
    forged = PasswordRecovery(
        cast("UnitOfWorkFactory[PasswordRecoveryUnitOfWork]", None),
        FakePasswordHasher(),
        HmacSigner("another-secret", "showgeo password reset"),
        FakeClock(),
    ).token_for(event.reset_id, event.expires_at)
    with pytest.raises(PasswordResetInvalid):
        await recovery.reset(forged, NEW)


async def test_the_reset_mail_carries_the_working_link_and_expires_with_it(
    auth: Authentication,
    recovery: PasswordRecovery,
    store: MemoryStore,
    uow: object,
    clock: FakeClock,
) -> None:
    await auth.register(
        email="ana@example.com", username="ana", password=PASSWORD, display_name="Ana"
    )
    await recovery.forgot("ana@example.com")
    event = _requested(store)
    message = OutboxMessage(
        event.id, event.subject(), msgspec.json.encode(event), event.occurred_at
    )
    compose = PasswordResetMail(recovery, clock, "http://x.test/app/password/reset")
    mailer = MemoryMailer(MailComposer("noreply@x.test", "http://x.test"), clock)
    delivery = MailDelivery(uow, mailer, clock)
    assert await delivery.accept(message, compose) == 1
    [mail] = mailer.sent
    assert _token(recovery, store) in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    clock.advance(timedelta(minutes=31))
    redelivered = OutboxMessage(
        UUID(int=1), event.subject(), msgspec.json.encode(event), event.occurred_at
    )
    assert await delivery.accept(redelivered, compose) == 0  # expired: no dead link is sent
    assert [k.template for k in store.state.sent_mail] == [MailTemplate.PASSWORD_RESET]
    assert len(mailer.sent) == 1
