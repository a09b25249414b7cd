"""Great-circle geometry for "events near me".

A radius query runs in two steps: a latitude/longitude bounding box that an index can answer
cheaply (it contains the circle, plus corners), then the exact haversine distance on the few
rows left. Pure functions, shared by every adapter so all of them agree to the metre.
"""

from __future__ import annotations

import math

import msgspec

from showgeo_domain.shared.errors import InvalidInput

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
MAX_RADIUS_KM = 20_000.0


class GeoPoint(msgspec.Struct, frozen=True):
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (isinstance(self.lat, int | float) and -90.0 <= self.lat <= 90.0):
            raise InvalidInput("latitude must be between -90 and 90", field="lat")
        if not (isinstance(self.lon, int | float) and -180.0 <= self.lon <= 180.0):
            raise InvalidInput("longitude must be between -180 and 180", field="lon")


class BoundingBox(msgspec.Struct, frozen=True):
    """`min_lon > max_lon` means the box crosses the antimeridian (wraps around ±180°)."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    @property
    def wraps(self) -> bool:
        return self.min_lon > self.max_lon

    def contains(self, point: GeoPoint) -> bool:
        if not self.min_lat <= point.lat <= self.max_lat:
            return False
        if self.wraps:
            return point.lon >= self.min_lon or point.lon <= self.max_lon
        return self.min_lon <= point.lon <= self.max_lon


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Haversine distance on a sphere of the Earth's mean radius."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def check_radius(radius_km: float) -> float:
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise InvalidInput(
            f"radius_km must be greater than 0 and at most {MAX_RADIUS_KM:g}", field="radius_km"
        )
    return radius_km


def bounding_box(center: GeoPoint, radius_km: float) -> BoundingBox:
    """The smallest lat/lon box holding every point within `radius_km` of `center`
    (Bronshtein's formulas, as in Jan Matuschek's "Finding Points Within a Distance").
    Near a pole the circle covers every longitude."""
    angular = check_radius(radius_km) / EARTH_RADIUS_KM
    lat = math.radians(center.lat)
    min_lat, max_lat = lat - angular, lat + angular
    if min_lat <= -math.pi / 2 or max_lat >= math.pi / 2:
        return BoundingBox(
            max(math.degrees(min_lat), -90.0), min(math.degrees(max_lat), 90.0), -180.0, 180.0
        )
    delta_lon = math.asin(min(1.0, math.sin(angular) / math.cos(lat)))
    min_lon = math.degrees(math.radians(center.lon) - delta_lon)
    max_lon = math.degrees(math.radians(center.lon) + delta_lon)
    if min_lon < -180.0:
        min_lon += 360.0
    if max_lon > 180.0:
        max_lon -= 360.0
    return BoundingBox(math.degrees(min_lat), math.degrees(max_lat), min_lon, max_lon)
