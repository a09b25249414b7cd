"""Refresh tokens are single-use: rotation hands out the next token of the family, and a
replayed token is treated as theft, killing the whole family."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from showgeo_adapters.memory import FakeClock, MemoryStore, memory_uow_factory
from showgeo_domain.identity.domain_events import RefreshFamilyRevoked
from showgeo_domain.identity.errors import InvalidRefreshToken, RefreshTokenReused
from showgeo_domain.identity.model import (
    RefreshFamily,
    RefreshToken,
    RotationVerdict,
    hash_refresh_secret,
    rotation_verdict,
)
from showgeo_domain.identity.services import Authentication
from tests.domain.conftest import PASSWORD, FakeAccessTokens, FakePasswordHasher

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TTL = timedelta(hours=1)


def token_and_family(
    *, revoked: bool = False, used: bool = False, expires_at: datetime = NOW + TTL
) -> tuple[RefreshToken, RefreshFamily]:
    family = RefreshFamily(UUID(int=1), UUID(int=2), NOW, revoked_at=NOW if revoked else None)
    token, _ = RefreshToken.issue(family=family, now=expires_at - TTL, ttl=TTL)
    token.used_at = NOW if used else None
    return token, family


def test_an_unused_live_token_rotates() -> None:
    token, family = token_and_family()
    assert rotation_verdict(token, family, NOW) is RotationVerdict.ROTATE


def test_a_token_expires_at_exactly_expires_at() -> None:
    token, family = token_and_family()
    tick = timedelta(microseconds=1)
    assert rotation_verdict(token, family, token.expires_at - tick) is RotationVerdict.ROTATE
    assert rotation_verdict(token, family, token.expires_at) is RotationVerdict.EXPIRED


def test_reuse_beats_expiry() -> None:
    token, family = token_and_family(used=True)
    assert rotation_verdict(token, family, token.expires_at + TTL) is RotationVerdict.REUSED


def test_a_revoked_family_wins_over_everything() -> None:
    token, family = token_and_family(revoked=True, used=True)
    assert rotation_verdict(token, family, token.expires_at + TTL) is RotationVerdict.REVOKED


@given(
    revoked=st.booleans(),
    used=st.booleans(),
    offset=st.timedeltas(min_value=-2 * TTL, max_value=2 * TTL),
)
def test_verdict_precedence_is_revoked_then_reused_then_expired(
    revoked: bool, used: bool, offset: timedelta
) -> None:
    token, family = token_and_family(revoked=revoked, used=used)
    now = token.expires_at + offset
    if revoked:
        expected = RotationVerdict.REVOKED
    elif used:
        expected = RotationVerdict.REUSED
    elif offset >= timedelta(0):
        expected = RotationVerdict.EXPIRED
    else:
        expected = RotationVerdict.ROTATE
    assert rotation_verdict(token, family, now) is expected


@dataclass
class FamilyModel:
    """What the client side knows about one login: its tokens, oldest first."""

    tokens: list[tuple[str, datetime]] = field(default_factory=list)  # (secret, expires_at)
    revoked: bool = False

    @property
    def newest(self) -> tuple[str, datetime]:
        return self.tokens[-1]


EMAIL = "ana@example.com"


class RefreshSessions(RuleBasedStateMachine):
    """Logins, rotations, replays, logouts and time passing, checked against a model where a
    refresh succeeds iff the token is its family's newest, the family is live and the token
    has not expired."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.store = MemoryStore()
        self.clock = FakeClock(NOW)
        self.auth = Authentication(
            memory_uow_factory(self.store),
            FakePasswordHasher(),
            FakeAccessTokens(),
            self.clock,
            refresh_ttl=TTL,
        )
        session = self.run(self.auth.register(email=EMAIL, username="ana", password=PASSWORD))
        self.user_id = session.user.id
        self.families = [FamilyModel([(session.refresh_token, NOW + TTL)])]
        self.revocations = 0

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.loop.close()

    def _accept(self, family: FamilyModel, session) -> None:
        assert session.user.id == self.user_id
        assert self.auth.authenticate(session.access_token).user_id == self.user_id
        family.tokens.append((session.refresh_token, self.clock.now() + TTL))

    @rule()
    def login(self) -> None:
        family = FamilyModel()
        self._accept(family, self.run(self.auth.login(email=EMAIL, password=PASSWORD)))
        self.families.append(family)

    @rule(data=st.data())
    def refresh_newest(self, data: st.DataObject) -> None:
        family = data.draw(st.sampled_from(self.families), label="family")
        secret, expires_at = family.newest
        if family.revoked or self.clock.now() >= expires_at:
            with pytest.raises(InvalidRefreshToken):
                self.run(self.auth.refresh(secret))
        else:
            self._accept(family, self.run(self.auth.refresh(secret)))

    def _rotated_families(self) -> list[FamilyModel]:
        return [f for f in self.families if len(f.tokens) > 1]

    @precondition(lambda self: self._rotated_families())
    @rule(data=st.data())
    def replay_a_used_token(self, data: st.DataObject) -> None:
        family = data.draw(st.sampled_from(self._rotated_families()), label="family")
        secret, _ = data.draw(st.sampled_from(family.tokens[:-1]), label="used token")
        if family.revoked:
            with pytest.raises(InvalidRefreshToken):
                self.run(self.auth.refresh(secret))
            return
        with pytest.raises(RefreshTokenReused):
            self.run(self.auth.refresh(secret))
        family.revoked = True
        self.revocations += 1
        with pytest.raises(InvalidRefreshToken):
            self.run(self.auth.refresh(family.newest[0]))

    @rule(data=st.data())
    def logout(self, data: st.DataObject) -> None:
        family = data.draw(st.sampled_from(self.families), label="family")
        secret, _ = data.draw(st.sampled_from(family.tokens), label="token")
        self.run(self.auth.logout(secret))
        if not family.revoked:
            family.revoked = True
            self.revocations += 1

    @rule()
    def refresh_an_unknown_token(self) -> None:
        with pytest.raises(InvalidRefreshToken):
            self.run(self.auth.refresh(secrets.token_urlsafe(32)))

    @rule(minutes=st.integers(min_value=1, max_value=90))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @invariant()
    def store_agrees_with_the_model(self) -> None:
        state = self.store.state
        by_hash = {t.token_hash: t for t in state.refresh_tokens.values()}
        assert len(state.refresh_families) == len(self.families)
        for family in self.families:
            stored = [by_hash[hash_refresh_secret(secret)] for secret, _ in family.tokens]
            assert len({t.family_id for t in stored}) == 1, "a rotation left its family"
            family_id = stored[0].family_id
            assert state.refresh_families[family_id].is_revoked is family.revoked
            assert sum(1 for t in by_hash.values() if t.family_id == family_id) == len(stored)
            assert all(t.used_at is not None for t in stored[:-1])
            assert all(t.expires_at == e for t, (_, e) in zip(stored, family.tokens, strict=True))

    @invariant()
    def every_revocation_is_announced_once(self) -> None:
        revoked = [e for e in self.store.outbox if isinstance(e, RefreshFamilyRevoked)]
        assert len(revoked) == self.revocations
        assert len({e.family_id for e in revoked}) == self.revocations


RefreshSessions.TestCase.settings = settings(stateful_step_count=25)
TestRefreshSessions = RefreshSessions.TestCase


async def test_replay_revokes_the_family_and_says_why(auth: Authentication, store, sign_up):
    await sign_up("ana")
    first = await auth.login(email="ana@example.com", password=PASSWORD)
    second = await auth.refresh(first.refresh_token)
    with pytest.raises(RefreshTokenReused):
        await auth.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(second.refresh_token)
    [event] = [e for e in store.outbox if isinstance(e, RefreshFamilyRevoked)]
    assert event.reason == "reuse_detected"


async def test_logging_out_twice_is_not_an_error(auth: Authentication, store, sign_up):
    await sign_up("ana")
    session = await auth.login(email="ana@example.com", password=PASSWORD)
    await auth.logout(session.refresh_token)
    await auth.logout(session.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(session.refresh_token)
    reasons = [e.reason for e in store.outbox if isinstance(e, RefreshFamilyRevoked)]
    assert reasons == ["logout"]


async def test_logout_with_an_unknown_token_is_refused(auth: Authentication):
    with pytest.raises(InvalidRefreshToken):
        await auth.logout("never-issued")
