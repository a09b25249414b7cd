"""Moving an event to another phase, the one place that decides what a move means.

Cancelling takes the event's money back: `Payments.cancel_event` cancels it and refunds its
paid tickets (resumable: asking again finishes refunds a provider failure interrupted). Every
other move is the event's own (`Events.move`, with its transition rules). It lives in orders
because orders stands above events: the JSON route and the web page both call `move` and
never choose between the two themselves."""

from __future__ import annotations

from uuid import UUID

from showgeo_domain.events.model import Event, EventPhase
from showgeo_domain.events.services import Events
from showgeo_domain.identity.model import Actor
from showgeo_domain.orders.payments import Payments


class EventPhases:
    def __init__(self, events: Events, payments: Payments) -> None:
        self._events = events
        self._payments = payments

    async def move(self, actor: Actor, event_id: UUID, to: EventPhase) -> Event:
        """The event after the move (MANAGE_EVENTS, as each use case checks); to CANCELLED,
        once its paid tickets are refunded."""
        if to is EventPhase.CANCELLED:
            return (await self._payments.cancel_event(actor, event_id)).event
        return await self._events.move(actor, event_id, to)
