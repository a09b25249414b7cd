"""Events in any reachable phase and their ticket types.

An event is created PRE_LIVE and moved with `Event.move_to` along the phase machine
(`PHASE_MOVES`), so a generated LIVE event really went live, at a later time than it was
created, and a CANCELLED one was cancelled before it ever went live."""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from uuid import UUID

from hypothesis import strategies as st

from showgeo_domain.events.model import (
    DESCRIPTION_MAX,
    MAX_QUOTA,
    PHASE_MOVES,
    TICKET_NAME_MAX,
    TITLE_MAX,
    Event,
    EventPhase,
    TicketType,
)
from showgeo_domain.testing.values import moments, optional_texts, prices, steps, texts, venues

OPEN_PHASES = (EventPhase.PRE_LIVE, EventPhase.LIVE)

_UUIDS = st.uuids(version=4)
_BOOLS = st.booleans()
_LEAD_TIMES = st.timedeltas(timedelta(0), timedelta(days=400))
_DURATIONS = st.none() | st.timedeltas(timedelta(minutes=1), timedelta(days=3))
_VENUES = st.none() | venues()
_QUOTAS = st.integers(1, MAX_QUOTA)


def path_to(phase: EventPhase) -> list[EventPhase]:
    """The shortest list of moves from PRE_LIVE to `phase` on the model's own machine
    (breadth first over `PHASE_MOVES`); ValueError when no path exists."""
    came_from: dict[EventPhase, EventPhase | None] = {EventPhase.PRE_LIVE: None}
    frontier = deque([EventPhase.PRE_LIVE])
    while frontier:
        current = frontier.popleft()
        for nxt in sorted(PHASE_MOVES[current]):
            if nxt not in came_from:
                came_from[nxt] = current
                frontier.append(nxt)
    if phase not in came_from:
        raise ValueError(f"no event can reach {phase.value}")
    path: list[EventPhase] = []
    step: EventPhase | None = phase
    while step is not None and step is not EventPhase.PRE_LIVE:
        path.append(step)
        step = came_from[step]
    return path[::-1]


@st.composite
def events(
    draw: st.DrawFn,
    *,
    phase: EventPhase | None = None,
    phases: tuple[EventPhase, ...] | None = None,
    entity_id: UUID | None = None,
) -> Event:
    """An event of `entity_id` (drawn when None), in `phase`, or in one of `phases`, or, when
    neither is given, wherever a random walk on the phase machine stopped. No pending events."""
    created_at = draw(moments())
    starts_at = created_at + draw(_LEAD_TIMES)
    ends_at = draw(_DURATIONS)
    event = Event.create(
        entity_id=entity_id or draw(_UUIDS),
        title=draw(texts(max_length=TITLE_MAX)),
        starts_at=starts_at,
        ends_at=None if ends_at is None else starts_at + ends_at,
        description=draw(optional_texts(max_length=DESCRIPTION_MAX)),
        venue=draw(_VENUES),
        now=created_at,
    )
    if phase is None and phases is not None:
        phase = draw(st.sampled_from(phases))
    if phase is not None:
        route = path_to(phase)
    else:  # a random walk: at each phase, stop or take any move the machine allows
        route, current = [], EventPhase.PRE_LIVE
        while PHASE_MOVES[current]:
            if not draw(_BOOLS):
                break
            current = draw(st.sampled_from(sorted(PHASE_MOVES[current])))
            route.append(current)
    now = created_at
    for step in route:
        now = now + draw(steps())
        event.move_to(step, by=draw(_UUIDS), now=now)
    event.pull_events()
    return event


@st.composite
def ticket_types(
    draw: st.DrawFn, *, event: Event | None = None, currency: str | None = None
) -> TicketType:
    """A ticket type of `event` (an open one is drawn when None): a name, a price that is
    never negative, a quota of 1 to 1 000 000 and sometimes a sales window. Nothing sold or
    reserved yet (repositories move those counters)."""
    event = event or draw(events(phases=OPEN_PHASES))
    now = (event.phase_changed_at or event.created_at) + draw(steps())
    sales_start = now - draw(steps()) if draw(_BOOLS) else None
    sales_end = now + draw(steps(max_hours=24 * 90)) if draw(_BOOLS) else None
    ticket_type = TicketType.create(
        event=event,
        name=draw(texts(max_length=TICKET_NAME_MAX)),
        price=draw(prices(currency=currency)),
        quota=draw(_QUOTAS),
        sales_start=sales_start,
        sales_end=sales_end,
        now=now,
    )
    ticket_type.pull_events()
    return ticket_type
