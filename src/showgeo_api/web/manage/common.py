"""What every management page shares: who may see the forms, and what a refusal is."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from showgeo_api.web.context import Ui
from showgeo_domain.entities.model import Entity
from showgeo_domain.entities.services import Entities
from showgeo_domain.shared.errors import DomainError, InvalidInput, PermissionDenied

EntityRef = Annotated[str, Meta(min_length=1, max_length=64)]
Refused = (DomainError, msgspec.ValidationError)


async def require_team(ui: Ui, entities: Entities, ref: str) -> Entity:
    """The entity, for a member of its team or an admin: the management forms are not shown
    to anyone else (the use cases check again, with each member's role, when a form posts)."""
    actor = ui.require()
    entity = await entities.get(ref)
    members = await entities.members(entity.id)
    if not actor.is_admin and all(m.user.id != actor.user_id for m in members):
        raise PermissionDenied(f"only the team of {entity.name} can manage it")
    return entity


def required(values: dict[str, str], names: tuple[str, ...], message: str = "is required") -> None:
    """The first of `names` left empty, refused beside its field (msgspec would name only
    the group of a dotted field, or say nothing useful of an empty time)."""
    for name in names:
        if not values.get(name, "").strip():
            raise InvalidInput(message, field=name)
