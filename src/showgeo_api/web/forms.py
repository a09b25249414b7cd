"""HTML forms read into the API's own request schemas, and their errors shown per field.

A form is converted with the same msgspec struct the JSON route decodes (so the limits are
the same), and a refusal becomes the same problem+json body the API would send
(`showgeo_api.http.errors`); the template puts each `errors[].message` beside its field and the
`detail` above the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
from litestar import Request

from showgeo_api.http.errors import _body_field, domain_error_to_problem
from showgeo_domain.shared.errors import DomainError

T = TypeVar("T")


@dataclass
class FormErrors:
    """A problem+json body as a form shows it."""

    detail: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    code: str | None = None

    def __bool__(self) -> bool:
        return self.detail is not None or bool(self.fields)

    @classmethod
    def of(cls, exc: DomainError | msgspec.ValidationError) -> FormErrors:
        if isinstance(exc, msgspec.ValidationError):
            message = str(exc)
            name = _body_field(message) or "form"
            return cls("Please correct the marked field.", {name: _plain(message)}, "invalid_input")
        problem = domain_error_to_problem(exc)
        extra: dict[str, Any] = problem.extra if isinstance(problem.extra, dict) else {}
        fields = {e["field"]: e["message"] for e in extra.get("errors", [])}
        return cls(problem.detail, fields, str(extra.get("code", "")) or None)


_LENGTH = re.compile(r"Expected `str` of length ([<>]=) (\d+)")


def _plain(message: str) -> str:
    """msgspec's message without its JSON path, length rules said in words."""
    message = message.split(" - at `$")[0]
    found = _LENGTH.match(message)
    if found:
        bound = "at least" if found.group(1) == ">=" else "at most"
        return f"must be {bound} {found.group(2)} characters"
    if message.startswith("Object missing required field"):
        return "is required"
    return message


async def form_values(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The form's text fields (not `_csrf_token` and the like), as typed: to fill it again."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and not k.startswith("_")}


def decode(values: dict[str, str], schema: type[T]) -> T:
    """`values` as `schema` (the API's request struct): empty fields are left out so optional
    ones take their default; text is trimmed except passwords. Raises
    msgspec.ValidationError."""
    kept = {k: v if k == "password" else v.strip() for k, v in values.items() if v.strip()}
    return msgspec.convert(kept, schema, strict=False)


def nest(values: dict[str, str]) -> dict[str, Any]:
    """Dotted form names (`venue.lat`, `price.amount`) as the nested JSON the API's structs
    take; empty fields are left out (and a group left wholly empty with them), so the field
    names of a form and of the API's `errors[].field` are the same."""
    out: dict[str, Any] = {}
    for key, raw in values.items():
        value = raw if key == "password" else raw.strip()
        if not value:
            continue
        *groups, name = key.split(".")
        target = out
        for group in groups:
            target = target.setdefault(group, {})
        target[name] = value
    return out


def decode_nested(values: dict[str, str], schema: type[T]) -> T:
    """`decode` for forms with dotted names (see `nest`)."""
    return msgspec.convert(nest(values), schema, strict=False)
