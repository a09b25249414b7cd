"""Dictionary-backed repositories, one module per context like the SQL adapter."""

from showgeo_adapters.memory.repositories.analytics import MemoryAnalyticsRepository
from showgeo_adapters.memory.repositories.assets import MemoryAssetRepository
from showgeo_adapters.memory.repositories.entities import (
    MemoryEntityRepository,
    MemoryMembershipRepository,
)
from showgeo_adapters.memory.repositories.events import (
    MemoryEventRepository,
    MemoryTicketTypeRepository,
)
from showgeo_adapters.memory.repositories.follow import MemoryFollowRepository
from showgeo_adapters.memory.repositories.identity import (
    MemoryRefreshTokenRepository,
    MemoryUserRepository,
)
from showgeo_adapters.memory.repositories.notifications import (
    MemoryNotificationRepository,
    MemoryPreferencesRepository,
)
from showgeo_adapters.memory.repositories.orders import (
    MemoryOrderRepository,
    MemoryTicketRepository,
)
from showgeo_adapters.memory.repositories.store import MemoryProductRepository
from showgeo_adapters.memory.repositories.streaming import (
    MemoryStreamRepository,
    MemoryViewerSessionRepository,
)

__all__ = [
    "MemoryAnalyticsRepository",
    "MemoryAssetRepository",
    "MemoryEntityRepository",
    "MemoryEventRepository",
    "MemoryFollowRepository",
    "MemoryMembershipRepository",
    "MemoryNotificationRepository",
    "MemoryOrderRepository",
    "MemoryPreferencesRepository",
    "MemoryProductRepository",
    "MemoryRefreshTokenRepository",
    "MemoryStreamRepository",
    "MemoryTicketRepository",
    "MemoryTicketTypeRepository",
    "MemoryUserRepository",
    "MemoryViewerSessionRepository",
]
