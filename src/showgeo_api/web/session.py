"""The browser's session: two HttpOnly cookies holding the tokens the auth service issues.

The JSON API reads only `Authorization: Bearer`; these cookies are read only by the page
routes, so the API's behaviour (and its immunity to CSRF) is unchanged. An expired access
cookie is renewed here with the refresh cookie (the same rotating refresh the API offers),
and the new pair goes back to the browser through `SessionCookiesMiddleware`.

Cookies are `HttpOnly; SameSite=Lax; Path=/`, and `Secure` unless `PUBLIC_BASE_URL` names
this machine (localhost, 127.0.0.1, ::1), where browsers allow plain http.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from showgeo_api.settings import Settings
from showgeo_domain.identity.model import Actor
from showgeo_domain.identity.services import Authentication, AuthSession
from showgeo_domain.shared.errors import DomainError

ACCESS_COOKIE = "sg_access"
REFRESH_COOKIE = "sg_refresh"
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
STATE_KEY = "showgeo_web_cookies"
REFRESHES_KEY = "showgeo_web_refreshes"
REFRESH_GRACE_SECONDS = 10.0


def secure_cookies(settings: Settings) -> bool:
    """Secure everywhere but on this machine (browsers keep Secure cookies only over https)."""
    return (urlparse(settings.public_base_url).hostname or "localhost") not in LOOPBACK


@dataclass
class CookieJar:
    """Cookies a page request decided to set or clear; written by the middleware."""

    secure: bool
    refresh_days: int
    """How long the refresh cookie lives (REFRESH_TOKEN_TTL_DAYS, as the token itself)."""
    pending: list[Cookie] = field(default_factory=list)

    def keep(self, session: AuthSession) -> None:
        self.pending = [
            self._cookie(ACCESS_COOKIE, session.access_token, session.expires_in),
            self._cookie(REFRESH_COOKIE, session.refresh_token, self.refresh_days * 86_400),
        ]

    def clear(self) -> None:
        self.pending = [self._cookie(ACCESS_COOKIE, "", 0), self._cookie(REFRESH_COOKIE, "", 0)]

    def _cookie(self, key: str, value: str, max_age: int) -> Cookie:
        return Cookie(
            key=key,
            value=value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )


def cookie_jar(connection: ASGIConnection[Any, Any, Any, Any]) -> CookieJar:
    state = connection.scope.setdefault("state", {})
    jar = state.get(STATE_KEY)
    if jar is None:
        settings: Settings = connection.app.state["container"].settings()
        jar = state[STATE_KEY] = CookieJar(
            secure_cookies(settings), settings.refresh_token_ttl_days
        )
    return jar


class SharedRefreshes:
    """One refresh per refresh token per process, its result shared for a few seconds.

    Refresh tokens rotate, and presenting a used one revokes the whole family (replay
    detection). Two tabs whose access cookie expired at the same moment (their sockets
    reconnect together) would send the same refresh token at once and sign the person out.
    Requests carrying the same refresh token within `grace` seconds get the same new session
    instead. A replay from elsewhere after that is still caught by the auth service."""

    def __init__(self, grace: float = REFRESH_GRACE_SECONDS) -> None:
        self._grace = grace
        self._recent: dict[str, tuple[float, asyncio.Task[AuthSession]]] = {}

    async def refresh(self, authentication: Authentication, token: str) -> AuthSession:
        now = time.monotonic()
        self._recent = {k: v for k, v in self._recent.items() if v[0] > now}
        key = hashlib.sha256(token.encode()).hexdigest()
        found = self._recent.get(key)
        if found is None:
            task = asyncio.get_running_loop().create_task(authentication.refresh(token))
            found = self._recent[key] = (now + self._grace, task)
        return await asyncio.shield(found[1])


def shared_refreshes(connection: ASGIConnection[Any, Any, Any, Any]) -> SharedRefreshes:
    state = connection.app.state
    if REFRESHES_KEY not in state:
        state[REFRESHES_KEY] = SharedRefreshes()
    return state[REFRESHES_KEY]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class BrowserIdentity:
    actor: Actor | None
    access_token: str | None


async def identify(
    connection: ASGIConnection[Any, Any, Any, Any], authentication: Authentication
) -> BrowserIdentity:
    """Who the cookies prove the browser is; renews an expired access token once with the
    refresh cookie. A refresh the service refuses (expired, revoked, replayed) signs out."""
    token = connection.cookies.get(ACCESS_COOKIE)
    if token:
        try:
            return BrowserIdentity(authentication.authenticate(token), token)
        except DomainError:
            pass
    refresh = connection.cookies.get(REFRESH_COOKIE)
    if not refresh:
        return BrowserIdentity(None, None)
    jar = cookie_jar(connection)
    try:
        session = await shared_refreshes(connection).refresh(authentication, refresh)
    except DomainError:
        jar.clear()
        return BrowserIdentity(None, None)
    jar.keep(session)
    return BrowserIdentity(authentication.authenticate(session.access_token), session.access_token)


def content_security_policy(settings: Settings, host: str) -> str:
    """Scripts and styles from our own origin only (no inline code); sockets to ourselves and
    to LiveKit; forms may post to ourselves and be redirected to the payment checkout."""
    livekit = urlparse(settings.livekit_url)
    livekit_origins = f"{livekit.scheme}://{livekit.netloc}" if livekit.netloc else ""
    checkout = "https://checkout.stripe.com" if settings.uses_stripe else ""
    base = urlparse(settings.public_base_url)
    own = f"{base.scheme}://{base.netloc}"
    sockets = f"ws://{host} wss://{host}" if host else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob: mediastream:",
            f"connect-src 'self' {sockets} {livekit_origins}".strip(),
            f"form-action 'self' {own} {checkout}".strip(),
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


class SessionCookiesMiddleware:
    """Page routes only: writes the session cookies a request changed, sends the pages'
    Content-Security-Policy and keeps pages (which may carry tokens) out of caches."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        settings: Settings = scope["litestar_app"].state["container"].settings()
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                jar = scope.get("state", {}).get(STATE_KEY)
                for cookie in jar.pending if jar else []:
                    headers.add("set-cookie", cookie.to_header(header=""))
                headers["Content-Security-Policy"] = content_security_policy(settings, host)
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self._app(scope, receive, send_with_session)
