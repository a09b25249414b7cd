from __future__ import annotations

import copy
from collections.abc import Callable
from types import TracebackType
from typing import Self

from showgeo_adapters.memory.repositories import (
    MemoryEntityRepository,
    MemoryFollowRepository,
    MemoryMembershipRepository,
    MemoryRefreshTokenRepository,
    MemoryUserRepository,
)
from showgeo_adapters.memory.store import MemoryState, MemoryStore
from showgeo_domain.shared.events import DomainEvent, RecordsEvents
from showgeo_domain.shared.unit_of_work import EventCollector


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._events = EventCollector()
        self._work: MemoryState | None = None

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self._work = copy.deepcopy(self._store.state)
        self.users = MemoryUserRepository(self._work, self._events)
        self.refresh_tokens = MemoryRefreshTokenRepository(self._work, self._events)
        self.entities = MemoryEntityRepository(self._work, self._events)
        self.memberships = MemoryMembershipRepository(self._work, self._events)
        self.follows = MemoryFollowRepository(self._work, self._events)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._events.discard()
        self._work = None
        self._store.lock.release()

    def track(self, aggregate: RecordsEvents) -> None:
        self._events.track(aggregate)

    def record(self, *events: DomainEvent) -> None:
        self._events.record(*events)

    async def commit(self) -> None:
        assert self._work is not None, "commit outside `async with`"
        self._store.outbox.extend(self._events.drain())
        self._store.state = self._work
        self._work = copy.deepcopy(self._work)
        self._rebind(self._work)

    async def rollback(self) -> None:
        self._events.discard()
        self._work = copy.deepcopy(self._store.state)
        self._rebind(self._work)

    def _rebind(self, work: MemoryState) -> None:
        for repo in (self.users, self.refresh_tokens, self.entities, self.memberships,
                     self.follows):
            repo.state = work


def memory_uow_factory(store: MemoryStore | None = None) -> Callable[[], MemoryUnitOfWork]:
    shared = store or MemoryStore()
    return lambda: MemoryUnitOfWork(shared)
