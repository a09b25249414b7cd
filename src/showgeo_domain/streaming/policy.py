"""Who may join an event's stream, and as what: one pure decision.

Inputs: who the viewer is (anonymous, a user, a follower, a ticket holder, a member of the
entity, a platform admin), the stream's access level and geofence, where the viewer is, and
the event's phase. Output: a grant (VIEWER or HOST) or a refusal with a machine-readable
reason.

Order of the checks, so the reason is the most useful one to act on:
1. Hosts (members whose role may HOST_STREAM: owners, admins, collaborators) get HOST while
   the event is PRE_LIVE (to set up before going live) or LIVE; the geofence and the level
   do not apply to them.
2. The audience: the level decides (`login_required`, `not_following`, `no_ticket`,
   `members_only`). Platform admins pass (moderation).
3. The region: outside the geofence, or unknown on a geofenced stream unless unknown
   locations are allowed → `outside_region`. Platform admins pass.
4. The phase: viewers join LIVE events only → `not_live`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from showgeo_domain.entities.model import MemberRole
from showgeo_domain.entities.policy import EntityPermission, permissions_of
from showgeo_domain.events.model import EventPhase
from showgeo_domain.identity.model import Actor
from showgeo_domain.streaming.model import AccessLevel, Geofence, Location, Placement


class StreamRole(StrEnum):
    VIEWER = "viewer"
    HOST = "host"


class RefusalReason(StrEnum):
    LOGIN_REQUIRED = "login_required"
    NOT_FOLLOWING = "not_following"
    NO_TICKET = "no_ticket"
    MEMBERS_ONLY = "members_only"
    OUTSIDE_REGION = "outside_region"
    NOT_LIVE = "not_live"


@dataclass(frozen=True, slots=True)
class Viewer:
    """What the policy needs to know about who asks. `actor` None means anonymous."""

    actor: Actor | None = None
    role: MemberRole | None = None
    follows: bool = False
    holds_ticket: bool = False

    @property
    def is_host(self) -> bool:
        return EntityPermission.HOST_STREAM in permissions_of(self.actor, self.role)

    @property
    def is_member(self) -> bool:
        return self.actor is not None and self.role is not None

    @property
    def is_platform_admin(self) -> bool:
        return self.actor is not None and self.actor.is_admin


@dataclass(frozen=True, slots=True)
class Grant:
    role: StreamRole

    @property
    def can_publish(self) -> bool:
        return self.role is StreamRole.HOST


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: RefusalReason


Decision = Grant | Refusal

_HOST_PHASES = frozenset({EventPhase.PRE_LIVE, EventPhase.LIVE})


def _audience_refusal(level: AccessLevel, viewer: Viewer) -> RefusalReason | None:
    if level is AccessLevel.PUBLIC or viewer.is_member or viewer.is_platform_admin:
        return None
    if viewer.actor is None:
        return RefusalReason.LOGIN_REQUIRED
    if level is AccessLevel.FOLLOWERS and not viewer.follows:
        return RefusalReason.NOT_FOLLOWING
    if level is AccessLevel.TICKET_HOLDERS and not viewer.holds_ticket:
        return RefusalReason.NO_TICKET
    if level is AccessLevel.PRIVATE:
        return RefusalReason.MEMBERS_ONLY
    return None


def _in_region(geofence: Geofence, where: Location, *, allow_unknown: bool) -> bool:
    placement = geofence.place(where)
    if placement is Placement.UNKNOWN:
        return allow_unknown
    return placement is Placement.INSIDE


def decide(
    *,
    viewer: Viewer,
    level: AccessLevel,
    geofence: Geofence,
    where: Location,
    phase: EventPhase,
    allow_unknown_location: bool = False,
) -> Decision:
    if viewer.is_host:
        return Grant(StreamRole.HOST) if phase in _HOST_PHASES else Refusal(RefusalReason.NOT_LIVE)
    reason = _audience_refusal(level, viewer)
    if reason is not None:
        return Refusal(reason)
    if not viewer.is_platform_admin and not _in_region(
        geofence, where, allow_unknown=allow_unknown_location
    ):
        return Refusal(RefusalReason.OUTSIDE_REGION)
    if phase is not EventPhase.LIVE:
        return Refusal(RefusalReason.NOT_LIVE)
    return Grant(StreamRole.VIEWER)
