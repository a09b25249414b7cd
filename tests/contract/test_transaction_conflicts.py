"""A transaction PostgreSQL rolls back to break a deadlock is answered 503 with a retry hint,
not 500: nothing was written, and the request may be sent again."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from showgeo_adapters.sqlalchemy.health import is_database_unavailable, is_transaction_conflict
from showgeo_api.http.errors import unexpected_to_problem
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.postgres


async def _deadlock(url: str) -> BaseException:
    """Two transactions lock two rows in opposite orders; PostgreSQL fails one of them."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    setup = await asyncpg.connect(dsn)
    await setup.execute(
        "CREATE TABLE stock (id int PRIMARY KEY, n int); INSERT INTO stock VALUES (1, 0), (2, 0)"
    )
    await setup.close()
    first, second = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    both_hold_one = asyncio.Barrier(2)

    async def take(connection: asyncpg.Connection, rows: tuple[int, int]) -> None:
        async with connection.transaction():
            await connection.execute("UPDATE stock SET n = n + 1 WHERE id = $1", rows[0])
            await both_hold_one.wait()
            await connection.execute("UPDATE stock SET n = n + 1 WHERE id = $1", rows[1])

    try:
        outcomes = await asyncio.gather(
            take(first, (1, 2)), take(second, (2, 1)), return_exceptions=True
        )
    finally:
        await first.close()
        await second.close()
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(failures) == 1, outcomes
    return failures[0]


async def test_a_deadlock_victim_is_a_503_to_retry() -> None:
    async with fresh_database() as url:
        victim = await _deadlock(url)
    assert isinstance(victim, asyncpg.exceptions.DeadlockDetectedError)
    wrapped = RuntimeError("handler failed")
    wrapped.__cause__ = victim
    assert is_transaction_conflict(wrapped)
    assert not is_database_unavailable(wrapped)
    answer = unexpected_to_problem(wrapped)
    assert answer.status_code == 503
    assert answer.headers == {"Retry-After": "1"}
    assert answer.extra == {"code": "transaction_conflict"}


def test_other_failures_are_not_conflicts() -> None:
    assert not is_transaction_conflict(ValueError("bug"))
    assert unexpected_to_problem(ValueError("bug")).status_code == 500
