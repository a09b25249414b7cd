"""LiveKit as the media server: access tokens, RoomService and Ingress over Twirp, and
webhook verification, all through the `livekit-api` library."""

from showgeo_adapters.livekit.media import LiveKitMedia

__all__ = ["LiveKitMedia"]
