"""The interaction chunks the recompute builds R from (PostgreSQL: one binary COPY read by
numpy; SQLite and memory: rows) equal a plain-Python reference on random data: each user's
pairs in one row, entities in their columns, an entity that is not a column marked -1."""

from __future__ import annotations

from collections import Counter, defaultdict
from uuid import UUID

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.analytics.vectors import EntityColumns
from showgeo_domain.orders.model import LineKind, OrderStatus
from tests.contract.test_analytics_aggregation import World, build_world

Counts = tuple[int, int, int, int]
"""follows, tickets, units, watch seconds"""
UNPAID = (OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.CANCELLED)


def reference(world: World) -> dict[UUID, dict[UUID, Counts]]:
    """user → entity → counts, the plain way."""
    found: dict[UUID, dict[UUID, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 4))
    entity_of_event = {e.id: e.entity_id for e in world.events}
    for user_id, entity_id in world.follows:
        found[user_id][entity_id][0] += 1
    for ticket in world.tickets:
        if ticket.voided_at is None:
            found[ticket.holder_id][entity_of_event[ticket.event_id]][1] += 1
    for order in world.orders:
        if order.status not in UNPAID:
            for line in order.lines:
                if line.kind is LineKind.PRODUCT:
                    found[order.buyer_id][line.entity_id][2] += line.quantity
    users = {str(u.id): u.id for u in world.users}
    for event, identity, joined, left in world.sessions:
        if left is not None and identity in users:
            found[users[identity]][event.entity_id][3] += round((left - joined).total_seconds())
    return {
        user: {entity: (c[0], c[1], c[2], c[3]) for entity, c in pairs.items()}
        for user, pairs in found.items()
    }


def as_multiset(users: dict[UUID, dict[UUID, Counts]]) -> Counter[frozenset[tuple[UUID, Counts]]]:
    """Rows of R are anonymous: compare the users' pair sets, whoever holds which row."""
    return Counter(frozenset(pairs.items()) for pairs in users.values() if pairs)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_interaction_chunks_match_a_plain_python_reference(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, seed: int
) -> None:
    world = await build_world(uow_factory, clock, seed)
    async with uow_factory() as uow:
        entity_ids = await uow.analytics.entity_ids()
    assert entity_ids == sorted(e.id for e in world.entities)
    gone = entity_ids[seed % len(entity_ids)]  # as if deleted after the columns were read
    columns = EntityColumns([e for e in entity_ids if e != gone])
    expected = reference(world)
    ordered = sorted(u.id for u in world.users)
    after: UUID | None = None
    while True:
        async with uow_factory() as uow:
            chunk = await uow.analytics.interaction_chunk(after, 2, columns)
        if chunk.last_user is None:
            break
        covered = [u for u in ordered if (after is None or u > after) and u <= chunk.last_user]
        assert 1 <= len(covered) <= 2
        assert all(0 <= r < chunk.users for r in chunk.rows.tolist())
        found: dict[int, dict[UUID, Counts]] = defaultdict(dict)
        for i, (row, col) in enumerate(zip(chunk.rows.tolist(), chunk.cols.tolist(), strict=True)):
            counts = (
                int(chunk.follows[i]),
                int(chunk.tickets[i]),
                int(chunk.units[i]),
                int(chunk.watch_seconds[i]),
            )
            entity = gone if col == -1 else columns.ids[col]
            assert entity not in found[row]
            found[row][entity] = counts
        wanted = {u: expected[u] for u in covered if u in expected}
        assert as_multiset(found) == as_multiset(wanted)
        after = chunk.last_user
    assert after == ordered[-1]


def test_columns_find_ids_given_as_objects_or_raw_bytes() -> None:
    ids = [UUID(int=n << 64) for n in (5, 1, 3)] + [UUID(int=7), UUID(int=0)]
    columns = EntityColumns(ids)
    asked = [ids[3], UUID(int=2), ids[0], ids[4], UUID(int=(1 << 128) - 1), ids[1]]
    assert columns.of_ids(asked).tolist() == [3, -1, 0, 4, -1, 1]
    assert EntityColumns([]).of_ids(asked).tolist() == [-1] * len(asked)
