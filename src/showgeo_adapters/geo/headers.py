"""Location from headers a trusted proxy or CDN adds (e.g. Cloudflare's `CF-IPCountry`,
`CF-IPLatitude`, `CF-IPLongitude`); the names are settings."""

from __future__ import annotations

import math
import re

from showgeo_adapters.geo.proxies import TrustedProxies
from showgeo_domain.events.geo import GeoPoint
from showgeo_domain.streaming.model import UNKNOWN_LOCATION, Location
from showgeo_domain.streaming.ports import ClientAddress

_COUNTRY = re.compile(r"[A-Z]{2}")
_NOT_A_COUNTRY = {"XX", "T1", "ZZ"}
"""Codes CDNs use for unknown places and Tor exits."""


def _coordinate(raw: str | None, limit: float) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


class ProxyHeaderLocator:
    def __init__(
        self,
        proxies: TrustedProxies,
        *,
        country_header: str | None,
        latitude_header: str | None = None,
        longitude_header: str | None = None,
    ) -> None:
        self._proxies = proxies
        self._country = country_header.lower() if country_header else None
        self._lat = latitude_header.lower() if latitude_header else None
        self._lon = longitude_header.lower() if longitude_header else None

    def locate(self, client: ClientAddress) -> Location:
        if not self._proxies.trusts(client.peer):
            return UNKNOWN_LOCATION
        headers = client.headers
        country = None
        if self._country and (raw := headers.get(self._country)):
            code = raw.strip().upper()
            country = code if _COUNTRY.fullmatch(code) and code not in _NOT_A_COUNTRY else None
        point = None
        if self._lat and self._lon:
            lat = _coordinate(headers.get(self._lat), 90.0)
            lon = _coordinate(headers.get(self._lon), 180.0)
            point = GeoPoint(lat, lon) if lat is not None and lon is not None else None
        return Location(country, point)
