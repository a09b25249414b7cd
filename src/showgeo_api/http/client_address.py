"""Who is asking, as the streaming context's geo rules see it: the peer address and the
request headers (a trusted proxy's country or forwarded-for headers are read from them by
the locators the container chose)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from showgeo_domain.streaming.ports import ClientAddress


def client_address(request: Request[Any, Any, Any]) -> ClientAddress:
    peer = request.client.host if request.client else None
    return ClientAddress(peer, {k.lower(): v for k, v in request.headers.items()})
