"""Auth: registration, login, rotating refresh tokens, logout, and who am I."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import Meta

from showgeo_api.http.throttle import AuthThrottles
from showgeo_api.routes.schemas import MeOut
from showgeo_domain.identity.model import DISPLAY_NAME_MAX, EMAIL_MAX, PASSWORD_MAX, Actor
from showgeo_domain.identity.services import Authentication, AuthSession

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

    @get("/me", security=[{"BearerToken": []}])
    async def me(
        self, actor: NamedDependency[Actor], authentication: NamedDependency[Authentication]
    ) -> MeOut:
        return MeOut.of(await authentication.me(actor))
