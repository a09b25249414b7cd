"""Password reset links and the sent-mail record, in portable Core (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import password_resets, sent_mail
from showgeo_domain.identity.model import PasswordReset
from showgeo_domain.mail.model import MailKey, MailStatus, MailTemplate, SentMail


class SqlPasswordResetRepository(SqlRepository):
    async def add(self, reset: PasswordReset) -> None:
        await self._conn.execute(
            password_resets.insert().values(
                id=reset.id,
                user_id=reset.user_id,
                token_hash=reset.token_hash,
                created_at=reset.created_at,
                expires_at=reset.expires_at,
                used_at=reset.used_at,
            )
        )

    async def get_by_hash(self, token_hash: str) -> PasswordReset | None:
        return await self._one(password_resets.c.token_hash == token_hash)

    async def get(self, reset_id: UUID) -> PasswordReset | None:
        return await self._one(password_resets.c.id == reset_id)

    async def consume(self, reset_id: UUID, at: datetime) -> bool:
        """A conditional update, as `mark_used` of refresh tokens: of two concurrent uses
        only one sees `used_at IS NULL`."""
        done = await self._conn.execute(
            update(password_resets)
            .where(password_resets.c.id == reset_id, password_resets.c.used_at.is_(None))
            .values(used_at=at)
        )
        return bool(done.rowcount)

    async def _one(self, where: ColumnElement[bool]) -> PasswordReset | None:
        row = (await self._conn.execute(select(password_resets).where(where))).first()
        if row is None:
            return None
        return PasswordReset(
            id=row.id,
            user_id=row.user_id,
            token_hash=row.token_hash,
            created_at=row.created_at,
            expires_at=row.expires_at,
            used_at=row.used_at,
        )


def _key_is(key: MailKey) -> ColumnElement[bool]:
    return and_(
        sent_mail.c.source_event_id == key.source_event_id,
        sent_mail.c.recipient == key.recipient,
        sent_mail.c.template == key.template.value,
    )


def _sent_mail(row: Any) -> SentMail:
    return SentMail(
        key=MailKey(row.source_event_id, row.recipient, MailTemplate(row.template)),
        source_subject=row.source_subject,
        source_payload=bytes(row.source_payload),
        status=MailStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        message_id=row.message_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
    )


class SqlSentMailRepository(SqlRepository):
    async def add(self, mail: SentMail) -> bool:
        values = {
            "source_event_id": mail.key.source_event_id,
            "recipient": mail.key.recipient,
            "template": mail.key.template.value,
            "source_subject": mail.source_subject,
            "source_payload": mail.source_payload,
            "status": mail.status.value,
            "attempts": mail.attempts,
            "next_attempt_at": mail.next_attempt_at,
            "last_error": mail.last_error,
            "message_id": mail.message_id,
            "created_at": mail.created_at,
            "updated_at": mail.updated_at,
            "sent_at": mail.sent_at,
        }
        statement = self._insert_ignoring_conflicts(sent_mail).values(**values)
        added = await self._conn.execute(statement.returning(sent_mail.c.template))
        return added.first() is not None

    async def get(self, key: MailKey) -> SentMail | None:
        row = (await self._conn.execute(select(sent_mail).where(_key_is(key)))).first()
        return None if row is None else _sent_mail(row)

    async def claim(self, key: MailKey, now: datetime, until: datetime) -> bool:
        done = await self._conn.execute(
            update(sent_mail)
            .where(
                _key_is(key),
                sent_mail.c.status == MailStatus.PENDING.value,
                sent_mail.c.next_attempt_at <= now,
            )
            .values(next_attempt_at=until)
        )
        return bool(done.rowcount)

    async def update(self, mail: SentMail) -> None:
        await self._conn.execute(
            update(sent_mail)
            .where(_key_is(mail.key))
            .values(
                status=mail.status.value,
                attempts=mail.attempts,
                next_attempt_at=mail.next_attempt_at,
                last_error=mail.last_error,
                message_id=mail.message_id,
                updated_at=mail.updated_at,
                sent_at=mail.sent_at,
            )
        )

    async def due(self, now: datetime, limit: int) -> list[SentMail]:
        query = (
            select(sent_mail)
            .where(
                sent_mail.c.status == MailStatus.PENDING.value, sent_mail.c.next_attempt_at <= now
            )
            .order_by(sent_mail.c.next_attempt_at)
            .limit(limit)
        )
        return [_sent_mail(row) for row in await self._conn.execute(query)]

    async def sent_since(self, recipient: str, since: datetime) -> int:
        query = select(func.count()).where(
            sent_mail.c.recipient == recipient, sent_mail.c.sent_at >= since
        )
        return int((await self._conn.execute(query)).scalar_one())
