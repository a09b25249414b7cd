"""The whole unit of work: every context's repositories on one transaction.

The domain names no such thing: each context declares the narrow unit of work its use cases
need (`OrdersUnitOfWork`, `StreamingUnitOfWork`, ... in its `ports.py`), and the messaging
kernel the two the relay and the consumers need. This protocol joins them, above the
contexts, so the adapters' unit-of-work classes can be checked against all of them at once
and the composition root can name what it hands to every use case.
"""

from __future__ import annotations

from typing import Protocol

from showgeo_domain.analytics.ports import AnalyticsUnitOfWork
from showgeo_domain.follow.ports import FollowUnitOfWork
from showgeo_domain.identity.ports import IdentityUnitOfWork
from showgeo_domain.notifications.ports import NotificationsUnitOfWork
from showgeo_domain.orders.ports import OrdersUnitOfWork
from showgeo_domain.shared.messaging import ConsumerUnitOfWork, OutboxUnitOfWork
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory
from showgeo_domain.streaming.ports import StreamingUnitOfWork


class PlatformUnitOfWork(
    IdentityUnitOfWork,
    FollowUnitOfWork,
    OrdersUnitOfWork,
    StreamingUnitOfWork,
    NotificationsUnitOfWork,
    AnalyticsUnitOfWork,
    OutboxUnitOfWork,
    ConsumerUnitOfWork,
    Protocol,
):
    """Satisfies every context's unit of work (the others are all below one of these)."""


PlatformUnitOfWorkFactory = UnitOfWorkFactory[PlatformUnitOfWork]
"""What the composition root builds once (memory or SQL) and hands to every use case."""
