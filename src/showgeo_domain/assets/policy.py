"""Who may read an asset's content: one pure rule, fed facts the use case looked up.

The owner, members of the asset's entity and platform admins always may (they manage it).
Everyone else needs the visibility's condition and a READY asset. A refusal names its reason
so clients can say what to do (follow, buy a ticket, buy the product).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from showgeo_domain.assets.model import Asset, AssetVisibility


class Refusal(StrEnum):
    NOT_SIGNED_IN = "not_signed_in"
    NOT_FOLLOWING = "not_following"
    NO_TICKET = "no_ticket"
    NOT_PURCHASED = "not_purchased"
    PRIVATE = "private"


@dataclass(frozen=True, slots=True)
class ViewerFacts:
    """What is true of one viewer for one asset. Anonymous viewers have all False."""

    signed_in: bool = False
    is_owner: bool = False
    is_member: bool = False
    """A member of the asset's entity (any role)."""
    is_admin: bool = False
    follows_entity: bool = False
    holds_ticket: bool = False
    purchased: bool = False

    @property
    def manages(self) -> bool:
        return self.is_owner or self.is_member or self.is_admin


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: Refusal | None = None


ALLOW = Decision(True)

_NEEDS: dict[AssetVisibility, tuple[str, Refusal]] = {
    AssetVisibility.FOLLOWERS: ("follows_entity", Refusal.NOT_FOLLOWING),
    AssetVisibility.TICKET_HOLDERS: ("holds_ticket", Refusal.NO_TICKET),
    AssetVisibility.PURCHASERS: ("purchased", Refusal.NOT_PURCHASED),
}


def may_read(asset: Asset, viewer: ViewerFacts) -> Decision:
    if viewer.manages:
        return ALLOW
    if asset.visibility is AssetVisibility.PUBLIC:
        return ALLOW
    if asset.visibility is AssetVisibility.PRIVATE:
        return Decision(False, Refusal.PRIVATE)
    fact, refusal = _NEEDS[asset.visibility]
    if not viewer.signed_in:
        return Decision(False, Refusal.NOT_SIGNED_IN)
    return ALLOW if getattr(viewer, fact) else Decision(False, refusal)


def facts_needed(asset: Asset) -> set[str]:
    """Which lookups a visibility needs, so the use case runs only those queries."""
    needed = _NEEDS.get(asset.visibility)
    return {needed[0]} if needed else set()
