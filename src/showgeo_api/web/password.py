"""Forgot password and choose a new one, in the browser: the same use cases and throttle as
`POST /auth/password/forgot` and `/auth/password/reset`. The reset mail links to the second
page with the token in its query; the form carries it back in a hidden field."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from showgeo_api.http.errors import RateLimited
from showgeo_api.http.throttle import AuthThrottles
from showgeo_api.routes.auth import (
    FORGOT_ANSWER,
    ForgotPasswordIn,
    ResetPasswordIn,
    forgot_after_answering,
)
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode, form_values
from showgeo_domain.identity.services import PasswordRecovery
from showgeo_domain.shared.errors import DomainError


def _rate_limited(exc: RateLimited) -> FormErrors:
    return FormErrors(f"Too many attempts; try again in {exc.retry_after} s.", {}, "rate_limited")


class PasswordPages(Controller):
    path = "/app/password"

    @get("/forgot")
    async def forgot_form(self, ui: NamedDependency[Ui]) -> Template:
        return await ui.render("password_forgot.html", values={}, errors=FormErrors(), sent=None)

    @post("/forgot")
    async def forgot(
        self,
        request: Request[Any, Any, Any],
        ui: NamedDependency[Ui],
        auth_throttles: NamedDependency[AuthThrottles],
        password_recovery: NamedDependency[PasswordRecovery],
    ) -> Template:
        values = await form_values(request)
        try:
            data = decode(values, ForgotPasswordIn)
            await auth_throttles.check(request, f"forgot:{data.email}")
        except (DomainError, msgspec.ValidationError) as exc:
            errors = FormErrors.of(exc)
        except RateLimited as exc:
            errors = _rate_limited(exc)
        else:
            page = await ui.render(
                "password_forgot.html", values={}, errors=FormErrors(), sent=FORGOT_ANSWER.detail
            )
            page.background = forgot_after_answering(password_recovery, data.email)
            return page
        return await ui.render("password_forgot.html", values=values, errors=errors, sent=None)

    @get("/reset")
    async def reset_form(
        self, ui: NamedDependency[Ui], token: FromQuery[str | None] = None
    ) -> Template:
        return await ui.render(
            "password_reset.html", token=token or "", errors=FormErrors(), done=False
        )

    @post("/reset")
    async def reset(
        self,
        request: Request[Any, Any, Any],
        ui: NamedDependency[Ui],
        auth_throttles: NamedDependency[AuthThrottles],
        password_recovery: NamedDependency[PasswordRecovery],
    ) -> Template:
        values = await form_values(request)
        try:
            data = decode(values, ResetPasswordIn)
            await auth_throttles.check(request, f"reset:{data.token[:40]}")
            await password_recovery.reset(data.token, data.password)
        except (DomainError, msgspec.ValidationError) as exc:
            errors = FormErrors.of(exc)
        except RateLimited as exc:
            errors = _rate_limited(exc)
        else:
            return await ui.render("password_reset.html", token="", errors=FormErrors(), done=True)
        return await ui.render(
            "password_reset.html", token=values.get("token", ""), errors=errors, done=False
        )
