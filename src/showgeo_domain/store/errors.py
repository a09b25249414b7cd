from __future__ import annotations

from showgeo_domain.shared.errors import Conflict, NotFound


class ProductNotFound(NotFound):
    """Also what a viewer who may not see a product is told: its existence is not leaked."""

    code = "product_not_found"


class AlreadyPublished(Conflict):
    code = "already_published"
