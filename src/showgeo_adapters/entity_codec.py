"""Entities as bytes for caches (msgspec JSON of their stored fields; events are not kept)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from showgeo_domain.entities.model import Entity, EntityKind


class _Stored(msgspec.Struct, array_like=True):
    id: UUID
    name: str
    slug: str
    kind: EntityKind
    created_at: datetime
    updated_at: datetime
    bio: str | None
    verified: bool
    verified_at: datetime | None
    verification_requested_at: datetime | None
    follower_count: int


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(_Stored)


def encode_entity(entity: Entity) -> bytes:
    return _ENCODER.encode(
        _Stored(
            entity.id,
            entity.name,
            entity.slug,
            entity.kind,
            entity.created_at,
            entity.updated_at,
            entity.bio,
            entity.verified,
            entity.verified_at,
            entity.verification_requested_at,
            entity.follower_count,
        )
    )


def decode_entity(data: bytes | str) -> Entity:
    s = _DECODER.decode(data)
    return Entity(
        id=s.id,
        name=s.name,
        slug=s.slug,
        kind=s.kind,
        created_at=s.created_at,
        updated_at=s.updated_at,
        bio=s.bio,
        verified=s.verified,
        verified_at=s.verified_at,
        verification_requested_at=s.verification_requested_at,
        follower_count=s.follower_count,
    )
