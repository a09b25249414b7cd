"""SQL implementations of the domain's repository ports, one module per bounded context."""

from showgeo_adapters.sqlalchemy.repositories.analytics import SqlAnalyticsRepository
from showgeo_adapters.sqlalchemy.repositories.assets import SqlAssetRepository
from showgeo_adapters.sqlalchemy.repositories.entities import (
    SqlEntityRepository,
    SqlMembershipRepository,
)
from showgeo_adapters.sqlalchemy.repositories.events import (
    SqlEventRepository,
    SqlTicketTypeRepository,
)
from showgeo_adapters.sqlalchemy.repositories.follow import SqlFollowRepository
from showgeo_adapters.sqlalchemy.repositories.identity import (
    SqlRefreshTokenRepository,
    SqlUserRepository,
)
from showgeo_adapters.sqlalchemy.repositories.messaging import (
    SqlConsumerInbox,
    SqlOutboxReader,
)
from showgeo_adapters.sqlalchemy.repositories.notifications import (
    SqlNotificationRepository,
    SqlPreferencesRepository,
)
from showgeo_adapters.sqlalchemy.repositories.orders import (
    SqlOrderRepository,
    SqlTicketRepository,
)
from showgeo_adapters.sqlalchemy.repositories.store import SqlProductRepository
from showgeo_adapters.sqlalchemy.repositories.streaming import (
    SqlStreamRepository,
    SqlViewerSessionRepository,
)
from showgeo_adapters.sqlalchemy.repositories.webhooks import SqlWebhookInbox

__all__ = [
    "SqlAnalyticsRepository",
    "SqlAssetRepository",
    "SqlConsumerInbox",
    "SqlEntityRepository",
    "SqlEventRepository",
    "SqlFollowRepository",
    "SqlMembershipRepository",
    "SqlNotificationRepository",
    "SqlOrderRepository",
    "SqlOutboxReader",
    "SqlPreferencesRepository",
    "SqlProductRepository",
    "SqlRefreshTokenRepository",
    "SqlStreamRepository",
    "SqlTicketRepository",
    "SqlTicketTypeRepository",
    "SqlUserRepository",
    "SqlViewerSessionRepository",
    "SqlWebhookInbox",
]
