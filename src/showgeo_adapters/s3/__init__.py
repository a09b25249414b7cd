"""Object storage on S3 or any S3-compatible endpoint, through aioboto3."""

from showgeo_adapters.s3.storage import S3ObjectStorage

__all__ = ["S3ObjectStorage"]
