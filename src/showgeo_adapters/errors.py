"""Refusals the adapters share that the domain has no type for yet.

`EntityHasOrders` belongs in `showgeo_domain.entities.errors` (reported): until it moves
there, both the memory and the SQL entity repositories raise it from here, so deleting an
entity that has sold something is a 409 on every backend instead of a database error.
"""

from __future__ import annotations

from showgeo_domain.shared.errors import Conflict


class EntityHasOrders(Conflict):
    """Orders are financial records (kept by ON DELETE RESTRICT): an entity that has any
    cannot be deleted."""

    code = "entity_has_orders"

    def __init__(self) -> None:
        super().__init__("an entity with orders cannot be deleted")
