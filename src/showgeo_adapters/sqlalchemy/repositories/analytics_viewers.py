"""Streaming viewer metrics for the recompute, from `stream_sessions` (one row per
participant connection; `identity` is the user id, or `guest-…` for anonymous viewers) and
`streams` (which entity an event's stream belongs to).

viewers: distinct identities that joined; watch_seconds: the length of finished sessions
(open ones count once they end). The session length is dialect SQL: PostgreSQL subtracts
timestamps, SQLite compares Julian days.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, String, Uuid, cast, extract, func, literal, select

from showgeo_adapters.sqlalchemy.tables import stream_sessions, streams, users
from showgeo_domain.analytics.summaries import PLATFORM_ID, Metric

s = stream_sessions
_JOINED = s.c.joined_at.is_not(None)
_FINISHED = _JOINED & s.c.left_at.is_not(None)
_WITH_STREAM = s.join(streams, streams.c.event_id == s.c.event_id)


def seconds_watched(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return extract("epoch", s.c.left_at - s.c.joined_at)
    return (func.julianday(s.c.left_at) - func.julianday(s.c.joined_at)) * 86400.0


def _watch(dialect: str) -> ColumnElement[int]:
    return cast(func.round(func.coalesce(func.sum(seconds_watched(dialect)), 0)), BigInteger)


def user_of_identity(dialect: str) -> ColumnElement[bool]:
    """A session's identity names a user: the UUID's text on PostgreSQL, the hex SQLAlchemy
    stores on SQLite (guests match no one)."""
    if dialect == "postgresql":
        return cast(users.c.id, String) == s.c.identity
    return users.c.id == func.replace(s.c.identity, "-", "")


def _viewers() -> ColumnElement[int]:
    return func.count(s.c.identity.distinct())


def _named(metric: Metric) -> ColumnElement[str]:
    return literal(metric.value, String)


def entity_viewer_aggregates(dialect: str) -> list[Any]:
    entity = streams.c.entity_id
    return [
        select(
            entity.label("subject_id"),
            _named(Metric.VIEWERS).label("metric"),
            _viewers().label("value"),
        )
        .select_from(_WITH_STREAM)
        .where(_JOINED)
        .group_by(entity),
        select(
            entity.label("subject_id"),
            _named(Metric.WATCH_SECONDS).label("metric"),
            _watch(dialect).label("value"),
        )
        .select_from(_WITH_STREAM)
        .where(_FINISHED)
        .group_by(entity),
    ]


def event_viewer_aggregates(dialect: str) -> list[Any]:
    return [
        select(
            s.c.event_id.label("subject_id"),
            _named(Metric.VIEWERS).label("metric"),
            _viewers().label("value"),
        )
        .where(_JOINED)
        .group_by(s.c.event_id),
        select(
            s.c.event_id.label("subject_id"),
            _named(Metric.WATCH_SECONDS).label("metric"),
            _watch(dialect).label("value"),
        )
        .where(_FINISHED)
        .group_by(s.c.event_id),
    ]


def user_viewer_aggregates(dialect: str) -> list[Any]:
    joined = s.join(users, user_of_identity(dialect))
    return [
        select(
            users.c.id.label("subject_id"),
            _named(Metric.WATCH_SECONDS).label("metric"),
            _watch(dialect).label("value"),
        )
        .select_from(joined)
        .where(_FINISHED)
        .group_by(users.c.id)
    ]


def platform_viewer_aggregates(dialect: str) -> list[Any]:
    platform = literal(PLATFORM_ID, Uuid).label("subject_id")
    return [
        select(platform, _named(Metric.VIEWERS).label("metric"), _viewers().label("value")).where(
            _JOINED
        ),
        select(
            literal(PLATFORM_ID, Uuid).label("subject_id"),
            _named(Metric.WATCH_SECONDS).label("metric"),
            _watch(dialect).label("value"),
        ).where(_FINISHED),
    ]


def watch_interactions(dialect: str, user_filter: Any) -> Any:
    """(user, entity, 0, 0, 0, watch_seconds) rows for the interaction UNION ALL."""
    zero = literal(0, BigInteger)
    joined = _WITH_STREAM.join(users, user_of_identity(dialect))
    return (
        select(
            users.c.id,
            streams.c.entity_id,
            zero,
            zero,
            zero,
            cast(func.round(seconds_watched(dialect)), BigInteger),
        )
        .select_from(joined)
        .where(_FINISHED, *user_filter(users.c.id))
    )
