from __future__ import annotations

from showgeo_domain.shared.errors import Conflict, NotFound


class EventNotFound(NotFound):
    code = "event_not_found"


class TicketTypeNotFound(NotFound):
    code = "ticket_type_not_found"


class EventPhaseTransitionNotAllowed(Conflict):
    """The move is not an edge of the phase machine; the problem carries the current phase."""

    code = "phase_transition_not_allowed"


class EventNotEditable(Conflict):
    """Finished and cancelled events are history: their details no longer change."""

    code = "event_not_editable"


class EventIsLive(Conflict):
    """A live event has an audience in its room: it ends (POST_LIVE) before it can go."""

    code = "event_is_live"


class EventHasSales(Conflict):
    """Tickets were sold or are held for it: its buyers are refunded by cancelling it."""

    code = "event_has_sales"


class TicketTypeHasSales(Conflict):
    """Seats of it were sold or are held: it can be hidden, not deleted."""

    code = "ticket_type_has_sales"


class PriceLockedAfterSales(Conflict):
    """Buyers paid the price they saw: it stays while any seat of the type is sold."""

    code = "price_locked_after_sales"


class QuotaBelowSold(Conflict):
    """A quota under the seats sold and held would take back seats people have."""

    code = "quota_below_sold"
