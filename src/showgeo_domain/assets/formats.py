"""Which formats we accept, decided from the content's magic bytes, never from the file name
or the client's Content-Type.

A `ContentSniffer` (a library behind a port) proposes MIME types for the first bytes, best
first; `choose_format` keeps the first one on the allow-list. Active content (SVG, HTML, XML,
anything a browser would run script in) is refused outright, even when a weaker guess would
have matched something allowed: it is never stored, so it is never served inline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from showgeo_domain.assets.errors import UnsupportedMediaType

SNIFF_BYTES = 8192
"""How much of the start of a file the sniffer sees."""


class AssetKind(StrEnum):
    IMAGE = "IMAGE"
    AUDIO = "AUDIO"
    VIDEO = "VIDEO"
    DOCUMENT = "DOCUMENT"


@dataclass(frozen=True, slots=True)
class Format:
    content_type: str
    kind: AssetKind
    extension: str
    inline: bool = True
    """Whether browsers may show it in place; documents are always sent as attachments."""


_ALLOWED: tuple[Format, ...] = (
    Format("image/jpeg", AssetKind.IMAGE, "jpg"),
    Format("image/png", AssetKind.IMAGE, "png"),
    Format("image/webp", AssetKind.IMAGE, "webp"),
    Format("image/gif", AssetKind.IMAGE, "gif"),
    Format("audio/mpeg", AssetKind.AUDIO, "mp3"),
    Format("audio/wav", AssetKind.AUDIO, "wav"),
    Format("audio/ogg", AssetKind.AUDIO, "ogg"),
    Format("audio/flac", AssetKind.AUDIO, "flac"),
    Format("audio/mp4", AssetKind.AUDIO, "m4a"),
    Format("video/mp4", AssetKind.VIDEO, "mp4"),
    Format("video/webm", AssetKind.VIDEO, "webm"),
    Format("video/quicktime", AssetKind.VIDEO, "mov"),
    Format("application/pdf", AssetKind.DOCUMENT, "pdf", inline=False),
    Format("application/epub+zip", AssetKind.DOCUMENT, "epub", inline=False),
)

FORMATS: dict[str, Format] = {f.content_type: f for f in _ALLOWED}

# Other names sniffers use for the same allowed formats.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/mp3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "audio/wave": "audio/wav",
    "audio/x-wav": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "application/ogg": "audio/ogg",
    "audio/x-flac": "audio/flac",
    "audio/x-m4a": "audio/mp4",
    "video/x-m4v": "video/mp4",
    "video/x-matroska": "video/webm",
}

ACTIVE_CONTENT = frozenset(
    {
        "image/svg+xml",
        "text/html",
        "application/xhtml+xml",
        "application/xml",
        "text/xml",
        "application/javascript",
        "text/javascript",
    }
)


def normalise(content_type: str) -> str:
    base = content_type.split(";", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


def choose_format(candidates: Sequence[str], expected: AssetKind | None = None) -> Format:
    """The allowed format among the sniffer's `candidates` (best first).

    Raises UnsupportedMediaType when nothing matches, when the best guess is active content,
    or when the content is not of the `expected` kind the client announced."""
    names = [normalise(c) for c in candidates if c]
    if names and names[0] in ACTIVE_CONTENT:
        raise UnsupportedMediaType(
            f"{names[0]} is active content and is not accepted", field="file"
        )
    found = next((FORMATS[n] for n in names if n in FORMATS), None)
    if found is None:
        raise UnsupportedMediaType(
            "the file's content is not a supported image, audio, video or document format",
            field="file",
        )
    if expected is not None and found.kind is not expected:
        raise UnsupportedMediaType(
            f"the file is {found.content_type}, not {expected.value.lower()}", field="kind"
        )
    return found
