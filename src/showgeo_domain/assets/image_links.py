"""Where images are shown: a user's avatar, an entity's avatar, banner and gallery, an event's
cover. Links belong to the assets context (its own table), so profiles, entities and events
need not change to carry pictures, and an asset knows everything that uses it (delete → 409).

Linked images are shown to anyone who can see the profile, entity or event, so only PUBLIC
IMAGE assets can be linked, and only by someone who may change the target and may use the
image (its owner, or a member of the image's entity linking it to that same entity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from showgeo_domain.assets.formats import AssetKind
from showgeo_domain.assets.model import Asset, AssetStatus, AssetVisibility
from showgeo_domain.shared.errors import InvalidInput

GALLERY_MAX = 50


class LinkTarget(StrEnum):
    USER = "USER"
    ENTITY = "ENTITY"
    EVENT = "EVENT"


class LinkRole(StrEnum):
    AVATAR = "AVATAR"
    BANNER = "BANNER"
    GALLERY = "GALLERY"
    COVER = "COVER"

    @property
    def single(self) -> bool:
        """One image per target (setting another replaces it); galleries hold many."""
        return self is not LinkRole.GALLERY


ROLES: dict[LinkTarget, frozenset[LinkRole]] = {
    LinkTarget.USER: frozenset({LinkRole.AVATAR}),
    LinkTarget.ENTITY: frozenset({LinkRole.AVATAR, LinkRole.BANNER, LinkRole.GALLERY}),
    LinkTarget.EVENT: frozenset({LinkRole.COVER}),
}


@dataclass(frozen=True, slots=True)
class AssetLink:
    target: LinkTarget
    target_id: UUID
    role: LinkRole
    asset_id: UUID
    linked_at: datetime

    def describe(self) -> str:
        return f"{self.target.value.lower()}:{self.target_id}:{self.role.value.lower()}"


def check_linkable_image(asset: Asset, target: LinkTarget, role: LinkRole) -> None:
    if role not in ROLES[target]:
        raise InvalidInput(f"a {target.value.lower()} has no {role.value.lower()}", field="role")
    if asset.kind is not AssetKind.IMAGE:
        raise InvalidInput("only images can be linked here", field="asset_id")
    if asset.visibility is not AssetVisibility.PUBLIC:
        raise InvalidInput(
            "linked images are shown to everyone: upload it as PUBLIC", field="asset_id"
        )
    if asset.status in (AssetStatus.FAILED, AssetStatus.AWAITING_UPLOAD):
        raise InvalidInput(f"the image is {asset.status.value}", field="asset_id")
