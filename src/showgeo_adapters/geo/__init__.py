"""Where a viewer is: trusted proxy headers, a MaxMind database, or both in turn."""

from showgeo_adapters.geo.chain import LocatorChain, UnknownLocator
from showgeo_adapters.geo.headers import ProxyHeaderLocator
from showgeo_adapters.geo.maxmind import MaxMindLocator
from showgeo_adapters.geo.proxies import TrustedProxies

__all__ = [
    "LocatorChain",
    "MaxMindLocator",
    "ProxyHeaderLocator",
    "TrustedProxies",
    "UnknownLocator",
]
