"""The gateway's metrics: sockets open in this process, frames pushed and frames dropped.

Counted by the hub in `push`, one increment per user reached whatever their number of
sockets, and never on a socket's own write path. In multiprocess mode the socket gauge is
summed over the live processes.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

OPEN_SOCKETS = Gauge(
    "showgeo_ws_open_sockets",
    "Notification WebSockets open.",
    multiprocess_mode="livesum",
)
FRAMES_SENT = Counter(
    "showgeo_ws_frames_sent",
    "Frames the hub handed to sockets (sent at once, or queued behind a slow client).",
)
FRAMES_DROPPED = Counter(
    "showgeo_ws_frames_dropped",
    "Frames the hub could not hand over: the socket was closing or too far behind.",
)
SLOW_SOCKETS_CLOSED = Counter(
    "showgeo_ws_slow_sockets_closed",
    "Sockets cut off (close code 1013) for falling WS_SEND_QUEUE_SIZE frames behind.",
)
