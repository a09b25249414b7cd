"""Reacting to asset events: image variants are made off the request, by the worker (or the
in-process relay on the embedded default).

These handlers are not wrapped in `idempotent_consumer`: that wrapper runs the work inside a
unit of work, which would hold the database's write lock (SQLite) or the memory store's lock
while Pillow decodes and storage uploads. `Assets.make_variants` is idempotent by itself
instead (it acts only on a PROCESSING asset and writes fixed keys), and keeps every unit of
work it opens short.
"""

from __future__ import annotations

import msgspec

from showgeo_domain.assets.domain_events import AssetUploaded
from showgeo_domain.assets.formats import AssetKind
from showgeo_domain.assets.services import Assets
from showgeo_domain.shared.messaging import Handler, OutboxMessage

VARIANTS_CONSUMER = "assets.variants"


def handlers(assets: Assets) -> list[tuple[str, str, Handler]]:
    """`(consumer name, subject, handler)` for the bus, bound to these use cases."""

    async def make_variants(message: OutboxMessage) -> None:
        event = msgspec.json.decode(message.payload, type=AssetUploaded)
        if event.kind == AssetKind.IMAGE.value:
            await assets.make_variants(event.asset_id)

    return [(VARIANTS_CONSUMER, AssetUploaded.subject(), make_variants)]
