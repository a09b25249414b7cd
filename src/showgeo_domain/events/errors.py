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
