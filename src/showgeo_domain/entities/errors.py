from __future__ import annotations

from showgeo_domain.shared.errors import Conflict, NotFound, PermissionDenied


class EntityNotFound(NotFound):
    code = "entity_not_found"


class SlugTaken(Conflict):
    code = "slug_taken"


class LastOwnerRequired(Conflict):
    """An entity always keeps at least one owner, so nobody is locked out of it."""

    code = "last_owner"


class AlreadyMember(Conflict):
    code = "already_member"


class NotAMember(NotFound):
    code = "member_not_found"


class EntityPermissionDenied(PermissionDenied):
    code = "entity_permission_denied"


class AlreadyVerified(Conflict):
    code = "already_verified"


class EntityHasOrders(Conflict):
    """Orders are financial records that must outlive nothing they point at: an entity that
    has sold anything cannot be deleted (the database enforces it with ON DELETE RESTRICT)."""

    code = "entity_has_orders"
