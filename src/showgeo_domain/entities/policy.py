"""Who may do what to an entity: the one permission table every context consults.

Entity roles grant permissions; platform admins hold a moderation subset on every entity.
Changes to OWNER memberships need MANAGE_OWNERS, so an entity ADMIN can run the team but can
neither create owners nor remove them.
"""

from __future__ import annotations

from enum import StrEnum

from showgeo_domain.entities.errors import EntityPermissionDenied
from showgeo_domain.entities.model import MemberRole
from showgeo_domain.identity.model import Actor


class EntityPermission(StrEnum):
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    MANAGE_MEMBERS = "MANAGE_MEMBERS"
    MANAGE_OWNERS = "MANAGE_OWNERS"
    REQUEST_VERIFICATION = "REQUEST_VERIFICATION"
    MANAGE_EVENTS = "MANAGE_EVENTS"
    MANAGE_STORE = "MANAGE_STORE"
    HOST_STREAM = "HOST_STREAM"
    CHECK_IN_TICKETS = "CHECK_IN_TICKETS"
    VIEW_REVENUE = "VIEW_REVENUE"
    VIEW_ATTENDEES = "VIEW_ATTENDEES"
    ISSUE_REFUNDS = "ISSUE_REFUNDS"
    VIEW_ANALYTICS = "VIEW_ANALYTICS"
    VIEW_PRIVATE_CONTENT = "VIEW_PRIVATE_CONTENT"


_ALL = frozenset(EntityPermission)

ROLE_PERMISSIONS: dict[MemberRole, frozenset[EntityPermission]] = {
    MemberRole.OWNER: _ALL,
    MemberRole.ADMIN: _ALL - {EntityPermission.DELETE, EntityPermission.MANAGE_OWNERS},
    MemberRole.COLLABORATOR: frozenset(
        {
            EntityPermission.MANAGE_EVENTS,
            EntityPermission.HOST_STREAM,
            EntityPermission.CHECK_IN_TICKETS,
            EntityPermission.VIEW_ATTENDEES,
            EntityPermission.VIEW_ANALYTICS,
            EntityPermission.VIEW_PRIVATE_CONTENT,
        }
    ),
}

PLATFORM_ADMIN_PERMISSIONS: frozenset[EntityPermission] = frozenset(
    {
        EntityPermission.UPDATE,
        EntityPermission.DELETE,
        EntityPermission.MANAGE_MEMBERS,
        EntityPermission.MANAGE_OWNERS,
        EntityPermission.VIEW_REVENUE,
        EntityPermission.VIEW_ATTENDEES,
        EntityPermission.ISSUE_REFUNDS,
        EntityPermission.VIEW_ANALYTICS,
        EntityPermission.VIEW_PRIVATE_CONTENT,
    }
)


def permissions_of(actor: Actor | None, role: MemberRole | None) -> frozenset[EntityPermission]:
    granted = ROLE_PERMISSIONS[role] if role is not None else frozenset()
    if actor is not None and actor.is_admin:
        granted = granted | PLATFORM_ADMIN_PERMISSIONS
    return granted


def is_allowed(actor: Actor | None, role: MemberRole | None, permission: EntityPermission) -> bool:
    return actor is not None and permission in permissions_of(actor, role)


def require(actor: Actor | None, role: MemberRole | None, permission: EntityPermission) -> None:
    if not is_allowed(actor, role, permission):
        raise EntityPermissionDenied(
            f"your role on this entity does not allow {permission.value}",
            permission=permission.value,
        )


def member_change_permission(*roles: MemberRole | None) -> EntityPermission:
    """Touching an OWNER membership, or granting OWNER, is an owner-level act."""
    if MemberRole.OWNER in roles:
        return EntityPermission.MANAGE_OWNERS
    return EntityPermission.MANAGE_MEMBERS
