"""Seats and stock under random reserve / release / confirm, against a model: the memory
adapter's conditional updates (the SQL adapter's `UPDATE … WHERE sold + reserved + n <=
quota`) never let `sold` or `reserved` go negative or past the ceiling, and a reservation
succeeds exactly when enough is left. A release or confirm of more than is reserved changes
nothing (the port's contract)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.memory.repositories import (
    MemoryProductRepository,
    MemoryTicketTypeRepository,
)
from showgeo_adapters.memory.state import MemoryState
from showgeo_domain.shared.inventory import Inventory
from showgeo_domain.shared.unit_of_work import PendingEvents
from tests.contract.builders import a_product, a_ticket_type, an_entity, an_event

T = TypeVar("T")
QUANTITY = st.integers(min_value=1, max_value=60)


class InventoryModel(RuleBasedStateMachine):
    """One ticket type (quota) and one product (stock, or unlimited), side by side."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.state = MemoryState()
        self.items: dict[str, tuple[Inventory, Any]] = {}
        self.model: dict[str, list[int]] = {}
        self.capacity: dict[str, int | None] = {}

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.loop.close()

    @initialize(
        quota=st.integers(min_value=1, max_value=100),
        stock=st.none() | st.integers(min_value=0, max_value=100),
    )
    def start(self, quota: int, stock: int | None) -> None:
        clock = FakeClock()
        entity = an_entity(clock, "band")
        seats = a_ticket_type(clock, an_event(clock, entity), quota=quota)
        shirt = a_product(clock, entity, stock=stock)
        self.state.ticket_types[seats.id] = seats
        self.state.products[shirt.id] = shirt
        events = PendingEvents()
        self.items = {
            "seats": (MemoryTicketTypeRepository(self.state, events), seats.id),
            "shirt": (MemoryProductRepository(self.state, events), shirt.id),
        }
        self.model = {"seats": [0, 0], "shirt": [0, 0]}  # [sold, reserved]
        self.capacity = {"seats": quota, "shirt": stock}

    def _stored(self, name: str) -> tuple[int, int]:
        item = (
            self.state.ticket_types[self.items[name][1]]
            if name == "seats"
            else self.state.products[self.items[name][1]]
        )
        return item.sold, item.reserved

    @precondition(lambda self: bool(self.items))
    @rule(name=st.sampled_from(["seats", "shirt"]), quantity=QUANTITY)
    def reserve(self, name: str, quantity: int) -> None:
        repository, item_id = self.items[name]
        sold, reserved = self.model[name]
        capacity = self.capacity[name]
        enough = capacity is None or sold + reserved + quantity <= capacity
        assert self.run(repository.reserve(item_id, quantity)) is enough
        if enough:
            self.model[name][1] += quantity

    @precondition(lambda self: bool(self.items))
    @rule(name=st.sampled_from(["seats", "shirt"]), quantity=QUANTITY)
    def release(self, name: str, quantity: int) -> None:
        repository, item_id = self.items[name]
        self.run(repository.release(item_id, quantity))
        if self.model[name][1] >= quantity:
            self.model[name][1] -= quantity

    @precondition(lambda self: bool(self.items))
    @rule(name=st.sampled_from(["seats", "shirt"]), quantity=QUANTITY)
    def confirm(self, name: str, quantity: int) -> None:
        repository, item_id = self.items[name]
        self.run(repository.confirm(item_id, quantity))
        if self.model[name][1] >= quantity:
            self.model[name][1] -= quantity
            self.model[name][0] += quantity

    @precondition(lambda self: bool(self.items))
    @rule(name=st.sampled_from(["seats", "shirt"]))
    def reserve_all_that_is_left(self, name: str) -> None:
        """The edge: exactly what is left fits, one more does not."""
        capacity = self.capacity[name]
        if capacity is None:
            return
        repository, item_id = self.items[name]
        left = capacity - sum(self.model[name])
        if left > 0:
            assert self.run(repository.reserve(item_id, left)) is True
            self.model[name][1] += left
        assert self.run(repository.reserve(item_id, 1)) is False

    @invariant()
    def counters_match_the_model_and_stay_within_bounds(self) -> None:
        for name in self.items:
            sold, reserved = self._stored(name)
            assert [sold, reserved] == self.model[name]
            assert sold >= 0
            assert reserved >= 0
            capacity = self.capacity[name]
            if capacity is not None:
                assert sold + reserved <= capacity


TestInventoryStates = InventoryModel.TestCase
