"""Domain events written in the same transaction as the change that raised them.

The relay reads unpublished rows in `sequence` order and publishes each with its event id as
the bus de-duplication key, so a row published twice (crash between publish and marking) is
dropped by the bus. Note for a relay on PostgreSQL: sequence values are taken at insert but
become visible at commit, so a lower sequence can appear after a higher one was read; select
by `published_at IS NULL`, never by "sequence greater than the last one seen".
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from showgeo_adapters.sqlalchemy.tables import outbox
from showgeo_domain.shared.domain_events import DomainEvent

_APPEND = "INSERT INTO outbox (id, subject, payload, occurred_at) VALUES ($1, $2, $3, $4)"


async def append_events(
    connection: AsyncConnection,
    events: Sequence[DomainEvent],
    driver: asyncpg.Connection | None = None,
) -> None:
    """`driver`: the transaction's asyncpg connection, when the unit of work has one
    (PostgreSQL): the rows are then written by hand, without Core (`SqlRepository._driver`)."""
    for event in events:  # one statement each keeps `sequence` in the events' order
        payload = msgspec.json.encode(event).decode()
        if driver is not None:
            await driver.execute(
                _APPEND, event.id, type(event).subject(), payload, event.occurred_at
            )
            continue
        await connection.execute(
            outbox.insert().values(
                id=event.id,
                subject=type(event).subject(),
                payload=payload,
                occurred_at=event.occurred_at,
            )
        )
