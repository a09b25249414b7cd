"""Object storage in a dictionary: the fake the domain tests use. It keeps the contract of
the local and S3 adapters (tests/contract/test_object_storage.py)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime, timedelta

from showgeo_domain.assets.ports import ObjectInfo, ObjectMissing, UploadTarget


class MemoryObjectStorage:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> int:
        buffer = bytearray()
        async for chunk in chunks:  # a failing stream stores nothing
            buffer.extend(chunk)
        self.objects[key] = (bytes(buffer), content_type)
        return len(buffer)

    async def stat(self, key: str) -> ObjectInfo | None:
        found = self.objects.get(key)
        return ObjectInfo(len(found[0]), found[1]) if found else None

    async def read(
        self, key: str, *, start: int = 0, stop: int | None = None
    ) -> AsyncIterator[bytes]:
        found = self.objects.get(key)
        if found is None:
            raise ObjectMissing(key)
        data = found[0][start:stop]
        for offset in range(0, len(data), 65536):
            yield data[offset : offset + 65536]

    async def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    async def move(self, source: str, target: str) -> None:
        if source not in self.objects:
            raise ObjectMissing(source)
        self.objects[target] = self.objects.pop(source)

    async def download_url(
        self,
        key: str,
        *,
        expires_in: int,
        content_type: str,
        filename: str | None,
        inline: bool,
    ) -> str | None:
        return None

    async def upload_target(
        self, key: str, *, content_type: str, max_size: int, expires_in: int
    ) -> UploadTarget:
        """A URL nobody can reach: tests `put` the object themselves, as the client would."""
        return UploadTarget(
            url=f"memory:///{key}",
            headers={"Content-Type": content_type},
            expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
        )
