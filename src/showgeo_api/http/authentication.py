"""Bearer-token authentication for every route.

Runs before routing's handlers: a request without a token is anonymous (`scope["user"]` is
None) and the handler's dependencies decide whether that is enough; a request *with* a token
that does not verify is refused with 401 on every route, public ones included, so a client
learns its token is broken instead of silently seeing the anonymous view.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Scope

from showgeo_domain.identity.errors import InvalidAccessToken
from showgeo_domain.identity.services import Authentication


def _authorization(scope: Scope) -> str | None:
    """The Authorization header read straight from the ASGI scope: `connection.headers`
    parses every header of the request into a multidict first, a cost that shows in a
    profile of a loaded worker (docs/benchmarks.md), for the one header this middleware
    needs."""
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            return bytes(value).decode("latin-1")
    return None


def bearer_token(connection: ASGIConnection) -> str | None:  # type: ignore[type-arg]
    """The token from `Authorization: Bearer …`, or from `?token=` on WebSockets (browsers
    cannot set headers on a WebSocket handshake)."""
    header = _authorization(connection.scope)
    if header is None:
        if connection.scope["type"] == ScopeType.WEBSOCKET:
            return connection.query_params.get("token")
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidAccessToken("Authorization must be 'Bearer <access token>'")
    return token.strip()


class BearerAuthentication(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, authentication: Callable[[], Authentication]) -> None:
        super().__init__(app)
        self._authentication = authentication

    async def authenticate_request(
        self,
        connection: ASGIConnection,  # type: ignore[type-arg]
    ) -> AuthenticationResult:
        token = bearer_token(connection)
        if token is None:
            return AuthenticationResult(user=None, auth=None)
        actor = self._authentication().authenticate(token)
        return AuthenticationResult(user=actor, auth=token)
