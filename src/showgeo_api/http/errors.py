"""Every error leaves the API as `application/problem+json` (RFC 9457), mapped in one place.

Body: `type`, `title`, `status`, `detail`, `code` (stable, machine-readable) and, for input
errors, `errors`: a list of `{field, message}`. Unexpected exceptions become a bare 500 that
leaks nothing; they are bugs and are logged with their traceback.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException

from showgeo_adapters.sqlalchemy.health import is_database_unavailable, is_transaction_conflict
from showgeo_domain.assets.errors import AssetTooLarge, UnsupportedMediaType
from showgeo_domain.orders.errors import IdempotencyKeyReused, PaymentProviderUnavailable
from showgeo_domain.shared.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from showgeo_domain.streaming.errors import MediaServerUnavailable

log = logging.getLogger("showgeo.api")

# First match wins: specific errors before their base classes.
_STATUS_OF: list[tuple[type[DomainError], HTTPStatus]] = [
    (IdempotencyKeyReused, HTTPStatus.UNPROCESSABLE_ENTITY),
    (PaymentProviderUnavailable, HTTPStatus.BAD_GATEWAY),
    (MediaServerUnavailable, HTTPStatus.BAD_GATEWAY),
    (AssetTooLarge, HTTPStatus.REQUEST_ENTITY_TOO_LARGE),
    (UnsupportedMediaType, HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
    (InvalidInput, HTTPStatus.BAD_REQUEST),
    (AuthenticationFailed, HTTPStatus.UNAUTHORIZED),
    (PermissionDenied, HTTPStatus.FORBIDDEN),
    (NotFound, HTTPStatus.NOT_FOUND),
    (Conflict, HTTPStatus.CONFLICT),
]


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many attempts")
        self.retry_after = retry_after


def problem(
    status: HTTPStatus,
    *,
    code: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemDetailsException:
    body: dict[str, Any] = {"code": code, **extra}
    if errors is not None:
        body["errors"] = errors
    return ProblemDetailsException(
        status_code=status.value,
        type_=f"urn:showgeo:problem:{code}",
        title=status.phrase,
        detail=detail,
        extra=body,
        headers=headers,
    )


def domain_error_to_problem(exc: DomainError) -> ProblemDetailsException:
    status = next((s for kind, s in _STATUS_OF if isinstance(exc, kind)), HTTPStatus.BAD_REQUEST)
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    headers = {"WWW-Authenticate": "Bearer"} if status is HTTPStatus.UNAUTHORIZED else None
    extra = {k: v for k, v in exc.extra.items() if isinstance(v, str | int | bool)}
    return problem(
        status, code=exc.code, detail=exc.detail, errors=errors, headers=headers, **extra
    )


def http_exception_to_problem(exc: HTTPException) -> ProblemDetailsException:
    status = HTTPStatus(exc.status_code)
    if isinstance(exc, ValidationException):
        return problem(
            status,
            code="invalid_input",
            detail="the request is not valid",
            errors=_field_errors(exc.extra),
        )
    code = status.phrase.lower().replace(" ", "_").replace("-", "_")
    return problem(status, code=code, detail=exc.detail, headers=exc.headers)


def rate_limited_to_problem(exc: RateLimited) -> ProblemDetailsException:
    return problem(
        HTTPStatus.TOO_MANY_REQUESTS,
        code="rate_limited",
        detail=f"too many attempts; retry in {exc.retry_after} s",
        headers={"Retry-After": str(exc.retry_after)},
    )


def unexpected_to_problem(exc: Exception) -> ProblemDetailsException:
    if is_database_unavailable(exc):
        log.warning("database unavailable: %s", type(exc).__name__)
        return problem(
            HTTPStatus.SERVICE_UNAVAILABLE,
            code="database_unavailable",
            detail="the database cannot be reached right now; retry shortly",
            headers={"Retry-After": "1"},
        )
    if is_transaction_conflict(exc):
        log.warning("transaction rolled back by a conflict: %s", type(exc).__name__)
        return problem(
            HTTPStatus.SERVICE_UNAVAILABLE,
            code="transaction_conflict",
            detail="a concurrent request touched the same data and this one was undone; retry",
            headers={"Retry-After": "1"},
        )
    log.exception("unhandled error", exc_info=exc)
    return problem(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        code="internal_error",
        detail="an unexpected error occurred",
    )


def _field_errors(extra: Any) -> list[dict[str, str]]:
    """Litestar reports `[{message, key, source}]`; msgspec's path ends up in the message."""
    if not isinstance(extra, list):
        return []
    errors = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid"))
        key = item.get("key")
        if key == "data" and message == "'data'":  # Litestar's KeyError for no body at all
            message = "a JSON body is required"
        field = key if key and key != "data" else _body_field(message)
        errors.append({"field": str(field or "body"), "message": message})
    return errors


def _body_field(message: str) -> str | None:
    """msgspec names the field either as a path (`- at `$.email``) or, when it is missing,
    in the message itself (`Object missing required field `email``)."""
    for marker in ("at `$.", "missing required field `"):
        _, found, rest = message.partition(marker)
        if found:
            return rest.split("`")[0].split("[")[0]
    return None


def problem_details_config() -> ProblemDetailsConfig:
    return ProblemDetailsConfig(
        enable_for_all_http_exceptions=True,
        exception_to_problem_detail_map={
            DomainError: domain_error_to_problem,
            HTTPException: http_exception_to_problem,
            RateLimited: rate_limited_to_problem,
            Exception: unexpected_to_problem,
        },
    )
