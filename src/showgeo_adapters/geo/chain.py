"""Several locators asked in turn: each part of the location (country, coordinates) comes
from the first locator that knows it, so a proxy's country header can be completed by a
MaxMind City lookup, or stand in for it."""

from __future__ import annotations

from collections.abc import Sequence

from showgeo_domain.streaming.model import UNKNOWN_LOCATION, Location
from showgeo_domain.streaming.ports import ClientAddress, GeoLocator


class UnknownLocator:
    """Nothing configured: every viewer's place is unknown."""

    def locate(self, client: ClientAddress) -> Location:
        return UNKNOWN_LOCATION


class LocatorChain:
    def __init__(self, locators: Sequence[GeoLocator]) -> None:
        self._locators = list(locators)

    def locate(self, client: ClientAddress) -> Location:
        country, point = None, None
        for locator in self._locators:
            found = locator.locate(client)
            country = country or found.country
            point = point or found.point
            if country is not None and point is not None:
                break
        return Location(country, point)
