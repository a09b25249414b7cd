"""The unit of work: one transaction per use case, with the events it raised.

Use cases open it with `async with uow:`, change aggregates through its repositories, and
`commit()`. Commit stores the events that tracked aggregates recorded, plus any passed to
`record()`, in the outbox within the same transaction, so a change and its events are never
separated. Leaving the block without committing rolls everything back.

This module is the shared kernel's part: the transaction and its events, no repositories.
Each context declares in its `ports.py` the unit of work its use cases need, a protocol that
extends `UnitOfWork` with only the repositories they touch (`OrdersUnitOfWork`, ...). The
adapters' unit-of-work classes carry every repository, so one of them satisfies every
context's protocol; nothing in the domain names "all of them" (docs/architecture.md).
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self, TypeVar

from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents


class UnitOfWork(Protocol):
    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def track(self, aggregate: RecordsEvents) -> None:
        """Collect `aggregate`'s events at commit."""
        ...

    def record(self, *events: DomainEvent) -> None:
        """Events raised outside any aggregate (e.g. a follow row appearing)."""
        ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


U_co = TypeVar("U_co", bound=UnitOfWork, covariant=True)


class UnitOfWorkFactory(Protocol[U_co]):
    """Opens a unit of work; `UnitOfWorkFactory[OrdersUnitOfWork]` is what the orders use
    cases take, and any factory of a unit of work with those repositories (or more) fits."""

    def __call__(self, *, read_only: bool = False) -> U_co:
        """`read_only=True` for a block that only reads and never commits: a database may
        then skip the transaction (on PostgreSQL each statement still sees a consistent
        snapshot, as every statement of a READ COMMITTED transaction does). Commit is refused."""
        ...


class PendingEvents:
    """The bookkeeping every unit of work shares: which aggregates to ask, which events wait."""

    def __init__(self) -> None:
        self._tracked: list[RecordsEvents] = []
        self._loose: list[DomainEvent] = []

    def track(self, aggregate: RecordsEvents) -> None:
        if not any(a is aggregate for a in self._tracked):
            self._tracked.append(aggregate)

    def record(self, *events: DomainEvent) -> None:
        self._loose.extend(events)

    def drain(self) -> list[DomainEvent]:
        events = [e for a in self._tracked for e in a.pull_events()] + self._loose
        self._tracked, self._loose = [], []
        return sorted(events, key=lambda e: e.occurred_at)

    def discard(self) -> None:
        for aggregate in self._tracked:
            aggregate.pull_events()
        self._tracked, self._loose = [], []
