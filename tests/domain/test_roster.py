"""The roster keeps an entity's last owner whatever sequence of team changes is tried, refuses
illegal moves without touching anything, and records one event per real change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from showgeo_domain.entities.domain_events import MemberAdded, MemberRemoved, MemberRoleChanged
from showgeo_domain.entities.errors import AlreadyMember, LastOwnerRequired, NotAMember
from showgeo_domain.entities.model import MemberRole, Membership, Roster
from showgeo_domain.testing import Team, teams

ENTITY = UUID(int=1000)
FOUNDER = UUID(int=1)
USERS = [UUID(int=i) for i in range(1, 6)]

picks = st.integers(min_value=0, max_value=20)
roles = st.sampled_from(list(MemberRole))


def snapshot(roster: Roster) -> dict[UUID, tuple[MemberRole, datetime]]:
    return {u: (m.role, m.created_at) for u, m in roster.members.items()}


class RosterMachine(RuleBasedStateMachine):
    """Starts from a lone founder or from any team the published `teams` strategy builds
    (showgeo_domain.testing), whose members then join the pool of people the rules pick."""

    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        self.entity = ENTITY
        self.roster = Roster.of(ENTITY, [Membership(ENTITY, FOUNDER, MemberRole.OWNER, self.now)])
        self.model: dict[UUID, MemberRole] = {FOUNDER: MemberRole.OWNER}
        self.pool = list(USERS)

    @initialize(team=st.none() | teams(max_members=4, max_changes=6))
    def start(self, team: Team | None) -> None:
        if team is None:
            return
        self.entity = team.entity.id
        self.now = max(m.created_at for m in team.roster.members.values())
        self.roster = team.roster
        self.model = {u: m.role for u, m in team.roster.members.items()}
        self.pool = list(team.people) + USERS[1:4]

    def _person(self, pick: int) -> UUID:
        return self.pool[pick % len(self.pool)]

    def _tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def _owners(self) -> int:
        return sum(1 for r in self.model.values() if r is MemberRole.OWNER)

    def _refused(self, error: type[Exception], change) -> None:
        before = snapshot(self.roster)
        with pytest.raises(error):
            change()
        assert snapshot(self.roster) == before
        assert self.roster.pull_events() == []

    @rule(pick=picks, role=roles)
    def add(self, pick: int, role: MemberRole) -> None:
        user = self._person(pick)
        now = self._tick()
        if user in self.model:
            self._refused(AlreadyMember, lambda: self.roster.add(user, role, now))
            return
        member = self.roster.add(user, role, now)
        self.model[user] = role
        assert (member.user_id, member.role, member.created_at) == (user, role, now)
        [event] = self.roster.pull_events()
        assert isinstance(event, MemberAdded)
        assert (event.entity_id, event.user_id, event.role, event.occurred_at) == (
            self.entity,
            user,
            role,
            now,
        )

    @rule(pick=picks, role=roles)
    def change_role(self, pick: int, role: MemberRole) -> None:
        user = self._person(pick)
        now = self._tick()
        old = self.model.get(user)
        if old is None:
            self._refused(NotAMember, lambda: self.roster.change_role(user, role, now))
        elif old is role:
            before = snapshot(self.roster)
            self.roster.change_role(user, role, now)
            assert snapshot(self.roster) == before
            assert self.roster.pull_events() == [], "a no-op role change raised an event"
        elif old is MemberRole.OWNER and self._owners() == 1:
            self._refused(LastOwnerRequired, lambda: self.roster.change_role(user, role, now))
        else:
            self.roster.change_role(user, role, now)
            self.model[user] = role
            [event] = self.roster.pull_events()
            assert isinstance(event, MemberRoleChanged)
            assert (event.user_id, event.old_role, event.new_role) == (user, old, role)

    @rule(pick=picks)
    def remove(self, pick: int) -> None:
        user = self._person(pick)
        now = self._tick()
        role = self.model.get(user)
        if role is None:
            self._refused(NotAMember, lambda: self.roster.remove(user, now))
        elif role is MemberRole.OWNER and self._owners() == 1:
            self._refused(LastOwnerRequired, lambda: self.roster.remove(user, now))
        else:
            removed = self.roster.remove(user, now)
            assert removed.user_id == user
            del self.model[user]
            [event] = self.roster.pull_events()
            assert isinstance(event, MemberRemoved)
            assert (event.entity_id, event.user_id) == (self.entity, user)

    @invariant()
    def at_least_one_owner_remains(self) -> None:
        assert self.roster.owner_count >= 1

    @invariant()
    def roster_matches_the_model(self) -> None:
        assert {u: m.role for u, m in self.roster.members.items()} == self.model
        assert all(m.entity_id == self.entity for m in self.roster.members.values())
        assert all(self.roster.role_of(u) is r for u, r in self.model.items())


RosterMachine.TestCase.settings = settings(stateful_step_count=30)
TestRoster = RosterMachine.TestCase


def test_a_second_owner_lets_the_first_leave() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    roster = Roster.of(ENTITY, [Membership(ENTITY, FOUNDER, MemberRole.OWNER, now)])
    heir = USERS[1]
    roster.add(heir, MemberRole.COLLABORATOR, now)
    with pytest.raises(LastOwnerRequired):
        roster.remove(FOUNDER, now)
    roster.change_role(heir, MemberRole.OWNER, now)
    roster.remove(FOUNDER, now)
    assert roster.role_of(heir) is MemberRole.OWNER
    assert roster.role_of(FOUNDER) is None
    assert [type(e) for e in roster.pull_events()] == [
        MemberAdded,
        MemberRoleChanged,
        MemberRemoved,
    ]
