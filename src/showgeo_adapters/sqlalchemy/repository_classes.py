"""Which repository classes a unit of work builds, chosen once by the database's dialect:
the portable Core repositories everywhere, and on PostgreSQL their subclasses that write the
hot statements by hand (`postgres/`). Only repositories with such a subclass are listed; the
others are the same class on every database."""

from __future__ import annotations

from dataclasses import dataclass

from showgeo_adapters.sqlalchemy.outbox import SqlOutboxWriter
from showgeo_adapters.sqlalchemy.postgres.analytics import PostgresAnalyticsRepository
from showgeo_adapters.sqlalchemy.postgres.entities import PostgresEntityRepository
from showgeo_adapters.sqlalchemy.postgres.events import (
    PostgresEventRepository,
    PostgresTicketTypeRepository,
)
from showgeo_adapters.sqlalchemy.postgres.follow import PostgresFollowRepository
from showgeo_adapters.sqlalchemy.postgres.messaging import PostgresConsumerInbox
from showgeo_adapters.sqlalchemy.postgres.notifications import PostgresNotificationRepository
from showgeo_adapters.sqlalchemy.postgres.orders import PostgresOrderRepository
from showgeo_adapters.sqlalchemy.postgres.outbox import PostgresOutboxWriter
from showgeo_adapters.sqlalchemy.postgres.store import PostgresProductRepository
from showgeo_adapters.sqlalchemy.repositories import (
    SqlAnalyticsRepository,
    SqlConsumerInbox,
    SqlEntityRepository,
    SqlEventRepository,
    SqlFollowRepository,
    SqlNotificationRepository,
    SqlOrderRepository,
    SqlProductRepository,
    SqlTicketTypeRepository,
)


@dataclass(frozen=True, slots=True)
class RepositoryClasses:
    entities: type[SqlEntityRepository] = SqlEntityRepository
    follows: type[SqlFollowRepository] = SqlFollowRepository
    events: type[SqlEventRepository] = SqlEventRepository
    ticket_types: type[SqlTicketTypeRepository] = SqlTicketTypeRepository
    products: type[SqlProductRepository] = SqlProductRepository
    orders: type[SqlOrderRepository] = SqlOrderRepository
    consumer_inbox: type[SqlConsumerInbox] = SqlConsumerInbox
    notifications: type[SqlNotificationRepository] = SqlNotificationRepository
    analytics: type[SqlAnalyticsRepository] = SqlAnalyticsRepository
    outbox_writer: type[SqlOutboxWriter] = SqlOutboxWriter


PORTABLE = RepositoryClasses()
POSTGRES = RepositoryClasses(
    entities=PostgresEntityRepository,
    follows=PostgresFollowRepository,
    events=PostgresEventRepository,
    ticket_types=PostgresTicketTypeRepository,
    products=PostgresProductRepository,
    orders=PostgresOrderRepository,
    consumer_inbox=PostgresConsumerInbox,
    notifications=PostgresNotificationRepository,
    analytics=PostgresAnalyticsRepository,
    outbox_writer=PostgresOutboxWriter,
)
BY_DIALECT = {"postgresql": POSTGRES}


def repository_classes(dialect: str) -> RepositoryClasses:
    """The classes for a database of this dialect (SQLAlchemy's name: `postgresql`, ...)."""
    return BY_DIALECT.get(dialect, PORTABLE)
