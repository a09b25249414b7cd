"""Password reset links and the sent-mail record, in the memory state."""

from __future__ import annotations

import copy
from datetime import datetime
from uuid import UUID

from showgeo_adapters.memory.state import MemoryState
from showgeo_domain.identity.model import PasswordReset
from showgeo_domain.mail.model import MailKey, MailStatus, SentMail


class MemoryPasswordResetRepository:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    async def add(self, reset: PasswordReset) -> None:
        self.state.password_resets[reset.id] = copy.copy(reset)

    async def get_by_hash(self, token_hash: str) -> PasswordReset | None:
        found = (r for r in self.state.password_resets.values() if r.token_hash == token_hash)
        return copy.copy(next(found, None))

    async def get(self, reset_id: UUID) -> PasswordReset | None:
        return copy.copy(self.state.password_resets.get(reset_id))

    async def consume(self, reset_id: UUID, at: datetime) -> bool:
        reset = self.state.password_resets.get(reset_id)
        if reset is None or reset.used_at is not None:
            return False
        reset.used_at = at
        return True


class MemorySentMailRepository:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    async def add(self, mail: SentMail) -> bool:
        if mail.key in self.state.sent_mail:
            return False
        self.state.sent_mail[mail.key] = copy.copy(mail)
        return True

    async def get(self, key: MailKey) -> SentMail | None:
        return copy.copy(self.state.sent_mail.get(key))

    async def claim(self, key: MailKey, now: datetime, until: datetime) -> bool:
        mail = self.state.sent_mail.get(key)
        if mail is None or mail.status is not MailStatus.PENDING or mail.next_attempt_at > now:
            return False
        mail.next_attempt_at = until
        return True

    async def update(self, mail: SentMail) -> None:
        self.state.sent_mail[mail.key] = copy.copy(mail)

    async def due(self, now: datetime, limit: int) -> list[SentMail]:
        waiting = [
            m
            for m in self.state.sent_mail.values()
            if m.status is MailStatus.PENDING and m.next_attempt_at <= now
        ]
        waiting.sort(key=lambda m: m.next_attempt_at)
        return [copy.copy(m) for m in waiting[:limit]]

    async def sent_since(self, recipient: str, since: datetime) -> int:
        return sum(
            1
            for m in self.state.sent_mail.values()
            if m.key.recipient == recipient and m.sent_at is not None and m.sent_at >= since
        )
