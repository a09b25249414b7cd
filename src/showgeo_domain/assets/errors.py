"""Asset errors. Each maps to one HTTP status in `showgeo_api.http.errors` (413, 415, 404, 409)."""

from __future__ import annotations

from showgeo_domain.shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class AssetNotFound(NotFound):
    """Also what a viewer who may not see an asset is told: its existence is not leaked."""

    code = "asset_not_found"


class AssetTooLarge(InvalidInput):
    """Over the per-kind size limit (413)."""

    code = "asset_too_large"


class UnsupportedMediaType(InvalidInput):
    """The content is not an allowed format, or not the kind the client said (415)."""

    code = "unsupported_media_type"


class EmptyUpload(InvalidInput):
    code = "empty_upload"


class InvalidImage(InvalidInput):
    """An image Pillow cannot read whole (truncated, corrupt) or a decompression bomb."""

    code = "invalid_image"


class UploadNotFinished(InvalidInput):
    """`complete` was called but the storage holds no object for the upload."""

    code = "upload_not_finished"


class AssetInUse(Conflict):
    code = "asset_in_use"


class AssetNotReady(Conflict):
    code = "asset_not_ready"


class AssetAccessDenied(PermissionDenied):
    """The viewer knows the asset (it is linked somewhere they see) but may not read it; the
    `reason` says why (`not_following`, `no_ticket`, `not_purchased`, `private`)."""

    code = "asset_access_denied"
