"""The `ContentSniffer` port on puremagic.

puremagic matches the first bytes against its signature table and returns candidates, best
first by confidence. Some signatures carry no MIME type (only an extension); those are named
through the standard `mimetypes` table. What is allowed is the domain's decision
(`showgeo_domain.assets.formats`); this only says what the bytes look like.
"""

from __future__ import annotations

import mimetypes

import puremagic


class PureMagicSniffer:
    def candidates(self, head: bytes) -> list[str]:
        if not head:
            return []
        try:
            matches = puremagic.magic_string(head)
        except (puremagic.PureError, ValueError):
            return []
        ranked = sorted(matches, key=lambda m: -m.confidence)
        names: list[str] = []
        for match in ranked:
            name = match.mime_type or mimetypes.types_map.get(match.extension.lower(), "")
            if name and name not in names:
                names.append(name)
        return names
