"""The gateway's wire format: every frame is `{"event": name, "data": {...}}` as JSON text."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from showgeo_domain.notifications.model import Notification

_encoder = msgspec.json.Encoder()


class ClientFrame(msgspec.Struct, forbid_unknown_fields=True):
    event: str
    data: dict[str, Any] = {}


class MarkRead(msgspec.Struct, forbid_unknown_fields=True):
    ids: list[UUID]


class Reauthenticate(msgspec.Struct, forbid_unknown_fields=True):
    token: str


def frame(event: str, data: dict[str, Any]) -> str:
    return _encoder.encode({"event": event, "data": data}).decode()


def connected(user_id: UUID, unread_count: int, expires_at: datetime) -> str:
    return frame(
        "connected",
        {"user_id": user_id, "unread_count": unread_count, "expires_at": expires_at},
    )


def notification(n: Notification) -> str:
    return frame(
        "notification",
        {
            "id": n.id,
            "kind": n.kind.value,
            "title": n.title,
            "body": n.body,
            "data": n.data,
            "entity_id": n.entity_id,
            "created_at": n.created_at,
        },
    )


def unread_count(count: int) -> str:
    return frame("unread_count", {"count": count})


def error(code: str, detail: str) -> str:
    return frame("error", {"code": code, "detail": detail})
