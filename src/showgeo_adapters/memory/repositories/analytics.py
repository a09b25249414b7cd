"""Analytics in memory: the same aggregates as the SQL adapter's GROUP BY queries, computed
by walking the state (it is the fake; the contract suite holds both to one reference)."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime
from uuid import UUID

from showgeo_adapters.memory.repositories._base import MemoryRepository
from showgeo_domain.analytics.dashboard import DashboardRows
from showgeo_domain.analytics.jobs import RecomputeJob
from showgeo_domain.analytics.score import ScoreInputs
from showgeo_domain.analytics.summaries import (
    PLATFORM_ID,
    Metric,
    MetricRow,
    Scope,
    Snapshot,
    money_metric,
)
from showgeo_domain.analytics.vectors import EntityColumns, Interaction, InteractionChunk
from showgeo_domain.events.model import Event, EventPhase
from showgeo_domain.orders.model import LineKind, Order, OrderLine
from showgeo_domain.orders.revenue import EVER_PAID, line_refund
from showgeo_domain.shared.ids import parse_id
from showgeo_domain.streaming.model import ViewerSession

Counts = dict[tuple[UUID, str], float]


class MemoryAnalyticsRepository(MemoryRepository):
    # --- recompute -------------------------------------------------------------------------

    def _replace(self, scope: Scope, day: date, counts: Counts) -> None:
        metrics = self.state.analytics_metrics
        for key in [k for k in metrics if k[0] == scope.value and k[3] == day]:
            if key[2] not in _KEPT:
                del metrics[key]
        for (subject, metric), value in counts.items():
            if value != 0:
                metrics[(scope.value, subject, metric, day)] = float(value)

    def _paid_lines(self) -> list[tuple[Order, OrderLine, int]]:
        out = []
        for order in self.state.orders.values():
            if order.status.value not in EVER_PAID:
                continue
            for line in order.lines:
                net = line.total.amount - line_refund(
                    order.refunded.amount, line.total.amount, order.total.amount
                )
                out.append((order, line, net))
        return out

    def _sessions(self) -> list[tuple[ViewerSession, UUID | None, float | None]]:
        """Joined sessions with the stream's entity and, once finished, their length."""
        out = []
        for session in self.state.viewer_sessions.values():
            if session.joined_at is None:
                continue
            stream = self.state.streams.get(session.event_id)
            length = None
            if session.left_at is not None:
                length = (session.left_at - session.joined_at).total_seconds()
            out.append((session, stream.entity_id if stream else None, length))
        return out

    def _viewer_counts(self, key: Callable[[ViewerSession, UUID | None], UUID | None]) -> Counts:
        """viewers (distinct identities) and watch_seconds (finished sessions) per `key`."""
        identities: dict[UUID, set[str]] = defaultdict(set)
        seconds: dict[UUID, float] = defaultdict(float)
        for session, entity_id, length in self._sessions():
            subject = key(session, entity_id)
            if subject is None:
                continue
            identities[subject].add(session.identity)
            if length is not None:
                seconds[subject] += length
        counts: Counts = {}
        for subject, who in identities.items():
            counts[(subject, Metric.VIEWERS.value)] = len(who)
        for subject, total in seconds.items():
            counts[(subject, Metric.WATCH_SECONDS.value)] = round(total)
        return counts

    def _user_of(self, identity: str) -> UUID | None:
        user_id = parse_id(identity)
        return user_id if user_id in self.state.users else None

    async def refresh_entity_metrics(self, day: date) -> None:
        counts: Counts = defaultdict(float, self._viewer_counts(lambda _s, entity: entity))
        for follow in self.state.follows.values():
            counts[(follow.entity_id, Metric.FOLLOWERS.value)] += 1
        for ticket in self.state.tickets.values():
            event = self.state.events.get(ticket.event_id)
            if ticket.voided_at is None and event is not None:
                counts[(event.entity_id, Metric.TICKETS_SOLD.value)] += 1
        for n in self.state.notifications.values():
            if n.entity_id is not None:
                counts[(n.entity_id, Metric.NOTIFICATIONS_SENT.value)] += 1
        for order in self.state.orders.values():
            if order.status.value in EVER_PAID:
                key = (order.entity_id, money_metric(Metric.PAID_ORDERS, order.total.currency))
                counts[key] += 1
        for _order, line, net in self._paid_lines():
            if line.kind is LineKind.PRODUCT:
                cur = line.unit_price.currency
                counts[(line.entity_id, money_metric(Metric.STORE_REVENUE, cur))] += net
        self._replace(Scope.ENTITY, day, counts)

    async def refresh_event_metrics(self, day: date) -> None:
        counts: Counts = defaultdict(float, self._viewer_counts(lambda s, _e: s.event_id))
        for ticket in self.state.tickets.values():
            if ticket.voided_at is None:
                counts[(ticket.event_id, Metric.TICKETS_SOLD.value)] += 1
                if ticket.checked_in_at is not None:
                    counts[(ticket.event_id, Metric.CHECKED_IN.value)] += 1
        for _order, line, net in self._paid_lines():
            if line.kind is LineKind.TICKET and line.event_id is not None:
                cur = line.unit_price.currency
                counts[(line.event_id, money_metric(Metric.TICKET_REVENUE, cur))] += net
        self._replace(Scope.EVENT, day, counts)

    async def refresh_user_metrics(self, day: date) -> None:
        watched = self._viewer_counts(lambda s, _e: self._user_of(s.identity))
        counts: Counts = defaultdict(
            float, {k: v for k, v in watched.items() if k[1] == Metric.WATCH_SECONDS.value}
        )
        for follow in self.state.follows.values():
            counts[(follow.user_id, Metric.FOLLOWING.value)] += 1
        for ticket in self.state.tickets.values():
            if ticket.voided_at is None:
                counts[(ticket.holder_id, Metric.TICKETS.value)] += 1
        for order in self.state.orders.values():
            if order.status.value in EVER_PAID:
                counts[(order.buyer_id, Metric.PAID_ORDERS.value)] += 1
                spent = money_metric(Metric.SPENT, order.total.currency)
                counts[(order.buyer_id, spent)] += order.total.amount - order.refunded.amount
        for n in self.state.notifications.values():
            counts[(n.user_id, Metric.NOTIFICATIONS_RECEIVED.value)] += 1
        self._replace(Scope.USER, day, counts)

    async def refresh_platform_metrics(self, day: date) -> None:
        counts: Counts = defaultdict(float, self._viewer_counts(lambda _s, _e: PLATFORM_ID))
        p = PLATFORM_ID
        counts[(p, Metric.USERS.value)] = len(self.state.users)
        counts[(p, Metric.ENTITIES.value)] = len(self.state.entities)
        counts[(p, Metric.EVENTS.value)] = len(self.state.events)
        counts[(p, Metric.FOLLOWS.value)] = len(self.state.follows)
        counts[(p, Metric.NOTIFICATIONS_SENT.value)] = len(self.state.notifications)
        counts[(p, Metric.TICKETS_SOLD.value)] = sum(
            1 for t in self.state.tickets.values() if t.voided_at is None
        )
        for order in self.state.orders.values():
            if order.status.value in EVER_PAID:
                counts[(p, Metric.PAID_ORDERS.value)] += 1
                revenue = money_metric(Metric.REVENUE, order.total.currency)
                counts[(p, revenue)] += order.total.amount - order.refunded.amount
        self._replace(Scope.PLATFORM, day, counts)

    async def score_inputs(
        self, day: date, after: UUID | None, limit: int
    ) -> list[tuple[UUID, ScoreInputs]]:
        values: dict[UUID, dict[str, float]] = defaultdict(dict)
        for (scope, subject, metric, d), value in self.state.analytics_metrics.items():
            if scope == Scope.ENTITY.value and d == day and (after is None or subject > after):
                values[subject][metric] = value
        chosen = sorted(values)[:limit]
        return [(s, Snapshot(day, values[s]).score_inputs()) for s in chosen]

    async def write_metrics(
        self, scope: Scope, day: date, values: Sequence[tuple[UUID, str, float]]
    ) -> None:
        for subject, metric, value in values:
            self.state.analytics_metrics[(scope.value, subject, metric, day)] = float(value)

    async def increment(
        self, scope: Scope, subject_id: UUID, metric: str, delta: float, day: date
    ) -> None:
        metrics = self.state.analytics_metrics
        key = (scope.value, subject_id, metric, day)
        if key not in metrics:
            since = self._last_recompute(day, before=False)
            earlier = [
                (d, v)
                for (s, subj, m, d), v in metrics.items()
                if s == scope.value and subj == subject_id and m == metric and d < day
                if since is None or d >= since
            ]
            metrics[key] = max(earlier)[1] if earlier else 0.0
        metrics[key] += delta

    def _last_recompute(self, day: date, *, before: bool) -> date | None:
        days = [
            d
            for (s, _subj, m, d) in self.state.analytics_metrics
            if s == Scope.PLATFORM.value and m == Metric.RECOMPUTED.value
            if (d < day if before else d <= day)
        ]
        return max(days) if days else None

    async def mark_started(self, day: date, at: datetime) -> None:
        key = (Scope.PLATFORM.value, PLATFORM_ID, Metric.RECOMPUTE_STARTED_AT.value, day)
        self.state.analytics_metrics[key] = at.timestamp()

    async def counted_until(self) -> datetime | None:
        found = [
            v
            for (s, _subj, m, _d), v in self.state.analytics_metrics.items()
            if s == Scope.PLATFORM.value and m == Metric.RECOMPUTE_STARTED_AT.value
        ]
        return datetime.fromtimestamp(max(found), UTC) if found else None

    async def mark_recomputed(self, day: date, generation: int) -> None:
        metrics = self.state.analytics_metrics
        metrics[(Scope.PLATFORM.value, PLATFORM_ID, Metric.RECOMPUTED.value, day)] = 1.0
        key = (Scope.PLATFORM.value, PLATFORM_ID, Metric.NEIGHBOURS_GENERATION.value, day)
        metrics[key] = float(generation)
        neighbours = self.state.analytics_neighbours
        for old in [k for k in neighbours if k[0] != generation]:
            del neighbours[old]

    # --- vectors ---------------------------------------------------------------------------

    async def entity_ids(self) -> list[UUID]:
        return sorted(self.state.entities)

    async def user_count(self) -> int:
        return len(self.state.users)

    def _interactions(self) -> dict[tuple[UUID, UUID], list[int]]:
        """(user, entity) → [follows, tickets, units, watch_seconds]."""
        found: dict[tuple[UUID, UUID], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for follow in self.state.follows.values():
            found[(follow.user_id, follow.entity_id)][0] += 1
        for ticket in self.state.tickets.values():
            event = self.state.events.get(ticket.event_id)
            if ticket.voided_at is None and event is not None:
                found[(ticket.holder_id, event.entity_id)][1] += 1
        for order, line, _net in self._paid_lines():
            if line.kind is LineKind.PRODUCT:
                key = (order.buyer_id, line.entity_id)
                found[key][2] += line.quantity
        for session, entity_id, length in self._sessions():
            user_id = self._user_of(session.identity)
            if user_id is not None and entity_id is not None and length is not None:
                found[(user_id, entity_id)][3] += round(length)
        return found

    async def interaction_chunk(
        self, after: UUID | None, users: int, columns: EntityColumns
    ) -> InteractionChunk:
        chosen = sorted(u for u in self.state.users if after is None or u > after)[:users]
        wanted = set(chosen)
        pairs = [
            (user_id, entity_id, Interaction(follows=f, tickets=t, units=n, watch_seconds=w))
            for (user_id, entity_id), (f, t, n, w) in sorted(self._interactions().items())
            if user_id in wanted
        ]
        return InteractionChunk.from_pairs(columns, pairs, chosen[-1] if chosen else None)

    async def neighbours_generation(self) -> int:
        found = [
            (d, v)
            for (s, _subj, m, d), v in self.state.analytics_metrics.items()
            if s == Scope.PLATFORM.value and m == Metric.NEIGHBOURS_GENERATION.value
        ]
        return round(max(found)[1]) if found else 0

    async def clear_neighbours(self, generation: int) -> None:
        for key in [k for k in self.state.analytics_neighbours if k[0] == generation]:
            del self.state.analytics_neighbours[key]

    async def add_neighbours(
        self, generation: int, rows: Sequence[tuple[UUID, UUID, float]]
    ) -> None:
        for entity_id, neighbour_id, similarity in rows:
            self.state.analytics_neighbours[(generation, entity_id, neighbour_id)] = similarity

    # --- reading ---------------------------------------------------------------------------

    async def metric_rows(
        self, scope: Scope, subject_id: UUID, start: date, end: date
    ) -> tuple[list[MetricRow], list[date]]:
        since = self._last_recompute(start, before=False)
        lower = since if since is not None else date.min
        rows = [
            MetricRow(d, m, v)
            for (s, subj, m, d), v in self.state.analytics_metrics.items()
            if s == scope.value and subj == subject_id and lower <= d <= end
        ]
        recomputed = sorted(
            d
            for (s, _subj, m, d) in self.state.analytics_metrics
            if s == Scope.PLATFORM.value and m == Metric.RECOMPUTED.value and lower <= d <= end
        )
        return sorted(rows, key=lambda r: (r.day, r.metric)), recomputed

    async def dashboard_rows(self, entity_id: UUID, start: date, end: date) -> DashboardRows:
        since = self._last_recompute(start, before=False)
        lower = since if since is not None else date.min
        events = {e.id for e in self.state.events.values() if e.entity_id == entity_id}
        found = DashboardRows()
        for (s, subj, m, d), v in sorted(
            self.state.analytics_metrics.items(), key=lambda item: (item[0][3], item[0][2])
        ):
            if not lower <= d <= end:
                continue
            if s == Scope.ENTITY.value and subj == entity_id:
                found.entity.append(MetricRow(d, m, v))
            elif s == Scope.EVENT.value and subj in events:
                found.events.setdefault(subj, []).append(MetricRow(d, m, v))
            elif s == Scope.PLATFORM.value and m == Metric.RECOMPUTED.value:
                found.recomputed.append(d)
        return found

    async def interactions_of(self, user_id: UUID) -> dict[UUID, Interaction]:
        return {
            entity_id: Interaction(follows=v[0], tickets=v[1], units=v[2], watch_seconds=v[3])
            for (user, entity_id), v in self._interactions().items()
            if user == user_id
        }

    async def followed_or_joined(self, user_id: UUID) -> set[UUID]:
        followed = {e for (u, e) in self.state.follows if u == user_id}
        return followed | {e for (e, u) in self.state.memberships if u == user_id}

    async def neighbour_vectors(self, near: Collection[UUID]) -> dict[UUID, dict[UUID, float]]:
        generation = await self.neighbours_generation()
        wanted = set(near)
        current = {
            (e, n): v for (g, e, n), v in self.state.analytics_neighbours.items() if g == generation
        }
        sources = {e for (e, n) in current if n in wanted}
        vectors: dict[UUID, dict[UUID, float]] = defaultdict(dict)
        for (e, n), v in current.items():
            if e in sources:
                vectors[e][n] = v
        return dict(vectors)

    async def popular(self, limit: int, exclude: Collection[UUID]) -> list[tuple[UUID, float]]:
        day = self._last_recompute(date.max, before=True)
        scores = {
            subj: v
            for (s, subj, m, d), v in self.state.analytics_metrics.items()
            if s == Scope.ENTITY.value and m == Metric.NORMALISED_SCORE.value and d == day
        }
        candidates = [e for e in self.state.entities.values() if e.id not in exclude]
        ranked = sorted(candidates, key=lambda e: (-scores.get(e.id, 0.0), -e.follower_count, e.id))
        return [(e.id, scores.get(e.id, 0.0)) for e in ranked[:limit]]

    async def upcoming_events(
        self, entity_ids: Collection[UUID], now: datetime, limit: int
    ) -> list[Event]:
        wanted = set(entity_ids)
        found = [
            e
            for e in self.state.events.values()
            if e.entity_id in wanted
            and e.phase in (EventPhase.PRE_LIVE, EventPhase.LIVE)
            and (e.ends_at or e.starts_at) >= now
        ]
        found.sort(key=lambda e: (e.starts_at, e.id))
        return [copy.deepcopy(e) for e in found[:limit]]

    # --- jobs ------------------------------------------------------------------------------

    async def add_job(self, job: RecomputeJob) -> RecomputeJob:
        active = await self.active_job()
        if active is not None:
            return active
        self.state.analytics_jobs[job.id] = copy.deepcopy(job)
        return job

    async def get_job(self, job_id: UUID) -> RecomputeJob | None:
        return copy.deepcopy(self.state.analytics_jobs.get(job_id))

    async def active_job(self) -> RecomputeJob | None:
        return next(
            (copy.deepcopy(j) for j in self.state.analytics_jobs.values() if j.status.is_active),
            None,
        )

    async def save_job(self, job: RecomputeJob, *, attempt: int | None = None) -> bool:
        stored = self.state.analytics_jobs.get(job.id)
        expected = job.attempts if attempt is None else attempt
        if stored is None or stored.attempts != expected:
            return False
        self.state.analytics_jobs[job.id] = copy.deepcopy(job)
        return True


_KEPT = {
    Metric.RECOMPUTED.value,
    Metric.RECOMPUTE_STARTED_AT.value,
    Metric.NEIGHBOURS_GENERATION.value,
}
"""Platform rows that record recomputes, not aggregates: a second recompute on one day keeps
them until it publishes its own."""
