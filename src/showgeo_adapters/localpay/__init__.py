"""localpay: a payment provider with its own checkout page, for the embedded default, demos
and tests. No money moves; everything else (signed links, signed webhooks, replays) behaves
like a real provider so the same code paths are exercised."""

from showgeo_adapters.localpay.provider import (
    SIGNATURE_HEADER,
    TOLERANCE_SECONDS,
    LocalPay,
)

__all__ = ["SIGNATURE_HEADER", "TOLERANCE_SECONDS", "LocalPay"]
