"""Domain events written in the same transaction as the change that raised them.

The relay reads unpublished rows in `sequence` order and publishes each with its event id as
the bus de-duplication key, so a row published twice (crash between publish and marking) is
dropped by the bus. Note for a relay on PostgreSQL: sequence values are taken at insert but
become visible at commit, so a lower sequence can appear after a higher one was read; select
by `published_at IS NULL`, never by "sequence greater than the last one seen".
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import outbox
from showgeo_domain.shared.domain_events import DomainEvent


def payload_of(event: DomainEvent) -> str:
    return msgspec.json.encode(event).decode()


class SqlOutboxWriter(SqlRepository):
    """What the unit of work calls at commit, before committing."""

    async def append(self, events: Sequence[DomainEvent]) -> None:
        for event in events:  # one statement each keeps `sequence` in the events' order
            await self._conn.execute(
                outbox.insert().values(
                    id=event.id,
                    subject=type(event).subject(),
                    payload=payload_of(event),
                    occurred_at=event.occurred_at,
                )
            )
