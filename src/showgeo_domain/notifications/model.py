"""A notification is a row in one user's inbox; only its `read_at` ever changes.

Every notification comes from one domain event (`source_event_id`), and a user gets at most
one notification of a kind per event: stores enforce that key, so a consumer that runs twice,
or two audiences that overlap (followers and ticket holders), add nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.pagination import Keyset

MAX_MUTED = 200
"""Muted kinds plus muted entities per user; more is a client bug, not a preference."""


class NotificationKind(StrEnum):
    LIVE_NOW = "LIVE_NOW"
    NEW_DROP = "NEW_DROP"
    PHASE_UPDATE = "PHASE_UPDATE"
    NEW_FOLLOWER = "NEW_FOLLOWER"
    ORDER_PAID = "ORDER_PAID"
    REFUND_ISSUED = "REFUND_ISSUED"


@dataclass(frozen=True, slots=True)
class NotificationDraft:
    """What every recipient of one fan-out gets; each row adds its own id and user."""

    kind: NotificationKind
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    entity_id: UUID | None = None
    """The entity the notification is about: muting it silences this notification."""


@dataclass(frozen=True, slots=True)
class Notification:
    id: UUID
    user_id: UUID
    kind: NotificationKind
    title: str
    body: str
    data: dict[str, str]
    entity_id: UUID | None
    source_event_id: UUID
    created_at: datetime
    read_at: datetime | None = None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def key(self) -> Keyset:
        return Keyset(self.created_at, self.id)


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a user does not want to hear about: whole kinds, or everything about an entity.
    Muting applies when notifications are created; it never hides what is already there."""

    user_id: UUID
    muted_kinds: frozenset[NotificationKind] = frozenset()
    muted_entities: frozenset[UUID] = frozenset()

    def __post_init__(self) -> None:
        if len(self.muted_kinds) + len(self.muted_entities) > MAX_MUTED:
            raise InvalidInput(f"at most {MAX_MUTED} mutes", field="muted_entities")

    def mutes(self, kind: NotificationKind, entity_id: UUID | None) -> bool:
        return kind in self.muted_kinds or (
            entity_id is not None and entity_id in self.muted_entities
        )


def parse_kinds(values: Iterable[str]) -> frozenset[NotificationKind]:
    try:
        return frozenset(NotificationKind(v) for v in values)
    except ValueError as exc:
        allowed = ", ".join(k.value for k in NotificationKind)
        raise InvalidInput(
            f"unknown notification kind; use {allowed}", field="muted_kinds"
        ) from exc
