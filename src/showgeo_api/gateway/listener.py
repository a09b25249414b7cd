"""What each API process does with `showgeo.notifications.*`: push to the sockets it holds.

The store is the truth; messages only say *that* inboxes changed. After a fan-out the
listener asks which of its own users got a row (a thousand users per query, however large
the audience), sends each their notification a thousand users at a time while the next
thousand are read, then everyone's new unread count; after a read it sends the reader's
sockets their count. Re-sent messages (a relay retrying) are dropped by id, and the count is
always re-read, so what a socket shows equals `GET /unread-count`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from uuid import UUID

import msgspec

from showgeo_api.gateway import frames
from showgeo_api.gateway.hub import SocketHub
from showgeo_domain.notifications.domain_events import NotificationsCreated, NotificationsRead
from showgeo_domain.notifications.model import Notification
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.shared.messaging import OutboxMessage

log = logging.getLogger(__name__)

SUBJECTS = "showgeo.notifications.>"
_CREATED = NotificationsCreated.subject()
_READ = NotificationsRead.subject()


class RealtimeListener:
    def __init__(
        self,
        hub: SocketHub,
        notifications: Notifications,
        remember: int = 10_000,
        chunk: int = 1_000,
    ) -> None:
        self._hub = hub
        self._chunk = chunk
        self._notifications = notifications
        self._seen: OrderedDict[UUID, None] = OrderedDict()
        self._remember = remember

    async def __call__(self, message: OutboxMessage) -> None:
        if self._already_heard(message.id):
            return
        if message.subject == _CREATED:
            await self._created(msgspec.json.decode(message.payload, type=NotificationsCreated))
        elif message.subject == _READ:
            read = msgspec.json.decode(message.payload, type=NotificationsRead)
            if self._hub.holds(read.user_id):
                await self.send_counts([read.user_id])

    async def _created(self, event: NotificationsCreated) -> None:
        here = self._hub.users()
        if event.user_ids is not None:
            named = set(event.user_ids)
            here = [u for u in here if u in named]
        chunks = [here[i : i + self._chunk] for i in range(0, len(here), self._chunk)]
        if not chunks:
            return

        def fetch(chunk: list[UUID]) -> asyncio.Task[Sequence[Notification]]:
            return asyncio.ensure_future(
                self._notifications.created_for(event.source_event_id, event.kind, chunk)
            )

        # A chunk at a time, so the first sockets hear before the last rows are read, and
        # the next chunk's query runs while this one's frames are sent (each a direct
        # send: no task per socket, gateway/hub.py). The counts follow every notification.
        told: list[UUID] = []
        upcoming = fetch(chunks[0])
        try:
            for index in range(len(chunks)):
                found = await upcoming
                if index + 1 < len(chunks):
                    upcoming = fetch(chunks[index + 1])
                for notification in found:
                    self._hub.push(notification.user_id, frames.notification(notification))
                told.extend(n.user_id for n in found)
        finally:
            if not upcoming.done():
                upcoming.cancel()
        await self.send_counts(told)

    async def send_counts(self, user_ids: list[UUID]) -> None:
        counts = await self._notifications.unread_counts(user_ids)
        for user_id, count in counts.items():
            self._hub.push(user_id, frames.unread_count(count))

    async def resync(self) -> None:
        """Every socket here gets its count again (after the bus reconnects, in case a
        message went by while this process was not subscribed)."""
        users = self._hub.users()
        if users:
            await self.send_counts(users)

    def _already_heard(self, event_id: UUID) -> bool:
        if event_id in self._seen:
            return True
        self._seen[event_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return False
