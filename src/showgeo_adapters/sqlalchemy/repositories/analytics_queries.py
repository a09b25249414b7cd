"""The recompute's aggregates as `SELECT (subject_id, metric, value) … GROUP BY` statements.

Each statement is inserted as it stands (`INSERT … SELECT`), so rows never travel through
Python. Zero values are left out (a missing row means 0), exactly like the memory fake.
Definitions (see docs/analytics.md): tickets are the valid (not voided) ones; money is net of
refunds, attributed to lines pro rata and floored as in `showgeo_domain.orders.revenue`.

Streaming viewer metrics (viewers, watch seconds) come from `analytics_viewers`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    String,
    Uuid,
    case,
    cast,
    func,
    literal,
    select,
)

from showgeo_adapters.sqlalchemy.repositories.analytics_viewers import (
    entity_viewer_aggregates,
    event_viewer_aggregates,
    platform_viewer_aggregates,
    user_viewer_aggregates,
    watch_interactions,
)
from showgeo_adapters.sqlalchemy.tables import (
    analytics_metrics,
    entities,
    events,
    follows,
    notifications,
    order_lines,
    orders,
    tickets,
    users,
)
from showgeo_domain.analytics.summaries import PLATFORM_ID, Metric, Scope
from showgeo_domain.orders.model import LineKind
from showgeo_domain.orders.revenue import EVER_PAID

Aggregate = Select[Any]


def _name(metric: Metric) -> ColumnElement[str]:
    return literal(metric.value, String)


def _money_name(metric: Metric, currency: ColumnElement[str]) -> ColumnElement[str]:
    return literal(f"{metric.value}.", String) + currency


def _platform() -> ColumnElement[Any]:
    return literal(PLATFORM_ID, Uuid)


def _bigint_sum(expression: ColumnElement[Any]) -> ColumnElement[int]:
    return cast(func.coalesce(func.sum(expression), 0), BigInteger)


_EVER_PAID = orders.c.status.in_(EVER_PAID)
_VALID = tickets.c.voided_at.is_(None)
_LINE_TOTAL = order_lines.c.unit_amount * order_lines.c.quantity
_LINE_NET = _LINE_TOTAL - case(
    (orders.c.total_amount == 0, 0),
    else_=(orders.c.refunded_amount * _LINE_TOTAL) // orders.c.total_amount,
)
_PAID_LINES = order_lines.join(orders, orders.c.id == order_lines.c.order_id)
_TICKETS_WITH_EVENT = tickets.join(events, events.c.id == tickets.c.event_id)


def _count(subject: ColumnElement[Any], metric: Metric, source: Any, *where: Any) -> Aggregate:
    return (
        select(
            subject.label("subject_id"), _name(metric).label("metric"), func.count().label("value")
        )
        .select_from(source)
        .where(*where)
        .group_by(subject)
    )


def entity_aggregates(dialect: str) -> list[Aggregate]:
    return [
        *entity_viewer_aggregates(dialect),
        _count(follows.c.entity_id, Metric.FOLLOWERS, follows),
        _count(events.c.entity_id, Metric.TICKETS_SOLD, _TICKETS_WITH_EVENT, _VALID),
        _count(
            notifications.c.entity_id,
            Metric.NOTIFICATIONS_SENT,
            notifications,
            notifications.c.entity_id.is_not(None),
        ),
        select(
            orders.c.entity_id.label("subject_id"),
            _money_name(Metric.PAID_ORDERS, orders.c.currency).label("metric"),
            func.count().label("value"),
        )
        .where(_EVER_PAID)
        .group_by(orders.c.entity_id, orders.c.currency),
        select(
            order_lines.c.entity_id.label("subject_id"),
            _money_name(Metric.STORE_REVENUE, order_lines.c.currency).label("metric"),
            _bigint_sum(_LINE_NET).label("value"),
        )
        .select_from(_PAID_LINES)
        .where(_EVER_PAID, order_lines.c.kind == LineKind.PRODUCT.value)
        .group_by(order_lines.c.entity_id, order_lines.c.currency),
    ]


def event_aggregates(dialect: str) -> list[Aggregate]:
    return [
        *event_viewer_aggregates(dialect),
        _count(tickets.c.event_id, Metric.TICKETS_SOLD, tickets, _VALID),
        _count(
            tickets.c.event_id,
            Metric.CHECKED_IN,
            tickets,
            _VALID,
            tickets.c.checked_in_at.is_not(None),
        ),
        select(
            order_lines.c.event_id.label("subject_id"),
            _money_name(Metric.TICKET_REVENUE, order_lines.c.currency).label("metric"),
            _bigint_sum(_LINE_NET).label("value"),
        )
        .select_from(_PAID_LINES)
        .where(
            _EVER_PAID,
            order_lines.c.kind == LineKind.TICKET.value,
            order_lines.c.event_id.is_not(None),
        )
        .group_by(order_lines.c.event_id, order_lines.c.currency),
    ]


def user_aggregates(dialect: str) -> list[Aggregate]:
    return [
        *user_viewer_aggregates(dialect),
        _count(follows.c.user_id, Metric.FOLLOWING, follows),
        _count(tickets.c.holder_id, Metric.TICKETS, tickets, _VALID),
        _count(orders.c.buyer_id, Metric.PAID_ORDERS, orders, _EVER_PAID),
        select(
            orders.c.buyer_id.label("subject_id"),
            _money_name(Metric.SPENT, orders.c.currency).label("metric"),
            _bigint_sum(orders.c.total_amount - orders.c.refunded_amount).label("value"),
        )
        .where(_EVER_PAID)
        .group_by(orders.c.buyer_id, orders.c.currency),
        _count(notifications.c.user_id, Metric.NOTIFICATIONS_RECEIVED, notifications),
    ]


def _platform_count(metric: Metric, source: Any, *where: Any) -> Aggregate:
    return (
        select(
            _platform().label("subject_id"),
            _name(metric).label("metric"),
            func.count().label("value"),
        )
        .select_from(source)
        .where(*where)
    )


def platform_aggregates(dialect: str) -> list[Aggregate]:
    return [
        *platform_viewer_aggregates(dialect),
        _platform_count(Metric.USERS, users),
        _platform_count(Metric.ENTITIES, entities),
        _platform_count(Metric.EVENTS, events),
        _platform_count(Metric.FOLLOWS, follows),
        _platform_count(Metric.NOTIFICATIONS_SENT, notifications),
        _platform_count(Metric.TICKETS_SOLD, tickets, _VALID),
        _platform_count(Metric.PAID_ORDERS, orders, _EVER_PAID),
        select(
            _platform().label("subject_id"),
            _money_name(Metric.REVENUE, orders.c.currency).label("metric"),
            _bigint_sum(orders.c.total_amount - orders.c.refunded_amount).label("value"),
        )
        .where(_EVER_PAID)
        .group_by(orders.c.currency),
    ]


UserFilter = Callable[[ColumnElement[Any]], list[ColumnElement[bool]]]


def users_between(low: UUID | None, high: UUID) -> UserFilter:
    """Users with `low < id <= high` (`low` None: from the first)."""

    def conditions(column: ColumnElement[Any]) -> list[ColumnElement[bool]]:
        found = [column <= high]
        if low is not None:
            found.append(column > low)
        return found

    return conditions


def one_user(user_id: UUID) -> UserFilter:
    return lambda column: [column == user_id]


def interactions(in_range: UserFilter, dialect: str) -> Select[Any]:
    """(user, entity, follows, tickets, units, watch_seconds) summed per pair for the users
    `in_range` picks: one GROUP BY over a UNION ALL of the sources."""

    zero = literal(0, BigInteger)
    one = literal(1, BigInteger)
    parts = [
        select(
            follows.c.user_id.label("user_id"),
            follows.c.entity_id.label("entity_id"),
            one.label("follows"),
            zero.label("tickets"),
            zero.label("units"),
            zero.label("watch_seconds"),
        ).where(*in_range(follows.c.user_id)),
        select(
            tickets.c.holder_id,
            events.c.entity_id,
            zero,
            one,
            zero,
            zero,
        )
        .select_from(_TICKETS_WITH_EVENT)
        .where(_VALID, *in_range(tickets.c.holder_id)),
        select(
            orders.c.buyer_id,
            order_lines.c.entity_id,
            zero,
            zero,
            cast(order_lines.c.quantity, BigInteger),
            zero,
        )
        .select_from(_PAID_LINES)
        .where(
            _EVER_PAID,
            order_lines.c.kind == LineKind.PRODUCT.value,
            *in_range(orders.c.buyer_id),
        ),
    ]
    parts.append(watch_interactions(dialect, in_range))
    union = parts[0].union_all(*parts[1:]).subquery("interactions")
    return select(
        union.c.user_id,
        union.c.entity_id,
        _bigint_sum(union.c.follows).label("follows"),
        _bigint_sum(union.c.tickets).label("tickets"),
        _bigint_sum(union.c.units).label("units"),
        _bigint_sum(union.c.watch_seconds).label("watch_seconds"),
    ).group_by(union.c.user_id, union.c.entity_id)


_FIRST_DAY = date(1970, 1, 1)
"""The lower bound of a series read when no recompute ever ran."""


def dashboard_rows(entity_id: UUID, start: date, end: date) -> Select[Any]:
    """The creator dashboard's rows in one statement: `(scope, subject_id, day, metric,
    value)` of the entity, of each of its events and the recompute marks, from the last
    recompute on or before `start` to `end`, by day and metric. Three branches of a UNION
    ALL, each answered by the primary key, so the cost follows the rows, not the events."""
    m = analytics_metrics
    recomputes = m.alias("recomputes")
    last = (
        select(func.max(recomputes.c.day))
        .where(
            recomputes.c.scope == Scope.PLATFORM.value,
            recomputes.c.subject_id == PLATFORM_ID,
            recomputes.c.metric == Metric.RECOMPUTED.value,
            recomputes.c.day <= start,
        )
        .scalar_subquery()
    )
    in_span = (m.c.day >= func.coalesce(last, literal(_FIRST_DAY, Date)), m.c.day <= end)
    columns = (m.c.scope, m.c.subject_id, m.c.day, m.c.metric, m.c.value)
    of_entity = select(*columns).where(
        m.c.scope == Scope.ENTITY.value, m.c.subject_id == entity_id, *in_span
    )
    of_events = select(*columns).where(
        m.c.scope == Scope.EVENT.value,
        m.c.subject_id.in_(select(events.c.id).where(events.c.entity_id == entity_id)),
        *in_span,
    )
    recomputed = select(*columns).where(
        m.c.scope == Scope.PLATFORM.value,
        m.c.subject_id == PLATFORM_ID,
        m.c.metric == Metric.RECOMPUTED.value,
        *in_span,
    )
    union = of_entity.union_all(of_events, recomputed).subquery("dashboard")
    return select(union).order_by(union.c.day, union.c.metric)
