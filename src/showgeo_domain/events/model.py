"""The Event aggregate, its phase machine and its ticket types.

Phases: PRE_LIVE → LIVE → POST_LIVE, and PRE_LIVE → CANCELLED. Nothing else, ever: a finished
or cancelled event is history. Every move raises `EventPhaseChanged`; going LIVE also raises
`EventWentLive`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from showgeo_domain.events.domain_events import (
    EventCreated,
    EventDeleted,
    EventPhaseChanged,
    EventUpdated,
    EventWentLive,
    TicketTypeCreated,
    TicketTypeDeleted,
    TicketTypeUpdated,
)
from showgeo_domain.events.errors import (
    EventHasSales,
    EventIsLive,
    EventNotEditable,
    EventPhaseTransitionNotAllowed,
    PriceLockedAfterSales,
    QuotaBelowSold,
    TicketTypeHasSales,
)
from showgeo_domain.events.geo import GeoPoint
from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.text import optional_text, required_text

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
VENUE_NAME_MAX = 200
TICKET_NAME_MAX = 100
TICKET_DESCRIPTION_MAX = 1000
MAX_QUOTA = 1_000_000
_COUNTRY = re.compile(r"[A-Z]{2}")


class EventPhase(StrEnum):
    PRE_LIVE = "PRE_LIVE"
    LIVE = "LIVE"
    POST_LIVE = "POST_LIVE"
    CANCELLED = "CANCELLED"


PHASE_MOVES: dict[EventPhase, frozenset[EventPhase]] = {
    EventPhase.PRE_LIVE: frozenset({EventPhase.LIVE, EventPhase.CANCELLED}),
    EventPhase.LIVE: frozenset({EventPhase.POST_LIVE}),
    EventPhase.POST_LIVE: frozenset(),
    EventPhase.CANCELLED: frozenset(),
}


class Venue(msgspec.Struct, frozen=True):
    """Where an event happens; `country` is ISO 3166-1 alpha-2 (geofencing keys on it)."""

    name: str
    lat: float
    lon: float
    country: str

    def __post_init__(self) -> None:
        name = required_text(self.name, field="venue", max_length=VENUE_NAME_MAX)
        msgspec.structs.force_setattr(self, "name", name)  # trimmed like all typed text
        GeoPoint(self.lat, self.lon)
        if not _COUNTRY.fullmatch(self.country):
            raise InvalidInput(
                "country must be an ISO 3166-1 alpha-2 code such as 'PT'", field="country"
            )

    @property
    def point(self) -> GeoPoint:
        return GeoPoint(self.lat, self.lon)


def _check_times(starts_at: datetime, ends_at: datetime | None) -> None:
    for moment, name in ((starts_at, "starts_at"), (ends_at, "ends_at")):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput("times must carry a time zone (RFC 3339)", field=name)
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at", field="ends_at")


@dataclass(eq=False)
class Event(RecordsEvents):
    id: UUID
    entity_id: UUID
    title: str
    starts_at: datetime
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    ends_at: datetime | None = None
    venue: Venue | None = None
    phase: EventPhase = EventPhase.PRE_LIVE
    phase_changed_at: datetime | None = None
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls,
        *,
        entity_id: UUID,
        title: str,
        starts_at: datetime,
        now: datetime,
        description: str | None = None,
        ends_at: datetime | None = None,
        venue: Venue | None = None,
    ) -> Event:
        _check_times(starts_at, ends_at)
        event = cls(
            id=new_id(),
            entity_id=entity_id,
            title=required_text(title, field="title", max_length=TITLE_MAX),
            description=optional_text(description, field="description", max_length=DESCRIPTION_MAX),
            starts_at=starts_at,
            ends_at=ends_at,
            venue=venue,
            created_at=now,
            updated_at=now,
        )
        event.record(
            EventCreated(
                occurred_at=now,
                event_id=event.id,
                entity_id=entity_id,
                title=event.title,
                starts_at=starts_at,
            )
        )
        return event

    @property
    def is_open(self) -> bool:
        """Still ahead or happening: its details may change and its tickets may sell."""
        return self.phase in (EventPhase.PRE_LIVE, EventPhase.LIVE)

    def update(
        self,
        *,
        now: datetime,
        title: str | None = None,
        description: str | None = None,
        clear_description: bool = False,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        clear_ends_at: bool = False,
        venue: Venue | None = None,
        clear_venue: bool = False,
    ) -> None:
        if not self.is_open:
            raise EventNotEditable(f"a {self.phase.value} event can no longer be edited")
        changed: list[str] = []
        if title is not None:
            self.title = required_text(title, field="title", max_length=TITLE_MAX)
            changed.append("title")
        if description is not None or clear_description:
            self.description = optional_text(
                description, field="description", max_length=DESCRIPTION_MAX
            )
            changed.append("description")
        new_start = starts_at or self.starts_at
        new_end = None if clear_ends_at else (ends_at or self.ends_at)
        _check_times(new_start, new_end)
        if starts_at is not None:
            self.starts_at = starts_at
            changed.append("starts_at")
        if ends_at is not None or clear_ends_at:
            self.ends_at = new_end
            changed.append("ends_at")
        if venue is not None or clear_venue:
            self.venue = venue
            changed.append("venue")
        if changed:
            self.updated_at = now
            self.record(
                EventUpdated(
                    occurred_at=now, event_id=self.id, entity_id=self.entity_id, fields=changed
                )
            )

    def delete(self, *, by: UUID, now: datetime, has_sales: bool) -> None:
        """Check that the event may go and raise `EventDeleted`; the repository removes it.
        An event that sold anything is cancelled instead, which refunds its buyers."""
        if self.phase is EventPhase.LIVE:
            raise EventIsLive("a LIVE event cannot be deleted: end it first (POST_LIVE)")
        if has_sales:
            raise EventHasSales(
                "tickets of this event were sold or are held: cancel it instead with "
                'POST /events/{id}/phase {"to": "CANCELLED"}, which refunds its buyers',
                phase=self.phase.value,
            )
        self.record(
            EventDeleted(occurred_at=now, event_id=self.id, entity_id=self.entity_id, deleted_by=by)
        )

    def move_to(self, phase: EventPhase, *, by: UUID, now: datetime) -> None:
        if phase not in PHASE_MOVES[self.phase]:
            raise EventPhaseTransitionNotAllowed(
                f"an event in {self.phase.value} cannot move to {phase.value}",
                field="to",
                current_phase=self.phase.value,
                requested_phase=phase.value,
            )
        previous, self.phase = self.phase, phase
        self.phase_changed_at = now
        self.updated_at = now
        self.record(
            EventPhaseChanged(
                occurred_at=now,
                event_id=self.id,
                entity_id=self.entity_id,
                from_phase=previous.value,
                to_phase=phase.value,
                changed_by=by,
            )
        )
        if phase is EventPhase.LIVE:
            self.record(
                EventWentLive(
                    occurred_at=now, event_id=self.id, entity_id=self.entity_id, title=self.title
                )
            )


@dataclass(eq=False)
class TicketType(RecordsEvents):
    """A kind of seat with a price and a quota. `sold` and `reserved` are counters the
    repository moves with conditional updates (`sold + reserved + n <= quota`); the aggregate
    never writes them back, so concurrent buyers cannot oversell through a stale copy."""

    id: UUID
    event_id: UUID
    entity_id: UUID
    name: str
    price: Money
    quota: int
    created_at: datetime
    sales_start: datetime | None = None
    sales_end: datetime | None = None
    description: str | None = None
    hidden: bool = False
    sold: int = 0
    reserved: int = 0
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls,
        *,
        event: Event,
        name: str,
        price: Money,
        quota: int,
        now: datetime,
        sales_start: datetime | None = None,
        sales_end: datetime | None = None,
        description: str | None = None,
    ) -> TicketType:
        if not event.is_open:
            raise EventNotEditable(f"a {event.phase.value} event sells no new ticket types")
        clean = required_text(name, field="name", max_length=TICKET_NAME_MAX)
        _check_price(price)
        _check_quota(quota)
        _check_window(sales_start, sales_end)
        ticket_type = cls(
            id=new_id(),
            event_id=event.id,
            entity_id=event.entity_id,
            name=clean,
            description=optional_text(
                description, field="description", max_length=TICKET_DESCRIPTION_MAX
            ),
            price=price,
            quota=quota,
            created_at=now,
            sales_start=sales_start,
            sales_end=sales_end,
        )
        ticket_type.record(
            TicketTypeCreated(
                occurred_at=now,
                ticket_type_id=ticket_type.id,
                event_id=event.id,
                entity_id=event.entity_id,
                quota=quota,
                price_amount=price.amount,
                price_currency=price.currency,
            )
        )
        return ticket_type

    @property
    def available(self) -> int:
        return max(0, self.quota - self.sold - self.reserved)

    def sellable(self, event: Event, now: datetime) -> bool:
        """On sale for buyers: not hidden, inside the sales window of an open event."""
        return event.id == self.event_id and event.is_open and not self.hidden and self.on_sale(now)

    def on_sale(self, now: datetime) -> bool:
        """Inside the sales window (the event's phase is `sellable`'s concern)."""
        return (self.sales_start is None or now >= self.sales_start) and (
            self.sales_end is None or now < self.sales_end
        )

    def edit(self, event: Event, changes: TicketTypeEdit, *, now: datetime) -> None:
        """Apply `changes` (None fields stay). The price is fixed once a seat is sold (buyers
        paid what they saw); the quota never drops under the seats sold and held. `sold` and
        `reserved` must be read under the row lock: the repository writes the quota only
        while it still holds them, so a reservation landing meanwhile cannot be overtaken."""
        if not event.is_open:
            raise EventNotEditable(f"the ticket types of a {event.phase.value} event are fixed")
        changed: list[str] = []
        if changes.name is not None:
            name = required_text(changes.name, field="name", max_length=TICKET_NAME_MAX)
            if name != self.name:
                self.name = name
                changed.append("name")
        if changes.description is not None or changes.clear_description:
            description = optional_text(
                changes.description, field="description", max_length=TICKET_DESCRIPTION_MAX
            )
            if description != self.description:
                self.description = description
                changed.append("description")
        if changes.price is not None and changes.price != self.price:
            _check_price(changes.price)
            if self.sold > 0:
                raise PriceLockedAfterSales(
                    f"{self.sold} seats were sold at this price: it can no longer change",
                    field="price",
                    sold=self.sold,
                )
            self.price = changes.price
            changed.append("price")
        if changes.quota is not None and changes.quota != self.quota:
            _check_quota(changes.quota)
            held = self.sold + self.reserved
            if changes.quota < held:
                raise QuotaBelowSold(
                    f"the quota cannot go below the {held} seats sold ({self.sold}) or held "
                    f"({self.reserved})",
                    field="quota",
                    sold=self.sold,
                    reserved=self.reserved,
                )
            self.quota = changes.quota
            changed.append("quota")
        start = None if changes.clear_sales_start else (changes.sales_start or self.sales_start)
        end = None if changes.clear_sales_end else (changes.sales_end or self.sales_end)
        _check_window(start, end)
        if start != self.sales_start:
            self.sales_start = start
            changed.append("sales_start")
        if end != self.sales_end:
            self.sales_end = end
            changed.append("sales_end")
        if changes.hidden is not None and changes.hidden != self.hidden:
            self.hidden = changes.hidden
            changed.append("hidden")
        if changed:
            self.record(
                TicketTypeUpdated(
                    occurred_at=now,
                    ticket_type_id=self.id,
                    event_id=self.event_id,
                    entity_id=self.entity_id,
                    fields=changed,
                    quota=self.quota,
                    price_amount=self.price.amount,
                    price_currency=self.price.currency,
                    hidden=self.hidden,
                )
            )

    def delete(self, *, now: datetime) -> None:
        """Check that the type may go and raise `TicketTypeDeleted`; the repository removes
        it only while it still sold nothing."""
        if self.sold or self.reserved:
            raise TicketTypeHasSales(
                f"{self.sold} seats of this ticket type were sold and {self.reserved} are held: "
                'hide it instead (PATCH it with {"hidden": true})',
                sold=self.sold,
                reserved=self.reserved,
            )
        self.record(
            TicketTypeDeleted(
                occurred_at=now,
                ticket_type_id=self.id,
                event_id=self.event_id,
                entity_id=self.entity_id,
            )
        )


@dataclass(frozen=True, slots=True)
class TicketTypeEdit:
    """What an edit of a ticket type changes: None leaves a field as it is; the `clear_`
    flags empty the optional ones."""

    name: str | None = None
    description: str | None = None
    clear_description: bool = False
    price: Money | None = None
    quota: int | None = None
    sales_start: datetime | None = None
    clear_sales_start: bool = False
    sales_end: datetime | None = None
    clear_sales_end: bool = False
    hidden: bool | None = None


def _check_price(price: Money) -> None:
    if price.is_negative:
        raise InvalidInput("price must not be negative", field="price")


def _check_quota(quota: int) -> None:
    if type(quota) is not int or not 1 <= quota <= MAX_QUOTA:
        raise InvalidInput(f"quota must be between 1 and {MAX_QUOTA}", field="quota")


def _check_window(sales_start: datetime | None, sales_end: datetime | None) -> None:
    for moment, name in ((sales_start, "sales_start"), (sales_end, "sales_end")):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput("times must carry a time zone (RFC 3339)", field=name)
    if sales_start and sales_end and sales_end <= sales_start:
        raise InvalidInput("sales_end must be after sales_start", field="sales_end")
