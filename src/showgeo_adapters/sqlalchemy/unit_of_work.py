"""The unit of work on one database connection and one transaction at a time."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from showgeo_adapters.sqlalchemy.outbox import SqlOutboxWriter
from showgeo_adapters.sqlalchemy.postgres.read_only import ReadOnlyConnection
from showgeo_adapters.sqlalchemy.repositories import (
    SqlAssetRepository,
    SqlMembershipRepository,
    SqlOutboxReader,
    SqlPreferencesRepository,
    SqlRefreshTokenRepository,
    SqlStreamRepository,
    SqlTicketRepository,
    SqlUserRepository,
    SqlViewerSessionRepository,
    SqlWebhookInbox,
)
from showgeo_adapters.sqlalchemy.repository_classes import repository_classes
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


class SqlUnitOfWork:
    """Holds a connection from `__aenter__` to `__aexit__`; whatever is uncommitted when the
    block ends is rolled back. The repositories stay usable after `commit()`/`rollback()`.

    Transactions begin on the first statement (SQLAlchemy's autobegin), not on entering the
    block: on SQLite every transaction takes the write lock (`BEGIN IMMEDIATE`), so it must
    not be held by a block that has not touched the database yet, or has already committed
    and is now doing something slow."""

    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._events = PendingEvents()
        self._connection: AsyncConnection | None = None
        self._classes = repository_classes(engine.dialect.name)
        self._outbox_writer: SqlOutboxWriter | None = None

    async def __aenter__(self) -> Self:
        connection: AsyncConnection
        if self._read_only and self._engine.dialect.name == "postgresql":
            # Connects on first use: the bare pooled connection for hand-written reads,
            # SQLAlchemy's for Core (read_only.py).
            connection = ReadOnlyConnection(self._engine)
        else:
            connection = await self._engine.connect()
            if self._read_only:
                # No BEGIN and no ROLLBACK around the reads: two round trips of a hot read's
                # three. Setting it costs none (asyncpg and aiosqlite keep it on the client).
                await connection.execution_options(isolation_level="AUTOCOMMIT")
        self._connection = connection
        classes = self._classes
        self._outbox_writer = classes.outbox_writer(connection, self._events)
        # Annotated with the ports: mypy then checks each repository against its protocol,
        # and the unit of work against every context's (whose attributes are invariant).
        self.users: UserRepository = SqlUserRepository(connection, self._events)
        self.refresh_tokens: RefreshTokenRepository = SqlRefreshTokenRepository(
            connection, self._events
        )
        self.entities: EntityRepository = classes.entities(connection, self._events)
        self.memberships: MembershipRepository = SqlMembershipRepository(connection, self._events)
        self.follows: FollowRepository = classes.follows(connection, self._events)
        self.events: EventRepository = classes.events(connection, self._events)
        self.ticket_types: TicketTypeRepository = classes.ticket_types(connection, self._events)
        self.products: ProductRepository = classes.products(connection, self._events)
        self.orders: OrderRepository = classes.orders(connection, self._events)
        self.tickets: TicketRepository = SqlTicketRepository(connection, self._events)
        self.webhook_inbox: WebhookInbox = SqlWebhookInbox(connection, self._events)
        self.assets: AssetRepository = SqlAssetRepository(connection, self._events)
        self.outbox: OutboxReader = SqlOutboxReader(connection, self._events)
        self.consumer_inbox: ConsumerInbox = classes.consumer_inbox(connection, self._events)
        self.notifications: NotificationRepository = classes.notifications(connection, self._events)
        self.notification_preferences: PreferencesRepository = SqlPreferencesRepository(
            connection, self._events
        )
        self.analytics: AnalyticsRepository = classes.analytics(connection, self._events)
        self.streams: StreamRepository = SqlStreamRepository(connection, self._events)
        self.viewer_sessions: ViewerSessionRepository = SqlViewerSessionRepository(
            connection, self._events
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._events.discard()
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()

    def track(self, aggregate: RecordsEvents) -> None:
        self._events.track(aggregate)

    def record(self, *events: DomainEvent) -> None:
        self._events.record(*events)

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        connection = self._active()
        events = self._events.drain()
        if events:
            assert self._outbox_writer is not None
            await self._outbox_writer.append(events)
        await connection.commit()

    async def rollback(self) -> None:
        connection = self._active()
        self._events.discard()
        await connection.rollback()

    def _active(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._connection


def sql_uow_factory(engine: AsyncEngine) -> Callable[..., SqlUnitOfWork]:
    def factory(*, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, read_only=read_only)

    return factory


if TYPE_CHECKING:  # mypy holds the class to every context's unit of work
    _satisfies: type[PlatformUnitOfWork] = SqlUnitOfWork
