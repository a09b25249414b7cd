from __future__ import annotations

from showgeo_domain.shared.errors import DomainError, NotFound, PermissionDenied


class StreamNotFound(NotFound):
    """The event has no stream: its team has not set one up with `PUT /events/{id}/stream`."""

    code = "stream_not_found"


class StreamAccessRefused(PermissionDenied):
    """The access policy said no; `reason` (a `RefusalReason`) tells the client why, so it
    can offer the way in (log in, follow, buy a ticket) or say the stream is not on."""

    code = "stream_access_refused"


class MediaServerUnavailable(DomainError):
    """The media server failed or refused a call; nothing was changed there by this call."""

    code = "media_server_error"
