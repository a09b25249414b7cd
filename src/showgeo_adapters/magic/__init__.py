"""Content sniffing by magic bytes (puremagic: pure Python, no libmagic needed)."""

from showgeo_adapters.magic.sniffer import PureMagicSniffer

__all__ = ["PureMagicSniffer"]
