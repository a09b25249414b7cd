"""WebhookInbox in memory: the same answers as the `webhook_events` table."""

from __future__ import annotations

from datetime import datetime

from showgeo_adapters.memory.state import MemoryState, WebhookEvent


class MemoryWebhookInbox:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    async def record(self, provider: str, event_ref: str, payload: bytes, at: datetime) -> bool:
        key = (provider, event_ref)
        stored = self.state.webhook_events.get(key)
        if stored is not None:
            return stored.processed_at is None
        self.state.webhook_events[key] = WebhookEvent(payload=bytes(payload), received_at=at)
        return True

    async def mark_processed(self, provider: str, event_ref: str, at: datetime) -> None:
        stored = self.state.webhook_events.get((provider, event_ref))
        if stored is not None and stored.processed_at is None:
            stored.processed_at = at
