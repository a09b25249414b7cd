"""What every page handler gets: the browser's identity and a `render` that fills the
layout (user, unread badge, CSRF token).

Pages take the use cases they call as handler parameters, by the names and types the JSON
routes use (`entities: NamedDependency[Entities]`, see `wiring/dependencies.py`); nothing here
decides a business rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.response import Template

from showgeo_api.web.session import cookie_jar, identify
from showgeo_domain.identity.model import Actor, User
from showgeo_domain.identity.services import Authentication
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.shared.errors import DomainError


class LoginRequired(Exception):
    """A page that needs a signed-in browser was opened without one."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass
class Ui:
    request: Request[Any, Any, Any]
    notifications: Notifications
    actor: Actor | None
    access_token: str | None
    user: User | None

    def require(self) -> Actor:
        """The signed-in actor, or a redirect to the login page that comes back here."""
        if self.actor is None:
            raise LoginRequired(local_path(self.request.url.path))
        return self.actor

    def sign_out(self) -> None:
        cookie_jar(self.request).clear()

    async def render(self, template: str, *, status: int = 200, **context: Any) -> Template:
        unread = 0
        if self.actor is not None:
            unread = await self.notifications.unread_count(self.actor)
        return Template(
            template_name=template,
            context={"me": self.user, "actor": self.actor, "unread": unread, **context},
            status_code=status,
        )


def local_path(raw: str | None, default: str = "/") -> str:
    """`raw` if it is a path on this site (never `//other.host` or a full URL): where a login
    may send the browser back to."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return default


async def provide_ui(
    request: Request[Any, Any, Any],
    authentication: NamedDependency[Authentication],
    notifications: NamedDependency[Notifications],
) -> Ui:
    identity = await identify(request, authentication)
    user = None
    if identity.actor is not None:
        try:
            user = await authentication.me(identity.actor)
        except DomainError:  # the account is gone: treat the browser as signed out
            cookie_jar(request).clear()
            return Ui(request, notifications, None, None, None)
    ui = Ui(request, notifications, identity.actor, identity.access_token, user)
    request.state.web_ui = ui  # for the error pages' navigation
    return ui
