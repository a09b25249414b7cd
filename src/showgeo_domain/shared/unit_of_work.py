"""The unit of work: one transaction per use case, with the events it raised.

Use cases open it with `async with uow:`, change aggregates through its repositories, and
`commit()`. Commit stores the events that tracked aggregates recorded, plus any passed to
`record()`, in the outbox within the same transaction, so a change and its events are never
separated. Leaving the block without committing rolls everything back.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents

if TYPE_CHECKING:
    from showgeo_domain.analytics.ports import AnalyticsRepository
    from showgeo_domain.assets.ports import AssetRepository
    from showgeo_domain.entities.ports import EntityRepository, MembershipRepository
    from showgeo_domain.events.ports import EventRepository, TicketTypeRepository
    from showgeo_domain.follow.ports import FollowRepository
    from showgeo_domain.identity.ports import RefreshTokenRepository, UserRepository
    from showgeo_domain.notifications.ports import NotificationRepository, PreferencesRepository
    from showgeo_domain.orders.ports import OrderRepository, TicketRepository, WebhookInbox
    from showgeo_domain.shared.messaging import ConsumerInbox, OutboxReader
    from showgeo_domain.store.ports import ProductRepository
    from showgeo_domain.streaming.ports import StreamRepository, ViewerSessionRepository


class UnitOfWork(Protocol):
    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    entities: EntityRepository
    memberships: MembershipRepository
    follows: FollowRepository
    events: EventRepository
    ticket_types: TicketTypeRepository
    products: ProductRepository
    orders: OrderRepository
    tickets: TicketRepository
    outbox: OutboxReader
    consumer_inbox: ConsumerInbox
    webhook_inbox: WebhookInbox
    notifications: NotificationRepository
    notification_preferences: PreferencesRepository
    analytics: AnalyticsRepository
    assets: AssetRepository
    streams: StreamRepository
    viewer_sessions: ViewerSessionRepository

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


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
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
