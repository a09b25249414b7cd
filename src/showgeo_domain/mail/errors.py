"""How sending one message can fail: the retry decision hangs on which kind it is."""

from __future__ import annotations

from typing import ClassVar

from showgeo_domain.shared.errors import DomainError


class MailDeliveryFailed(DomainError):
    """The mail server (or folder) did not take the message."""

    code = "mail_delivery_failed"
    temporary: ClassVar[bool] = False


class TemporaryMailFailure(MailDeliveryFailed):
    """Worth trying again later: SMTP 4xx, connection refused or lost, a timeout, a full disk."""

    code = "mail_temporary_failure"
    temporary = True


class PermanentMailFailure(MailDeliveryFailed):
    """Trying again would fail the same way: SMTP 5xx (no such mailbox, message refused)."""

    code = "mail_permanent_failure"
    temporary = False
