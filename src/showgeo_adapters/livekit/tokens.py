"""Access tokens: what a participant may do in one room, signed with the API secret.

Viewers subscribe and send data (chat) but publish no media; hosts also publish. Tokens are
short-lived: they only have to last until the client connects (LiveKit refreshes the
connection's own token after that)."""

from __future__ import annotations

from livekit.api import AccessToken, VideoGrants

from showgeo_domain.streaming.policy import StreamRole
from showgeo_domain.streaming.ports import TokenRequest


def grants_for(room: str, role: StreamRole) -> VideoGrants:
    host = role is StreamRole.HOST
    return VideoGrants(
        room_join=True,
        room=room,
        can_subscribe=True,
        can_publish_data=True,
        can_publish=host,
    )


def issue_token(api_key: str, api_secret: str, request: TokenRequest) -> str:
    return (
        AccessToken(api_key, api_secret)
        .with_identity(request.identity)
        .with_name(request.name)
        .with_grants(grants_for(request.room, request.role))
        .with_ttl(request.ttl)
        .to_jwt()
    )
