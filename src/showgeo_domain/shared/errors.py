"""Errors the domain raises; the API maps each family to one HTTP status in one place.

Every error carries a stable machine-readable `code` (clients branch on it) and an optional
`field` so input errors can be reported per field.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class InvalidInput(DomainError):
    """The request breaks a rule of the model (bad email, too long, out of range)."""

    code = "invalid_input"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, illegal transition)."""

    code = "conflict"


class AuthenticationFailed(DomainError):
    """Who the caller is could not be established (bad credentials or token)."""

    code = "authentication_failed"


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""

    code = "permission_denied"
