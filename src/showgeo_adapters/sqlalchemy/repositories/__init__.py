"""SQL implementations of the domain's repository ports, one module per bounded context."""

from showgeo_adapters.sqlalchemy.repositories.entities import (
    SqlEntityRepository,
    SqlMembershipRepository,
)
from showgeo_adapters.sqlalchemy.repositories.follow import SqlFollowRepository
from showgeo_adapters.sqlalchemy.repositories.identity import (
    SqlRefreshTokenRepository,
    SqlUserRepository,
)

__all__ = [
    "SqlEntityRepository",
    "SqlFollowRepository",
    "SqlMembershipRepository",
    "SqlRefreshTokenRepository",
    "SqlUserRepository",
]
