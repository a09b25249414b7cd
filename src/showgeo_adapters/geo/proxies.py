"""Which peers may speak for the client.

A header saying where the client is (or which address it has) is only believed when the
connection comes from a proxy the operator configured: anyone else could write it and walk
through a geofence."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxies:
    def __init__(self, networks: Iterable[str] = ()) -> None:
        """`networks`: addresses or CIDR blocks (`10.0.0.0/8`, `::1`); a bad one raises
        ValueError naming it (settings report it at start)."""
        self._networks: list[Network] = []
        for raw in networks:
            try:
                self._networks.append(ipaddress.ip_network(raw.strip(), strict=False))
            except ValueError as exc:
                raise ValueError(f"not an address or network: {raw!r}") from exc

    def __bool__(self) -> bool:
        return bool(self._networks)

    def trusts(self, peer: str | None) -> bool:
        address = parse_address(peer)
        return address is not None and any(address in net for net in self._networks)

    def client_address(self, peer: str | None, forwarded_for: str | None) -> str | None:
        """The client's address: the peer itself, or, when the peer is a trusted proxy,
        the right-most address in `X-Forwarded-For` that is not one of our proxies (the
        left part is whatever the client chose to send)."""
        if not self.trusts(peer) or not forwarded_for:
            return peer
        for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
            if parse_address(hop) is None:
                return None  # garbage in the chain: better unknown than wrong
            if not self.trusts(hop):
                return hop
        return peer
