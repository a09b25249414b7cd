"""The realtime half of notifications: the sockets this process holds (`hub`), what it hears
from the bus and pushes to them (`listener`), and the `/notifications` WebSocket
(`socket_route`)."""

from showgeo_api.gateway.hub import Connection, SocketHub
from showgeo_api.gateway.listener import RealtimeListener

__all__ = ["Connection", "RealtimeListener", "SocketHub"]
