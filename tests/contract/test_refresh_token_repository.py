from __future__ import annotations

from datetime import timedelta

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.identity.model import RefreshFamily, RefreshToken, hash_refresh_secret
from showgeo_domain.shared.ids import new_id
from tests.contract.builders import a_user, state_of, store

TTL = timedelta(days=30)


async def _family_with_token(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> tuple[RefreshFamily, RefreshToken]:
    user = a_user(clock, "ana")
    await store(uow_factory, users=[user])
    family = RefreshFamily(new_id(), user.id, clock.tick())
    token, _secret = RefreshToken.issue(family=family, now=clock.tick(), ttl=TTL)
    async with uow_factory() as uow:
        await uow.refresh_tokens.add_family(family)
        await uow.refresh_tokens.add(token)
        await uow.commit()
    return family, token


async def test_a_family_and_its_token_come_back(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    family, token = await _family_with_token(uow_factory, clock)

    async with uow_factory() as uow:
        found_family = await uow.refresh_tokens.get_family(family.id)
        found_token = await uow.refresh_tokens.get_by_hash(token.token_hash)

    assert found_family is not None
    assert state_of(found_family) == state_of(family)
    assert found_token is not None
    assert state_of(found_token) == state_of(token)
    assert found_token.expires_at - found_token.issued_at == TTL


async def test_unknown_families_and_hashes_are_none(uow_factory: PlatformUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.refresh_tokens.get_family(new_id()) is None
        assert await uow.refresh_tokens.get_by_hash(hash_refresh_secret("nope")) is None


async def test_revoking_keeps_the_first_revocation_time(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    family, _ = await _family_with_token(uow_factory, clock)
    first, second = clock.tick(), clock.tick()

    async with uow_factory() as uow:
        await uow.refresh_tokens.revoke_family(family.id, first)
        await uow.refresh_tokens.revoke_family(family.id, second)
        await uow.refresh_tokens.revoke_family(new_id(), second)  # unknown: no error
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.refresh_tokens.get_family(family.id)
    assert found is not None
    assert found.is_revoked
    assert found.revoked_at == first


async def test_a_token_is_marked_used_only_once(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    _, token = await _family_with_token(uow_factory, clock)
    used_at = clock.tick()

    async with uow_factory() as uow:
        assert await uow.refresh_tokens.mark_used(token.id, used_at) is True
        assert await uow.refresh_tokens.mark_used(token.id, clock.tick()) is False
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.refresh_tokens.mark_used(token.id, clock.tick()) is False
        assert await uow.refresh_tokens.mark_used(new_id(), clock.tick()) is False
        found = await uow.refresh_tokens.get_by_hash(token.token_hash)
    assert found is not None
    assert found.used_at == used_at


async def test_marking_used_is_undone_by_rollback(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    _, token = await _family_with_token(uow_factory, clock)

    async with uow_factory() as uow:
        assert await uow.refresh_tokens.mark_used(token.id, clock.tick())
        await uow.rollback()
        assert await uow.refresh_tokens.mark_used(token.id, clock.tick())
