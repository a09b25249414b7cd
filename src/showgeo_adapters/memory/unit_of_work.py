from __future__ import annotations

import copy
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from showgeo_adapters.memory.messaging import MemoryConsumerInbox, MemoryOutboxReader
from showgeo_adapters.memory.repositories import (
    MemoryAnalyticsRepository,
    MemoryAssetRepository,
    MemoryEntityRepository,
    MemoryEventRepository,
    MemoryFollowRepository,
    MemoryMembershipRepository,
    MemoryNotificationRepository,
    MemoryOrderRepository,
    MemoryPreferencesRepository,
    MemoryProductRepository,
    MemoryRefreshTokenRepository,
    MemoryStreamRepository,
    MemoryTicketRepository,
    MemoryTicketTypeRepository,
    MemoryUserRepository,
    MemoryViewerSessionRepository,
)
from showgeo_adapters.memory.state import MemoryState, MemoryStore
from showgeo_adapters.memory.webhooks import MemoryWebhookInbox
from showgeo_adapters.unit_of_work import PlatformUnitOfWork
from showgeo_domain.analytics.ports import AnalyticsRepository
from showgeo_domain.assets.ports import AssetRepository
from showgeo_domain.entities.ports import EntityRepository, MembershipRepository
from showgeo_domain.events.ports import EventRepository, TicketTypeRepository
from showgeo_domain.follow.ports import FollowRepository
from showgeo_domain.identity.ports import RefreshTokenRepository, UserRepository
from showgeo_domain.notifications.ports import NotificationRepository, PreferencesRepository
from showgeo_domain.orders.ports import OrderRepository, TicketRepository, WebhookInbox
from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents
from showgeo_domain.shared.messaging import ConsumerInbox, OutboxReader
from showgeo_domain.shared.unit_of_work import PendingEvents
from showgeo_domain.store.ports import ProductRepository
from showgeo_domain.streaming.ports import StreamRepository, ViewerSessionRepository


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore, *, read_only: bool = False) -> None:
        self._store = store
        self._read_only = read_only
        self._events = PendingEvents()
        self._work: MemoryState | None = None

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self._bind(copy.deepcopy(self._store.state))
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
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        assert self._work is not None, "commit outside `async with`"
        self._store.outbox.extend(self._events.drain())
        self._store.state = self._work
        self._bind(copy.deepcopy(self._work))

    async def rollback(self) -> None:
        self._events.discard()
        self._bind(copy.deepcopy(self._store.state))

    def _bind(self, work: MemoryState) -> None:
        """Point fresh repositories at `work`, the private copy this unit of work changes."""
        self._work = work
        # Annotated with the ports so mypy checks each fake against its protocol.
        self.users: UserRepository = MemoryUserRepository(work, self._events)
        self.refresh_tokens: RefreshTokenRepository = MemoryRefreshTokenRepository(
            work, self._events
        )
        self.entities: EntityRepository = MemoryEntityRepository(work, self._events)
        self.memberships: MembershipRepository = MemoryMembershipRepository(work, self._events)
        self.follows: FollowRepository = MemoryFollowRepository(work, self._events)
        self.events: EventRepository = MemoryEventRepository(work, self._events)
        self.ticket_types: TicketTypeRepository = MemoryTicketTypeRepository(work, self._events)
        self.products: ProductRepository = MemoryProductRepository(work, self._events)
        self.orders: OrderRepository = MemoryOrderRepository(work, self._events)
        self.tickets: TicketRepository = MemoryTicketRepository(work, self._events)
        self.webhook_inbox: WebhookInbox = MemoryWebhookInbox(work)
        self.assets: AssetRepository = MemoryAssetRepository(work, self._events)
        self.outbox: OutboxReader = MemoryOutboxReader(work, self._store.outbox)
        self.consumer_inbox: ConsumerInbox = MemoryConsumerInbox(work)
        self.notifications: NotificationRepository = MemoryNotificationRepository(
            work, self._events
        )
        self.notification_preferences: PreferencesRepository = MemoryPreferencesRepository(
            work, self._events
        )
        self.analytics: AnalyticsRepository = MemoryAnalyticsRepository(work, self._events)
        self.streams: StreamRepository = MemoryStreamRepository(work, self._events)
        self.viewer_sessions: ViewerSessionRepository = MemoryViewerSessionRepository(
            work, self._events
        )


def memory_uow_factory(store: MemoryStore | None = None) -> Callable[..., MemoryUnitOfWork]:
    shared = store or MemoryStore()

    def factory(*, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(shared, read_only=read_only)

    return factory


if TYPE_CHECKING:  # mypy holds the class to every context's unit of work
    _satisfies: type[PlatformUnitOfWork] = MemoryUnitOfWork
