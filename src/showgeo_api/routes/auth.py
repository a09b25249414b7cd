"""Auth: registration, login, rotating refresh tokens, logout, who am I, and password recovery
(a single-use link by mail)."""

from __future__ import annotations

import logging
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import Meta

from showgeo_api.http.throttle import AuthThrottles
from showgeo_api.routes.schemas import MeOut
from showgeo_domain.identity.model import DISPLAY_NAME_MAX, EMAIL_MAX, PASSWORD_MAX, Actor
from showgeo_domain.identity.services import Authentication, AuthSession, PasswordRecovery

log = logging.getLogger("showgeo.auth")

Email = Annotated[str, Meta(min_length=3, max_length=EMAIL_MAX, examples=["ana@example.com"])]
Password = Annotated[str, Meta(min_length=1, max_length=PASSWORD_MAX)]
RefreshToken = Annotated[str, Meta(min_length=1, max_length=256)]


class RegisterIn(msgspec.Struct):
    email: Email
    username: Annotated[str, Meta(min_length=3, max_length=30, examples=["ana"])]
    password: Password
    display_name: Annotated[str, Meta(max_length=DISPLAY_NAME_MAX)] | None = None


class LoginIn(msgspec.Struct):
    email: Email
    password: Password


class RefreshIn(msgspec.Struct):
    refresh_token: RefreshToken


class ForgotPasswordIn(msgspec.Struct):
    email: Email


class ResetPasswordIn(msgspec.Struct):
    token: Annotated[str, Meta(min_length=1, max_length=200)]
    password: Password


class AcceptedOut(msgspec.Struct):
    detail: str


FORGOT_ANSWER = AcceptedOut(
    "If an account has this address, a link to choose a new password is on its way."
)


class SessionOut(msgspec.Struct):
    user: MeOut
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int

    @classmethod
    def of(cls, session: AuthSession) -> SessionOut:
        return cls(
            user=MeOut.of(session.user),
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            token_type=session.token_type,
            expires_in=session.expires_in,
        )


def forgot_after_answering(recovery: PasswordRecovery, email: str) -> BackgroundTask:
    """`recovery.forgot(email)` as a task run once the response is sent; a failure (the
    database down) is logged, and the person asks again."""

    async def forgot() -> None:
        try:
            await recovery.forgot(email)
        except Exception:
            log.exception("a password reset request could not be recorded")

    return BackgroundTask(forgot)


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/register", status_code=201)
    async def register(
        self,
        request: Request,  # type: ignore[type-arg]
        data: JSONBody[RegisterIn],
        authentication: NamedDependency[Authentication],
        auth_throttles: NamedDependency[AuthThrottles],
    ) -> SessionOut:
        await auth_throttles.check(request, data.email)
        session = await authentication.register(
            email=data.email,
            username=data.username,
            password=data.password,
            display_name=data.display_name,
        )
        return SessionOut.of(session)

    @post("/login", status_code=200)
    async def login(
        self,
        request: Request,  # type: ignore[type-arg]
        data: JSONBody[LoginIn],
        authentication: NamedDependency[Authentication],
        auth_throttles: NamedDependency[AuthThrottles],
    ) -> SessionOut:
        await auth_throttles.check(request, data.email)
        return SessionOut.of(await authentication.login(email=data.email, password=data.password))

    @post("/refresh", status_code=200)
    async def refresh(
        self, data: JSONBody[RefreshIn], authentication: NamedDependency[Authentication]
    ) -> SessionOut:
        return SessionOut.of(await authentication.refresh(data.refresh_token))

    @post("/logout", status_code=204)
    async def logout(
        self, data: JSONBody[RefreshIn], authentication: NamedDependency[Authentication]
    ) -> None:
        await authentication.logout(data.refresh_token)

    @post("/password/forgot", status_code=202)
    async def forgot_password(
        self,
        request: Request,  # type: ignore[type-arg]
        data: JSONBody[ForgotPasswordIn],
        password_recovery: NamedDependency[PasswordRecovery],
        auth_throttles: NamedDependency[AuthThrottles],
    ) -> Response[AcceptedOut]:
        """Always the same 202, whether the address has an account or not. The lookup and
        the reset's insert run after the answer has gone (a background task), so its timing
        does not tell the two apart either; the mail is sent from the outbox."""
        await auth_throttles.check(request, f"forgot:{data.email}")
        return Response(
            FORGOT_ANSWER,
            status_code=202,
            background=forgot_after_answering(password_recovery, data.email),
        )

    @post("/password/reset", status_code=204)
    async def reset_password(
        self,
        request: Request,  # type: ignore[type-arg]
        data: JSONBody[ResetPasswordIn],
        password_recovery: NamedDependency[PasswordRecovery],
        auth_throttles: NamedDependency[AuthThrottles],
    ) -> None:
        """Sets the new password, spends the token (a second use is a 400
        `reset_token_invalid`) and ends every session of the account."""
        await auth_throttles.check(request, f"reset:{data.token[:40]}")
        await password_recovery.reset(data.token, data.password)

    @get("/me", security=[{"BearerToken": []}])
    async def me(
        self, actor: NamedDependency[Actor], authentication: NamedDependency[Authentication]
    ) -> MeOut:
        return MeOut.of(await authentication.me(actor))
