"""Images through Pillow: validation and WebP variants."""

from showgeo_adapters.imaging.pillow import PillowImageProcessor

__all__ = ["PillowImageProcessor"]
