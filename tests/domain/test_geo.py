"""Great-circle distance and the bounding box used to pre-filter "events near me".

Points within a radius are generated with the direct geodesic problem on the same sphere the
model uses (start, bearing, distance → destination), so the box must hold every one of them:
mid-latitudes, next to the poles and straddling the antimeridian.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from showgeo_domain.events.geo import (
    EARTH_RADIUS_KM,
    MAX_RADIUS_KM,
    BoundingBox,
    GeoPoint,
    bounding_box,
    distance_km,
)
from showgeo_domain.events.model import Venue
from showgeo_domain.shared.errors import InvalidInput

LISBON = GeoPoint(38.7223, -9.1393)
PORTO = GeoPoint(41.1579, -8.6291)
MADRID = GeoPoint(40.4168, -3.7038)

lats = st.floats(-90, 90, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)
points = st.builds(GeoPoint, lats, lons)
radii = st.floats(0.001, MAX_RADIUS_KM, allow_nan=False, exclude_min=False)


def destination(start: GeoPoint, bearing_deg: float, dist_km: float) -> GeoPoint:
    """Direct geodesic problem on a sphere of the model's radius, longitude wrapped."""
    delta = dist_km / EARTH_RADIUS_KM
    theta = math.radians(bearing_deg)
    lat1, lon1 = math.radians(start.lat), math.radians(start.lon)
    sin_lat2 = math.sin(lat1) * math.cos(delta) + math.cos(lat1) * math.sin(delta) * math.cos(theta)
    lat2 = math.asin(max(-1.0, min(1.0, sin_lat2)))
    lon2 = lon1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(lat1),
        math.cos(delta) - math.sin(lat1) * sin_lat2,
    )
    lon = (math.degrees(lon2) + 180.0) % 360.0 - 180.0
    return GeoPoint(max(-90.0, min(90.0, math.degrees(lat2))), lon)


# --- distance ------------------------------------------------------------------------------


@given(points, points)
def test_distance_is_symmetric_and_bounded(a, b):
    d = distance_km(a, b)
    assert d == pytest.approx(distance_km(b, a), abs=1e-9)
    assert 0.0 <= d <= math.pi * EARTH_RADIUS_KM + 1e-6


@given(points)
def test_distance_to_itself_is_zero(a):
    assert distance_km(a, a) == 0.0


@given(points, points, points)
def test_triangle_inequality(a, b, c):
    assert distance_km(a, c) <= distance_km(a, b) + distance_km(b, c) + 1e-6


@given(points, st.floats(0, 360), st.floats(0, 19_000))
def test_distance_recovers_the_generated_distance(start, bearing, dist):
    """The generator and the haversine agree: the box tests below rest on that."""
    assert distance_km(start, destination(start, bearing, dist)) == pytest.approx(dist, abs=1e-3)


@pytest.mark.parametrize(
    ("a", "b", "expected_km"), [(LISBON, PORTO, 274.0), (LISBON, MADRID, 503.0)]
)
def test_known_distances_within_one_percent(a, b, expected_km):
    assert distance_km(a, b) == pytest.approx(expected_km, rel=0.01)


def test_antipodes_and_the_antimeridian():
    assert distance_km(GeoPoint(0, 0), GeoPoint(0, 180)) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert distance_km(GeoPoint(90, 0), GeoPoint(-90, 0)) == pytest.approx(
        math.pi * EARTH_RADIUS_KM
    )
    # 179.9 E to 179.9 W is a short hop over the date line, not a trip round the world.
    hop = distance_km(GeoPoint(0, 179.9), GeoPoint(0, -179.9))
    assert hop == pytest.approx(0.2 * math.pi / 180 * EARTH_RADIUS_KM)
    assert distance_km(GeoPoint(0, 180), GeoPoint(0, -180)) == pytest.approx(0.0, abs=1e-9)


# --- bounding box --------------------------------------------------------------------------


def assert_contains_circle(center: GeoPoint, radius: float, bearing: float, share: float) -> None:
    box = bounding_box(center, radius)
    point = destination(center, bearing, radius * share)
    assume(distance_km(center, point) < radius)  # generator rounding never decides a case
    assert box.contains(point), (box, point, distance_km(center, point))
    assert box.contains(center)


@given(points, radii, st.floats(0, 360), st.floats(0, 0.999))
@example(GeoPoint(0.0, 179.99), 500.0, 90.0, 0.99)
@example(GeoPoint(0.0, -179.99), 500.0, 270.0, 0.99)
@example(GeoPoint(10.0, 180.0), 100.0, 90.0, 0.5)
@example(GeoPoint(-10.0, -180.0), 100.0, 270.0, 0.5)
@example(GeoPoint(89.9, 0.0), 50.0, 180.0, 0.99)
@example(GeoPoint(-89.9, 45.0), 50.0, 0.0, 0.99)
@example(GeoPoint(90.0, 0.0), 10.0, 123.0, 0.9)
@example(GeoPoint(0.0, 0.0), MAX_RADIUS_KM, 45.0, 0.999)
def test_box_contains_every_point_within_the_radius(center, radius, bearing, share):
    assert_contains_circle(center, radius, bearing, share)


@given(
    st.builds(GeoPoint, st.floats(80, 90), lons) | st.builds(GeoPoint, st.floats(-90, -80), lons),
    st.floats(0.001, 2_000),
    st.floats(0, 360),
    st.floats(0, 0.999),
)
def test_box_contains_the_circle_near_the_poles(center, radius, bearing, share):
    assert_contains_circle(center, radius, bearing, share)


@given(
    st.builds(GeoPoint, st.floats(-75, 75), st.floats(170, 180) | st.floats(-180, -170)),
    st.floats(1, 2_000),
    st.floats(0, 360),
    st.floats(0, 0.999),
)
def test_box_contains_the_circle_across_the_antimeridian(center, radius, bearing, share):
    assert_contains_circle(center, radius, bearing, share)


@given(st.builds(GeoPoint, st.floats(-60, 60), lons), st.floats(1, 1_000))
def test_box_is_tight_away_from_the_poles(center, radius):
    """Its latitude edges are exactly the circle's northmost and southmost points."""
    box = bounding_box(center, radius)
    spread = math.degrees(radius / EARTH_RADIUS_KM)
    assert box.max_lat == pytest.approx(center.lat + spread)
    assert box.min_lat == pytest.approx(center.lat - spread)
    assert -180.0 <= box.min_lon <= 180.0
    assert -180.0 <= box.max_lon <= 180.0


def test_box_across_the_antimeridian_wraps():
    box = bounding_box(GeoPoint(0.0, 179.9), 100.0)
    assert box.wraps
    assert box.contains(GeoPoint(0.0, 179.95))
    assert box.contains(GeoPoint(0.0, -179.5))
    assert not box.contains(GeoPoint(0.0, 0.0))
    assert not box.contains(GeoPoint(0.0, 178.0))


def test_box_over_a_pole_covers_every_longitude():
    box = bounding_box(GeoPoint(89.5, 10.0), 200.0)
    assert (box.min_lon, box.max_lon, box.max_lat) == (-180.0, 180.0, 90.0)
    assert box.contains(GeoPoint(89.0, -170.0))


def test_plain_box_contains_only_its_rectangle():
    box = BoundingBox(min_lat=10.0, max_lat=20.0, min_lon=-5.0, max_lon=5.0)
    assert not box.wraps
    assert box.contains(GeoPoint(10.0, -5.0))
    assert box.contains(GeoPoint(20.0, 5.0))
    assert not box.contains(GeoPoint(21.0, 0.0))
    assert not box.contains(GeoPoint(15.0, 6.0))


# --- invalid input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (90.0001, 0.0, "lat"),
        (-91.0, 0.0, "lat"),
        (math.nan, 0.0, "lat"),
        (math.inf, 0.0, "lat"),
        ("38.7", 0.0, "lat"),
        (None, 0.0, "lat"),
        (0.0, 180.0001, "lon"),
        (0.0, -181.0, "lon"),
        (0.0, math.nan, "lon"),
        (0.0, -math.inf, "lon"),
        (0.0, "9.1", "lon"),
    ],
)
def test_out_of_range_points_are_refused_with_their_field(lat, lon, field):
    with pytest.raises(InvalidInput) as caught:
        GeoPoint(lat, lon)
    assert caught.value.field == field


@pytest.mark.parametrize("radius", [0.0, -1.0, MAX_RADIUS_KM + 0.001, math.nan, math.inf])
def test_bad_radius_is_refused(radius):
    with pytest.raises(InvalidInput) as caught:
        bounding_box(LISBON, radius)
    assert caught.value.field == "radius_km"


@pytest.mark.parametrize("radius", [0.001, MAX_RADIUS_KM])
def test_radius_bounds_are_inclusive_above_and_exclusive_below(radius):
    bounding_box(LISBON, radius)


@given(lats, lons)
def test_every_valid_coordinate_is_accepted(lat, lon):
    point = GeoPoint(lat, lon)
    assert (point.lat, point.lon) == (lat, lon)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lat": 91.0}, "lat"),
        ({"lon": 200.0}, "lon"),
        ({"country": "pt"}, "country"),
        ({"country": "PRT"}, "country"),
        ({"name": "   "}, "venue"),
        ({"name": "x" * 201}, "venue"),
    ],
)
def test_venue_checks_its_place(kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        Venue(**{"name": "Coliseu", "lat": 38.7, "lon": -9.1, "country": "PT", **kwargs})
    assert caught.value.field == field


def test_venue_point():
    assert Venue("Coliseu", 38.7, -9.1, "PT").point == GeoPoint(38.7, -9.1)
