"""The browser app: one router for the pages (`/` and `/app/...`), static files (`/static`)
and the Jinja template configuration. `create_app` adds `web_routes(settings)` to its route
handlers and `template_config()` to the app; nothing of the JSON API changes.

The page router alone carries the CSRF check (double submit, Litestar's `CSRFMiddleware`),
the session-cookie writer with the pages' CSP, and HTML error pages.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from litestar import Request, Response, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ControllerRouterHandler

from showgeo_api.settings import Settings
from showgeo_api.web.account import AccountPages
from showgeo_api.web.auth import AuthPages
from showgeo_api.web.context import LoginRequired, local_path, provide_ui
from showgeo_api.web.dashboard import AdminPages, DashboardPages
from showgeo_api.web.entities import EntityPages
from showgeo_api.web.events import EventPages
from showgeo_api.web.home import HomePage
from showgeo_api.web.manage import MANAGE_PAGES
from showgeo_api.web.notifications import NotificationPages
from showgeo_api.web.password import PasswordPages
from showgeo_api.web.session import SessionCookiesMiddleware, secure_cookies
from showgeo_api.web.store import StorePages
from showgeo_api.web.tickets import TicketPages
from showgeo_domain.shared.errors import DomainError, NotFound, PermissionDenied

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
CSRF_COOKIE = "sg_csrf"
CSRF_HEADER = "x-csrf-token"

PAGES: list[ControllerRouterHandler] = [
    HomePage,
    AuthPages,
    EntityPages,
    EventPages,
    StorePages,
    NotificationPages,
    TicketPages,
    DashboardPages,
    AdminPages,
    *MANAGE_PAGES,
    AccountPages,
    PasswordPages,
]


def csrf_config(settings: Settings) -> CSRFConfig:
    """The token is signed with a key derived from JWT_SECRET (one secret to rotate); the
    cookie is HttpOnly because pages carry the token themselves (forms and a meta tag)."""
    secret = hashlib.sha256(f"showgeo-web-csrf:{settings.jwt_secret}".encode()).hexdigest()
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=secure_cookies(settings),
    )


def _login_redirect(request: Request[Any, Any, Any], exc: LoginRequired) -> Response[Any]:
    """To the login page, which comes back to the page the person was on: the page itself
    for a GET, the page the form was on for a POST (the POST route has no page)."""
    back = exc.next_path
    if request.method != "GET":
        referer = urlparse(request.headers.get("referer", ""))
        same_site = referer.netloc == request.headers.get("host")
        back = local_path(referer.path if same_site else None)
    target = f"/app/login?next={quote(back, safe='/')}"
    if request.headers.get("hx-request"):
        return Response(content="", status_code=200, headers={"HX-Redirect": target})
    if request.method != "GET" and "text/html" not in request.headers.get("accept", ""):
        # the pages' own fetch calls (socket token) learn they are signed out
        return Response(content={"detail": "sign in first"}, status_code=401)
    return Redirect(path=target, status_code=303)


def _error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Refusals on a page render as a page saying why (the problem's `detail`), with the
    status the API would answer."""
    if isinstance(exc, DomainError):
        status = (
            404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied) else 400
        )
        detail = exc.detail
    elif isinstance(exc, HTTPException):
        status, detail = exc.status_code, exc.detail
    else:
        raise exc
    ui = getattr(request.state, "web_ui", None)
    return Template(
        template_name="error.html",
        context={
            "status": status,
            "detail": detail,
            "me": ui.user if ui else None,
            "actor": ui.actor if ui else None,
            "unread": 0,
        },
        status_code=status,
    )


def web_routes(settings: Settings) -> list[ControllerRouterHandler]:
    pages = Router(
        path="/",
        route_handlers=PAGES,
        dependencies={"ui": Provide(provide_ui)},
        middleware=[
            DefineMiddleware(CSRFMiddleware, config=csrf_config(settings)),
            SessionCookiesMiddleware,
        ],
        exception_handlers={
            LoginRequired: _login_redirect,
            DomainError: _error_page,
            HTTPException: _error_page,
        },
        include_in_schema=False,
        opt={"exclude_from_auth": True},
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        include_in_schema=False,
        opt={"exclude_from_auth": True},
        cache_control=None,
    )
    return [pages, static]


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine)
