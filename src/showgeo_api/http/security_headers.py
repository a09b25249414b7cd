"""Security headers on every HTTP response, unless a route set its own.

The API serves JSON, the docs page and (later) server-rendered pages: none may be framed
by another site (clickjacking), sniffed into another type, or leak full URLs in referrers.
HSTS is sent in production only, where TLS is terminated in front of us.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

BASE_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(self)",
}
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def security_headers(production: bool) -> dict[str, str]:
    return {**BASE_HEADERS, **dict([HSTS])} if production else dict(BASE_HEADERS)


class SecurityHeadersMiddleware:
    """The headers are encoded once, at start-up, as the raw (name, value) byte pairs of an
    ASGI message; a response start is scanned once for the names it already has. (Litestar's
    `MutableScopeHeaders` decoded and searched the whole list for each of our headers, on
    every response.)"""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self._app = app
        self._raw = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = list(message.get("headers") or ())
                present = {bytes(name).lower() for name, _ in existing}
                existing.extend(pair for pair in self._raw if pair[0] not in present)
                message["headers"] = existing
            await send(message)

        await self._app(scope, receive, send_with_headers)
