from __future__ import annotations

from showgeo_domain.shared.errors import NotFound


class NotificationNotFound(NotFound):
    """Also what a user is told about someone else's notification: its existence is not leaked."""

    code = "notification_not_found"
