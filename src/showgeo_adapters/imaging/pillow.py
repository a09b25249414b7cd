"""The `ImageProcessor` port on Pillow.

The image arrives as a stream and is spooled (memory up to 1 MiB, then a temporary file), then
decoded in a worker thread so the event loop keeps serving. Defences:
- decompression bombs: the pixel count is read from the header and refused above
  `max_pixels` before any pixel is decoded (Pillow's own check is only a warning below twice
  its limit, and its limit is a process-wide global);
- truncated or corrupt files: the image is decoded whole (`load()`), which raises;
- metadata: variants are re-encoded from pixels only (no EXIF, no XMP, no comments), after
  `exif_transpose` has turned the EXIF orientation into real rotation.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import warnings
from collections.abc import AsyncIterable, Sequence
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from showgeo_domain.assets.errors import InvalidImage
from showgeo_domain.assets.ports import ImageInfo, RenderedVariant, VariantSpec

DEFAULT_MAX_PIXELS = 50_000_000
SPOOL_BYTES = 1024 * 1024


class PillowImageProcessor:
    def __init__(self, *, max_pixels: int = DEFAULT_MAX_PIXELS, quality: int = 82) -> None:
        self._max_pixels = max_pixels
        self._quality = quality

    async def inspect(self, content: AsyncIterable[bytes]) -> ImageInfo:
        with await _spool(content) as source:
            return await asyncio.to_thread(self._inspect, source)

    async def render(
        self, content: AsyncIterable[bytes], specs: Sequence[VariantSpec]
    ) -> tuple[ImageInfo, list[RenderedVariant]]:
        with await _spool(content) as source:
            return await asyncio.to_thread(self._render, source, list(specs))

    def _inspect(self, source: IO[bytes]) -> ImageInfo:
        with self._decoded(source) as image:
            return ImageInfo(image.width, image.height)

    def _render(
        self, source: IO[bytes], specs: list[VariantSpec]
    ) -> tuple[ImageInfo, list[RenderedVariant]]:
        with self._decoded(source) as image:
            upright = ImageOps.exif_transpose(image)
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            pixels = upright.convert("RGBA" if has_alpha else "RGB")
            rendered = []
            for spec in specs:
                variant = pixels.copy()
                variant.thumbnail((spec.max_side, spec.max_side), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                variant.save(out, "WEBP", quality=self._quality, method=4)
                rendered.append(
                    RenderedVariant(spec.name, out.getvalue(), variant.width, variant.height)
                )
            return ImageInfo(upright.width, upright.height), rendered

    def _decoded(self, source: IO[bytes]) -> Image.Image:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(source)
                if image.width * image.height > self._max_pixels:
                    image.close()
                    raise InvalidImage(
                        f"the image has {image.width}x{image.height} pixels, more than the "
                        f"{self._max_pixels} allowed",
                        field="file",
                    )
                image.load()
        except InvalidImage:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InvalidImage("the image has too many pixels", field="file") from exc
        except UnidentifiedImageError as exc:
            raise InvalidImage("the file is not an image Pillow can read", field="file") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise InvalidImage(f"the image is truncated or corrupt ({exc})", field="file") from exc
        return image


async def _spool(content: AsyncIterable[bytes]) -> IO[bytes]:
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        async for chunk in content:
            spooled.write(chunk)
        spooled.seek(0)
    except BaseException:
        spooled.close()
        raise
    return spooled
