"""The stream access policy as a table: every access level by every kind of viewer by inside or
outside the geofence by every phase of the event.

The audience table below is written out by hand, one row per (level, kind): it is the
contract (who may watch what), so it must not be derived from the code under test."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from showgeo_domain.entities.model import MemberRole
from showgeo_domain.events.geo import GeoPoint
from showgeo_domain.events.model import EventPhase
from showgeo_domain.identity.model import Actor, Role
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.streaming.model import (
    NO_GEOFENCE,
    UNKNOWN_LOCATION,
    AccessLevel,
    Circle,
    Geofence,
    Location,
    Placement,
    StreamMetrics,
    ViewerSession,
    event_of_room,
    metrics_of,
    room_of,
)
from showgeo_domain.streaming.policy import (
    Grant,
    Refusal,
    RefusalReason,
    StreamRole,
    Viewer,
    decide,
)

USER = Actor(uuid.uuid4())
ADMIN = Actor(uuid.uuid4(), frozenset({Role.USER, Role.ADMIN}))

KINDS: dict[str, Viewer] = {
    "anonymous": Viewer(),
    "user": Viewer(actor=USER),
    "follower": Viewer(actor=USER, follows=True),
    "ticket_holder": Viewer(actor=USER, holds_ticket=True),
    "follower_with_ticket": Viewer(actor=USER, follows=True, holds_ticket=True),
    "owner": Viewer(actor=USER, role=MemberRole.OWNER),
    "entity_admin": Viewer(actor=USER, role=MemberRole.ADMIN),
    "collaborator": Viewer(actor=USER, role=MemberRole.COLLABORATOR),
    "platform_admin": Viewer(actor=ADMIN),
}
HOSTS = {"owner", "entity_admin", "collaborator"}

OK = None
L, F, T, M = (
    RefusalReason.LOGIN_REQUIRED,
    RefusalReason.NOT_FOLLOWING,
    RefusalReason.NO_TICKET,
    RefusalReason.MEMBERS_ONLY,
)
# fmt: off
AUDIENCE: dict[AccessLevel, dict[str, RefusalReason | None]] = {
    #                          anon user follower ticket f+t  platform_admin
    AccessLevel.PUBLIC:         dict(anonymous=OK, user=OK, follower=OK, ticket_holder=OK, follower_with_ticket=OK, platform_admin=OK),  # noqa: E501
    AccessLevel.AUTHENTICATED:  dict(anonymous=L,  user=OK, follower=OK, ticket_holder=OK, follower_with_ticket=OK, platform_admin=OK),  # noqa: E501
    AccessLevel.FOLLOWERS:      dict(anonymous=L,  user=F,  follower=OK, ticket_holder=F,  follower_with_ticket=OK, platform_admin=OK),  # noqa: E501
    AccessLevel.TICKET_HOLDERS: dict(anonymous=L,  user=T,  follower=T,  ticket_holder=OK, follower_with_ticket=OK, platform_admin=OK),  # noqa: E501
    AccessLevel.PRIVATE:        dict(anonymous=L,  user=M,  follower=M,  ticket_holder=M,  follower_with_ticket=M,  platform_admin=OK),  # noqa: E501
}
# fmt: on

LISBON = Location("PT", GeoPoint(38.7223, -9.1393))
MADRID = Location("ES", GeoPoint(40.4168, -3.7038))
PORTUGAL_ONLY = Geofence(allowed_countries=frozenset({"PT"}))
PLACES = {"inside": LISBON, "outside": MADRID}


def expected(level: AccessLevel, kind: str, place: str, phase: EventPhase) -> Grant | Refusal:
    if kind in HOSTS:  # hosts: any level, anywhere, before and during the show
        if phase in (EventPhase.PRE_LIVE, EventPhase.LIVE):
            return Grant(StreamRole.HOST)
        return Refusal(RefusalReason.NOT_LIVE)
    refusal = AUDIENCE[level][kind]
    if refusal is not None:
        return Refusal(refusal)
    if place == "outside" and kind != "platform_admin":
        return Refusal(RefusalReason.OUTSIDE_REGION)
    if phase is not EventPhase.LIVE:
        return Refusal(RefusalReason.NOT_LIVE)
    return Grant(StreamRole.VIEWER)


CASES = list(itertools.product(AccessLevel, KINDS, PLACES, EventPhase))


def test_the_table_covers_every_combination():
    assert len(CASES) == 5 * 9 * 2 * 4
    assert all(set(AUDIENCE[level]) | HOSTS == set(KINDS) for level in AccessLevel)


@pytest.mark.parametrize(("level", "kind", "place", "phase"), CASES)
def test_access_table(level, kind, place, phase):
    decision = decide(
        viewer=KINDS[kind],
        level=level,
        geofence=PORTUGAL_ONLY,
        where=PLACES[place],
        phase=phase,
    )
    assert decision == expected(level, kind, place, phase)


@pytest.mark.parametrize("level", list(AccessLevel))
def test_no_geofence_lets_every_place_in(level):
    for where in (LISBON, MADRID, UNKNOWN_LOCATION):
        decision = decide(
            viewer=KINDS["follower_with_ticket"]
            if level is not AccessLevel.PRIVATE
            else KINDS["platform_admin"],
            level=level,
            geofence=NO_GEOFENCE,
            where=where,
            phase=EventPhase.LIVE,
        )
        assert decision == Grant(StreamRole.VIEWER)


def test_unknown_location_on_a_geofenced_stream_is_refused_unless_allowed():
    ask = dict(
        viewer=Viewer(), level=AccessLevel.PUBLIC, geofence=PORTUGAL_ONLY, phase=EventPhase.LIVE
    )
    assert decide(**ask, where=UNKNOWN_LOCATION) == Refusal(RefusalReason.OUTSIDE_REGION)
    assert decide(**ask, where=UNKNOWN_LOCATION, allow_unknown_location=True) == Grant(
        StreamRole.VIEWER
    )
    # A known location outside stays refused whatever the unknown-location setting.
    assert decide(**ask, where=MADRID, allow_unknown_location=True) == Refusal(
        RefusalReason.OUTSIDE_REGION
    )


LISBON_50KM = Circle(38.7223, -9.1393, 50)
PORTO = Location("PT", GeoPoint(41.1579, -8.6291))  # ~275 km north of Lisbon


@pytest.mark.parametrize(
    ("fence", "where", "placement"),
    [
        (Geofence(allowed_circles=(LISBON_50KM,)), LISBON, Placement.INSIDE),
        (Geofence(allowed_circles=(LISBON_50KM,)), PORTO, Placement.OUTSIDE),
        (Geofence(allowed_circles=(LISBON_50KM,)), Location("PT"), Placement.UNKNOWN),
        (Geofence(denied_circles=(LISBON_50KM,)), LISBON, Placement.OUTSIDE),
        (Geofence(denied_circles=(LISBON_50KM,)), PORTO, Placement.INSIDE),
        (Geofence(denied_countries=frozenset({"ES"})), MADRID, Placement.OUTSIDE),
        (Geofence(denied_countries=frozenset({"ES"})), LISBON, Placement.INSIDE),
        (
            Geofence(denied_countries=frozenset({"ES"})),
            Location(None, LISBON.point),
            Placement.UNKNOWN,
        ),
        # a denial wins over an allowance
        (
            Geofence(allowed_countries=frozenset({"PT"}), denied_circles=(LISBON_50KM,)),
            LISBON,
            Placement.OUTSIDE,
        ),
        # either allow rule lets in; a country alone decides a country rule
        (
            Geofence(allowed_countries=frozenset({"ES"}), allowed_circles=(LISBON_50KM,)),
            Location("PT", LISBON.point),
            Placement.INSIDE,
        ),
        (
            Geofence(allowed_countries=frozenset({"ES"}), allowed_circles=(LISBON_50KM,)),
            Location("ES"),
            Placement.INSIDE,
        ),
        (
            Geofence(allowed_countries=frozenset({"ES"}), allowed_circles=(LISBON_50KM,)),
            Location("FR"),
            Placement.UNKNOWN,
        ),
        (Geofence(allowed_countries=frozenset({"PT"})), Location("FR"), Placement.OUTSIDE),
        (NO_GEOFENCE, UNKNOWN_LOCATION, Placement.INSIDE),
    ],
)
def test_geofence_placement(fence, where, placement):
    assert fence.place(where) is placement


def test_geofence_refuses_bad_rules():
    with pytest.raises(InvalidInput):
        Geofence(allowed_countries=frozenset({"pt"}))
    with pytest.raises(InvalidInput):
        Circle(38.7, -9.1, 0)
    with pytest.raises(InvalidInput):
        Circle(91, 0, 10)


def test_rooms_lead_back_to_their_event():
    event_id = uuid.uuid4()
    assert event_of_room(room_of(event_id)) == event_id
    assert event_of_room("someone-elses-room") is None
    assert event_of_room("showgeo-event-not-a-uuid") is None


T0 = datetime(2026, 5, 1, 21, 0, tzinfo=UTC)


def _at(seconds: int | None) -> datetime | None:
    return None if seconds is None else T0 + timedelta(seconds=seconds)


def _stay(sid: str, who: str, start: int | None, end: int | None) -> ViewerSession:
    return ViewerSession(uuid.uuid4(), sid, who, _at(start), _at(end))


def test_metrics_come_from_the_recorded_times_not_the_arrival_order():
    stays = [
        _stay("a", "ana", 0, 100),
        _stay("b", "bea", 50, 70),
        _stay("c", "ana", 60, None),  # ana's second connection, still open
        _stay("d", "cy", None, 90),  # a leave whose join never came: not counted
        _stay("e", "dee", 100, 120),  # joins as ana's first stay ends: not overlapping
    ]
    now = T0 + timedelta(seconds=200)
    for order in (stays, list(reversed(stays))):
        figures = metrics_of(order, now)
        assert figures == StreamMetrics(
            current_viewers=1, peak_viewers=3, unique_viewers=3, watch_seconds=100 + 20 + 140 + 20
        )
    assert metrics_of([], now) == StreamMetrics(0, 0, 0, 0)
