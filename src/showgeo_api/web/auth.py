"""Sign up, log in, log out, and the short-lived token the page's notification socket needs.

The forms go through the auth service the JSON API uses (`Authentication`), with the API's
throttle; the session it issues is kept in HttpOnly cookies (`web.session`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from showgeo_api.http.errors import RateLimited
from showgeo_api.http.throttle import AuthThrottles
from showgeo_api.routes.auth import LoginIn, RegisterIn
from showgeo_api.web.context import Ui, local_path
from showgeo_api.web.forms import FormErrors, decode, form_values
from showgeo_api.web.session import REFRESH_COOKIE, cookie_jar
from showgeo_domain.identity.services import Authentication, AuthSession
from showgeo_domain.shared.errors import DomainError

Form = TypeVar("Form", RegisterIn, LoginIn)


class SocketTokenOut(msgspec.Struct):
    token: str
    ws_url: str


def _signed_in(ui: Ui, session: AuthSession, next_path: str | None) -> Redirect:
    cookie_jar(ui.request).keep(session)
    return Redirect(path=local_path(next_path), status_code=303)


def _rate_limited(exc: RateLimited) -> FormErrors:
    return FormErrors(f"Too many attempts; try again in {exc.retry_after} s.", {}, "rate_limited")


class AuthPages(Controller):
    path = "/app"

    @get("/signup")
    async def signup_form(
        self, ui: NamedDependency[Ui], next: FromQuery[str | None] = None
    ) -> Template:
        return await ui.render("signup.html", values={}, errors=FormErrors(), next=next)

    @post("/signup")
    async def signup(
        self,
        request: Request[Any, Any, Any],
        ui: NamedDependency[Ui],
        authentication: NamedDependency[Authentication],
        auth_throttles: NamedDependency[AuthThrottles],
        next: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        async def register(data: RegisterIn) -> AuthSession:
            return await authentication.register(
                email=data.email,
                username=data.username,
                password=data.password,
                display_name=data.display_name,
            )

        return await _account_form(
            ui, request, auth_throttles, next, "signup.html", RegisterIn, register
        )

    @get("/login")
    async def login_form(
        self, ui: NamedDependency[Ui], next: FromQuery[str | None] = None
    ) -> Template:
        return await ui.render("login.html", values={}, errors=FormErrors(), next=next)

    @post("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        ui: NamedDependency[Ui],
        authentication: NamedDependency[Authentication],
        auth_throttles: NamedDependency[AuthThrottles],
        next: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        async def login(data: LoginIn) -> AuthSession:
            return await authentication.login(email=data.email, password=data.password)

        return await _account_form(ui, request, auth_throttles, next, "login.html", LoginIn, login)

    @post("/logout")
    async def logout(
        self,
        request: Request[Any, Any, Any],
        ui: NamedDependency[Ui],
        authentication: NamedDependency[Authentication],
    ) -> Redirect:
        """Revokes the refresh token's family (as `POST /auth/logout` does) and clears the
        cookies; an already-dead token still signs the browser out."""
        refresh = request.cookies.get(REFRESH_COOKIE)
        if refresh:
            with contextlib.suppress(DomainError):
                await authentication.logout(refresh)
        ui.sign_out()
        return Redirect(path="/", status_code=303)

    @post("/session/socket-token")
    async def socket_token(self, ui: NamedDependency[Ui]) -> SocketTokenOut:
        """The session's current access token (renewed first if it had expired), for the
        notification WebSocket, which browsers cannot give cookies' tokens or headers to. It
        lives as long as any access token (ACCESS_TOKEN_TTL_SECONDS, 15 minutes by default);
        the page asks again before reconnecting. POST with the CSRF header, so another site
        cannot obtain it."""
        ui.require()
        assert ui.access_token is not None
        scheme = "wss" if ui.request.url.scheme == "https" else "ws"
        host = ui.request.headers.get("host", "")
        return SocketTokenOut(ui.access_token, f"{scheme}://{host}/notifications")


async def _account_form(
    ui: Ui,
    request: Request[Any, Any, Any],
    throttles: AuthThrottles,
    next: str | None,
    template: str,
    form: type[Form],
    authenticate: Callable[[Form], Awaitable[AuthSession]],
) -> Template | Redirect:
    """Sign-up and log-in alike: the form decoded with the API's own struct, throttled per
    address and email as the API is, and on success the session's cookies; a refusal shows
    the form again with its errors beside the fields and what was typed, password aside."""
    values = await form_values(request)
    try:
        data = decode(values, form)
        await throttles.check(request, data.email)
        session = await authenticate(data)
    except (DomainError, msgspec.ValidationError) as exc:
        errors = FormErrors.of(exc)
    except RateLimited as exc:
        errors = _rate_limited(exc)
    else:
        return _signed_in(ui, session, next)
    values.pop("password", None)
    return await ui.render(template, values=values, errors=errors, next=next)
