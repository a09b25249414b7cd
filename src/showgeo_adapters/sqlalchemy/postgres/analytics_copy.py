"""A chunk of the interaction matrix out of PostgreSQL as one binary COPY, read with numpy.

The recompute reads every (user, entity) pair of the platform (20 million at the issue's
size). Fetched as rows, each pair would become a driver record, two UUID objects and a dict
lookup in Python: seconds per million pairs. Here the database numbers the chunk's users
itself (`row_number()` over the window of user ids), sends each pair as a fixed-width binary
row (int4 row, 16-byte entity id, four integers), and numpy reads the whole buffer as one
structured array; entity ids become columns by binary search (`EntityColumns.of_bytes`). No
Python object is made per pair.

Binary COPY format: https://www.postgresql.org/docs/current/sql-copy.html (file formats):
an 11-byte signature, a 32-bit flags field and a 32-bit header-extension length, then per
row a 16-bit field count and, per field, a 32-bit length and the value (network byte
order), then a 16-bit -1. No field here can be NULL, so every row has the same width.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import numpy as np
from sqlalchemy import BigInteger, Integer, cast, func, select
from sqlalchemy.engine import Dialect

from showgeo_adapters.sqlalchemy.repositories.analytics_queries import (
    interactions,
    users_between,
)
from showgeo_adapters.sqlalchemy.tables import users
from showgeo_domain.analytics.vectors import EntityColumns, InteractionChunk

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = len(SIGNATURE) + 8
TRAILER = b"\xff\xff"
ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("row_len", ">i4"),
        ("row", ">i4"),
        ("entity_len", ">i4"),
        ("entity", "S16"),
        ("follows_len", ">i4"),
        ("follows", ">i8"),
        ("tickets_len", ">i4"),
        ("tickets", ">i8"),
        ("units_len", ">i4"),
        ("units", ">i8"),
        ("watch_len", ">i4"),
        ("watch_seconds", ">i8"),
    ]
)
EXPECTED = {
    "fields": 6,
    "row_len": 4,
    "entity_len": 16,
    "follows_len": 8,
    "tickets_len": 8,
    "units_len": 8,
    "watch_len": 8,
}


def chunk_query(after: UUID | None, high: UUID, dialect: Any) -> str:
    """The chunk's pairs with its users numbered from 0 in id order, as SQL text (COPY takes
    no parameters; the only values are two UUIDs and constants, rendered as literals)."""
    in_range = users_between(after, high)
    window = (
        select(
            users.c.id,
            cast(func.row_number().over(order_by=users.c.id) - 1, Integer).label("row"),
        )
        .where(*in_range(users.c.id))
        .subquery("window")
    )
    summed = interactions(in_range, "postgresql").subquery("summed")
    query = (
        select(
            window.c.row,
            summed.c.entity_id,
            cast(summed.c.follows, BigInteger),
            cast(summed.c.tickets, BigInteger),
            cast(summed.c.units, BigInteger),
            cast(summed.c.watch_seconds, BigInteger),
        )
        .select_from(summed.join(window, window.c.id == summed.c.user_id))
        .where(summed.c.entity_id.is_not(None))
    )
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def parse(data: bytes, columns: EntityColumns) -> tuple[InteractionChunk, int]:
    """The COPY output as arrays (rows up to the last user with a pair; `last_user` is left
    for the caller); also the number of pairs read."""
    if not data.startswith(SIGNATURE) or not data.endswith(TRAILER):
        raise ValueError("not a PostgreSQL binary COPY stream")
    if int.from_bytes(data[HEADER - 4 : HEADER], "big") != 0:
        raise ValueError("binary COPY header extensions are not supported")
    body = memoryview(data)[HEADER : len(data) - len(TRAILER)]
    if len(body) % ROW.itemsize:
        raise ValueError("binary COPY rows of unexpected width (a NULL field?)")
    rows = np.frombuffer(body, dtype=ROW)
    for field, value in EXPECTED.items():
        if len(rows) and not (rows[field] == value).all():
            raise ValueError(f"binary COPY field {field} is not {value}")
    chunk = InteractionChunk(
        rows=rows["row"].astype(np.int64),
        cols=columns.of_bytes(rows["entity"]),
        follows=rows["follows"].astype(np.int64),
        tickets=rows["tickets"].astype(np.int64),
        units=rows["units"].astype(np.int64),
        watch_seconds=rows["watch_seconds"].astype(np.int64),
        users=int(rows["row"].max()) + 1 if len(rows) else 0,
    )
    return chunk, len(rows)


async def copy_chunk(
    driver: asyncpg.Connection,
    dialect: Dialect,
    after: UUID | None,
    high: UUID,
    columns: EntityColumns,
) -> InteractionChunk:
    """The pairs of users `after < id <= high`, on `driver` (the transaction's connection)."""
    parts: list[bytes] = []

    async def sink(part: bytes) -> None:
        parts.append(part)

    await driver.copy_from_query(chunk_query(after, high, dialect), output=sink, format="binary")
    data = b"".join(parts)
    parts.clear()
    chunk, _ = parse(data, columns)
    chunk.last_user = high
    return chunk
