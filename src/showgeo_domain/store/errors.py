from __future__ import annotations

from showgeo_domain.shared.errors import Conflict, NotFound


class ProductNotFound(NotFound):
    """Also what a viewer who may not see a product is told: its existence is not leaked."""

    code = "product_not_found"


class AlreadyPublished(Conflict):
    code = "already_published"


class NotPublished(Conflict):
    """Only a published product can be unpublished."""

    code = "not_published"


class ProductArchived(Conflict):
    """An archived product is history: orders keep showing it, nothing else changes it."""

    code = "product_archived"
