"""Dependencies shared by the controllers: the caller's identity and page parameters.

`viewer` is the caller when a bearer token is present (None otherwise); `actor` requires one
(401 without); `admin` requires the platform ADMIN role (403 without). A present but bad token
is always a 401, even on public routes, so clients learn their token is broken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from showgeo_domain.identity.errors import AdminOnly, InvalidAccessToken
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest

if TYPE_CHECKING:
    from showgeo_api.wiring.container import Container


async def provide_viewer(request: Request) -> Actor | None:  # type: ignore[type-arg]
    """The caller proven by `BearerAuthentication`, or None for anonymous requests."""
    user = request.scope.get("user")
    return user if isinstance(user, Actor) else None


async def provide_actor(viewer: NamedDependency[Actor | None]) -> Actor:
    if viewer is None:
        raise InvalidAccessToken("this route needs a bearer access token")
    return viewer


async def provide_admin(actor: NamedDependency[Actor]) -> Actor:
    if not actor.is_admin:
        raise AdminOnly("this route is for platform admins")
    return actor


async def provide_page(
    cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> PageRequest:
    return PageRequest.parse(cursor, limit)


# The hottest reads (`GET /events`, `GET /notifications`) take their services and caller
# straight from the request instead of through Litestar's dependency injection: with two or
# more dependencies at one level Litestar resolves them in an anyio task group, whose set-up
# and tasks showed up as a real share of these handlers' time when profiled (docs/benchmarks.md).
# The services are the container's singletons, bound once at start-up either way.


def container_of(request: Request[Any, Any, Any]) -> Container:
    """The application's container (`create_app` puts it in the app state)."""
    container: Container = request.app.state["container"]
    return container


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    """`provide_actor` without dependency injection: the caller proven by
    `BearerAuthentication`, or 401 `invalid_access_token`."""
    user = request.scope.get("user")
    if not isinstance(user, Actor):
        raise InvalidAccessToken("this route needs a bearer access token")
    return user
