"""Location from a MaxMind database file (GeoIP2/GeoLite2 Country or City) through `geoip2`.

The operator provides the `.mmdb` file (MaxMind's licence forbids shipping it). City
databases give coordinates as well as the country; Country databases the country only. The
file is opened once (memory-mapped) and read without I/O per lookup."""

from __future__ import annotations

from pathlib import Path

import geoip2.database
import geoip2.errors
from maxminddb import InvalidDatabaseError

from showgeo_adapters.geo.proxies import TrustedProxies, parse_address
from showgeo_domain.events.geo import GeoPoint
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.streaming.model import UNKNOWN_LOCATION, Location
from showgeo_domain.streaming.ports import ClientAddress


class MaxMindLocator:
    def __init__(
        self,
        database: str | Path,
        proxies: TrustedProxies | None = None,
        *,
        forwarded_for_header: str = "x-forwarded-for",
    ) -> None:
        self._reader = geoip2.database.Reader(str(database))
        self._city = "City" in self._reader.metadata().database_type
        self._proxies = proxies or TrustedProxies()
        self._forwarded_for = forwarded_for_header.lower()

    def locate(self, client: ClientAddress) -> Location:
        address = self._proxies.client_address(client.peer, client.headers.get(self._forwarded_for))
        if parse_address(address) is None:
            return UNKNOWN_LOCATION
        assert address is not None
        try:
            if not self._city:
                return Location(self._reader.country(address).country.iso_code)
            found = self._reader.city(address)
        except (geoip2.errors.AddressNotFoundError, InvalidDatabaseError, ValueError):
            return UNKNOWN_LOCATION
        point = None
        lat, lon = found.location.latitude, found.location.longitude
        if lat is not None and lon is not None:
            try:
                point = GeoPoint(lat, lon)
            except InvalidInput:
                point = None
        return Location(found.country.iso_code, point)

    def close(self) -> None:
        self._reader.close()
