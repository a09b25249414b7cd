"""The event phase machine: PRE_LIVE → LIVE → POST_LIVE and PRE_LIVE → CANCELLED, nothing else.

The expected machine is written out here on purpose (not imported from the model), so the test
pins the rule of ARCHITECTURE.md §4 rather than whatever table the model happens to hold.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from showgeo_domain.events.domain_events import EventPhaseChanged, EventUpdated, EventWentLive
from showgeo_domain.events.errors import EventNotEditable, EventPhaseTransitionNotAllowed
from showgeo_domain.events.model import Event, EventPhase
from showgeo_domain.shared.errors import Conflict
from showgeo_domain.shared.ids import new_id
from showgeo_domain.testing import events

PRE_LIVE, LIVE, POST_LIVE, CANCELLED = (
    EventPhase.PRE_LIVE,
    EventPhase.LIVE,
    EventPhase.POST_LIVE,
    EventPhase.CANCELLED,
)
EDGES = {(PRE_LIVE, LIVE), (LIVE, POST_LIVE), (PRE_LIVE, CANCELLED)}
TERMINAL = {POST_LIVE, CANCELLED}
PATH_TO = {PRE_LIVE: [], LIVE: [LIVE], POST_LIVE: [LIVE, POST_LIVE], CANCELLED: [CANCELLED]}
T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def new_event(now: datetime = T0) -> Event:
    event = Event.create(
        entity_id=new_id(), title="Night Shift Live", starts_at=now + timedelta(days=7), now=now
    )
    event.pull_events()  # EventCreated is not what these tests are about
    return event


def event_in(phase: EventPhase) -> Event:
    event = new_event()
    for step in PATH_TO[phase]:
        event.move_to(step, by=new_id(), now=T0 + timedelta(hours=1))
    event.pull_events()
    return event


class EventPhaseMachine(RuleBasedStateMachine):
    """One event, pushed towards random phases by random people at increasing times."""

    @initialize(event=events(phase=PRE_LIVE))
    def create(self, event: Event) -> None:
        """Any new event the published strategy makes (showgeo_domain.testing)."""
        self.now = event.updated_at
        self.event = event
        self.expected = PRE_LIVE
        self.visited = {PRE_LIVE}

    @rule(to=st.sampled_from(list(EventPhase)), minutes=st.integers(1, 600))
    def move(self, to: EventPhase, minutes: int) -> None:
        target = to
        self.now += timedelta(minutes=minutes)
        by = new_id()
        before = (self.event.phase, self.event.updated_at, self.event.phase_changed_at)
        if (self.expected, target) not in EDGES:
            with pytest.raises(EventPhaseTransitionNotAllowed) as caught:
                self.event.move_to(target, by=by, now=self.now)
            assert isinstance(caught.value, Conflict)
            assert caught.value.extra == {
                "current_phase": self.expected.value,
                "requested_phase": target.value,
            }
            assert caught.value.field == "to"
            assert (self.event.phase, self.event.updated_at, self.event.phase_changed_at) == before
            assert self.event.pending_events == []
            return

        self.event.move_to(target, by=by, now=self.now)
        events = self.event.pull_events()
        changed = [e for e in events if isinstance(e, EventPhaseChanged)]
        live = [e for e in events if isinstance(e, EventWentLive)]
        assert len(changed) == 1
        assert (changed[0].from_phase, changed[0].to_phase) == (self.expected.value, target.value)
        assert (changed[0].event_id, changed[0].entity_id) == (self.event.id, self.event.entity_id)
        assert (changed[0].changed_by, changed[0].occurred_at) == (by, self.now)
        assert len(live) == (1 if target is LIVE else 0)
        if live:
            assert (live[0].event_id, live[0].title) == (self.event.id, self.event.title)
        assert len(events) == len(changed) + len(live)
        assert self.event.phase is target
        assert self.event.phase_changed_at == self.event.updated_at == self.now
        self.expected = target
        self.visited.add(target)

    @precondition(lambda self: self.expected in TERMINAL)
    @rule()
    def update_terminal_event(self) -> None:
        before = (self.event.title, self.event.updated_at)
        with pytest.raises(EventNotEditable):
            self.event.update(now=self.now + timedelta(minutes=1), title="Renamed")
        assert (self.event.title, self.event.updated_at) == before
        assert self.event.pending_events == []

    @precondition(lambda self: self.expected not in TERMINAL)
    @rule(title=st.sampled_from(["Renamed", "Encore", "Night Shift Live"]))
    def update_open_event(self, title: str) -> None:
        self.now += timedelta(minutes=1)
        self.event.update(now=self.now, title=title)
        (updated,) = self.event.pull_events()
        assert isinstance(updated, EventUpdated)
        assert updated.fields == ["title"]
        assert self.event.phase is self.expected  # editing never moves the phase

    @invariant()
    def phase_is_the_expected_one(self) -> None:
        assert self.event.phase is self.expected
        assert self.event.is_open == (self.expected not in TERMINAL)
        assert self.visited <= {PRE_LIVE, LIVE, POST_LIVE} or self.visited <= {
            PRE_LIVE,
            CANCELLED,
        }


TestEventPhaseMachine = EventPhaseMachine.TestCase


@pytest.mark.parametrize("source", list(EventPhase))
@pytest.mark.parametrize("target", list(EventPhase))
def test_every_pair_of_phases_is_legal_exactly_when_it_is_an_edge(source, target):
    event = event_in(source)
    if (source, target) in EDGES:
        event.move_to(target, by=new_id(), now=T0 + timedelta(hours=2))
        assert event.phase is target
    else:
        with pytest.raises(EventPhaseTransitionNotAllowed):
            event.move_to(target, by=new_id(), now=T0 + timedelta(hours=2))
        assert event.phase is source


def test_reachable_phases_are_exactly_the_machines():
    """Breadth-first over the model's own behaviour: from a new event, trying every move."""
    reachable, frontier = {PRE_LIVE}, [PRE_LIVE]
    while frontier:
        source = frontier.pop()
        for target in EventPhase:
            event = event_in(source)
            try:
                event.move_to(target, by=new_id(), now=T0 + timedelta(hours=2))
            except EventPhaseTransitionNotAllowed:
                continue
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(EventPhase)


@given(events(phases=tuple(TERMINAL)))
def test_terminal_events_refuse_every_move_and_every_edit(event: Event) -> None:
    for target in EventPhase:
        with pytest.raises(EventPhaseTransitionNotAllowed):
            event.move_to(target, by=new_id(), now=T0 + timedelta(hours=3))
    with pytest.raises(EventNotEditable):
        event.update(now=T0 + timedelta(hours=3), description="too late")
    assert event.pending_events == []


@given(events(), st.sampled_from(list(EventPhase)))
def test_any_generated_event_moves_exactly_along_the_edges(event: Event, target: EventPhase):
    """Events in every reachable phase, as the published strategy drives them there."""
    source = event.phase
    if (source, target) in EDGES:
        event.move_to(target, by=new_id(), now=event.updated_at + timedelta(seconds=1))
        assert event.phase is target
    else:
        with pytest.raises(EventPhaseTransitionNotAllowed):
            event.move_to(target, by=new_id(), now=event.updated_at + timedelta(seconds=1))
        assert event.phase is source
        assert event.pending_events == []


def test_a_new_event_starts_pre_live_and_announces_itself():
    event = Event.create(
        entity_id=new_id(), title="  Night Shift  ", starts_at=T0 + timedelta(days=1), now=T0
    )
    assert event.phase is PRE_LIVE
    assert event.phase_changed_at is None
    assert event.title == "Night Shift"
    (created,) = event.pull_events()
    assert type(created).event_name() == "event_created"
