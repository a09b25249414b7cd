"""A mail to send, as a value: who it goes to, what it says (a template and its variables),
and the key that makes it happen once.

Everything that ends up in a header is checked here, before any adapter sees it: a CR or LF
in a subject or display name would let the text start a header of its own (header
injection), so those are folded into spaces; an address with one is refused outright.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID

from showgeo_domain.identity.model import normalize_email
from showgeo_domain.shared.errors import InvalidInput

SUBJECT_MAX = 200
DISPLAY_NAME_MAX = 80
VARIABLE_MAX = 4000
ERROR_MAX = 500

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")
_SPACES = re.compile(r" {2,}")


class MailTemplate(StrEnum):
    """One template (text and HTML, sharing one layout) per kind of mail."""

    PASSWORD_RESET = "password_reset"  # noqa: S105 - a template name, not a secret


class MailStatus(StrEnum):
    PENDING = "PENDING"
    """Not sent yet: waiting for its first attempt or for a retry after a temporary failure."""
    SENT = "SENT"
    FAILED = "FAILED"
    """Given up: a permanent failure, or temporary ones until the attempts ran out."""
    CAPPED = "CAPPED"
    """Not sent: the recipient already had their hourly share of mail."""

    @property
    def is_final(self) -> bool:
        return self is not MailStatus.PENDING


def header_text(raw: str, *, field: str, max_length: int) -> str:
    """`raw` made safe for a header: control characters (CR and LF above all) become one
    space, the result is trimmed and must be 1..`max_length` characters."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", raw)).strip()
    if not text:
        raise InvalidInput(f"{field} must not be empty", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters", field=field)
    return text


def mail_address(raw: str) -> str:
    """An address to put in To:, refused (not repaired) when it carries a control character:
    an address is not prose, and a repaired one would reach someone else."""
    if _CONTROL.search(raw):
        raise InvalidInput("email address must not contain control characters", field="to")
    return normalize_email(raw)


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str
    name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", mail_address(self.address))
        if self.name is not None:
            object.__setattr__(
                self, "name", header_text(self.name, field="name", max_length=DISPLAY_NAME_MAX)
            )


@dataclass(frozen=True, slots=True)
class MailKey:
    """What makes a mail one mail: a redelivered event, or the retry of a failed attempt,
    finds the same key and sends nothing new."""

    source_event_id: UUID
    recipient: str
    template: MailTemplate

    @property
    def reference(self) -> str:
        """A stable token for the Message-ID: a copy sent twice after a crash between the
        send and its record carries the same id, which mail clients collapse."""
        raw = f"{self.source_event_id}:{self.recipient}:{self.template.value}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class MailMessage:
    source_event_id: UUID
    to: Recipient
    subject: str
    template: MailTemplate
    variables: Mapping[str, str] = field(default_factory=dict)
    """What the template shows (links, names); plain strings, escaped by the HTML template."""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "subject", header_text(self.subject, field="subject", max_length=SUBJECT_MAX)
        )
        for name, value in self.variables.items():
            if len(value) > VARIABLE_MAX:
                raise InvalidInput(f"mail variable {name} is too long", field=name)
        object.__setattr__(self, "variables", MappingProxyType(dict(self.variables)))

    @property
    def key(self) -> MailKey:
        return MailKey(self.source_event_id, self.to.address, self.template)


@dataclass(eq=False, slots=True)
class SentMail:
    """The record of one mail: how far it got. It keeps the source event (public payload,
    never the rendered text), so a retry composes the message again: a secret in a link is
    derived again, not stored."""

    key: MailKey
    source_subject: str
    source_payload: bytes
    status: MailStatus
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    last_error: str | None = None
    message_id: str | None = None
    sent_at: datetime | None = None

    @classmethod
    def pending(
        cls, key: MailKey, *, source_subject: str, source_payload: bytes, now: datetime
    ) -> SentMail:
        return cls(
            key=key,
            source_subject=source_subject,
            source_payload=source_payload,
            status=MailStatus.PENDING,
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
        )

    def sent(self, message_id: str, now: datetime) -> None:
        self.attempts += 1
        self.status, self.message_id, self.sent_at = MailStatus.SENT, message_id, now
        self.last_error, self.updated_at = None, now

    def failed(self, error: str, now: datetime, *, retry_at: datetime | None) -> None:
        """A failed attempt: retried at `retry_at`, or given up when there is none."""
        self.attempts += 1
        self.last_error = error[:ERROR_MAX]
        self.updated_at = now
        if retry_at is None:
            self.status = MailStatus.FAILED
        else:
            self.next_attempt_at = retry_at

    def capped(self, now: datetime) -> None:
        self.status, self.updated_at = MailStatus.CAPPED, now
