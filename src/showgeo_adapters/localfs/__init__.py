"""Object storage in a folder on disk (default `./var/assets`): the embedded default."""

from showgeo_adapters.localfs.storage import (
    InvalidKey,
    InvalidUploadToken,
    LocalObjectStorage,
    UploadGrant,
)

__all__ = ["InvalidKey", "InvalidUploadToken", "LocalObjectStorage", "UploadGrant"]
