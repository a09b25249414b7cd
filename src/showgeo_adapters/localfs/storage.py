"""Objects as files under one root folder.

Keys map to paths under the root and nowhere else: a key must be relative, made of plain
segments (no `..`, no backslashes, no NUL), and the resolved path must still lie inside the
root, so a crafted key cannot read or write outside it. Writes go to a temporary file beside
the target and are renamed into place only when the stream ended well: a failed or cut upload
leaves nothing, and readers never see half a file.

There is no web server in front of these files, so `download_url` is None (the API streams
them itself, with Range) and direct uploads go to the API's own `PUT /assets/uploads/{token}`
route, authorised by an HMAC-signed token this class issues and checks.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import anyio
import msgspec

from showgeo_domain.assets.ports import ObjectInfo, ObjectMissing, UploadTarget

CHUNK = 64 * 1024
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class InvalidKey(ValueError):
    """The key would leave the storage root or is not a plain relative path."""


class InvalidUploadToken(ValueError):
    """The upload token is forged, altered or expired."""


class UploadGrant(msgspec.Struct, frozen=True):
    """What a signed upload token allows: one object, of this content type, up to a size."""

    key: str
    content_type: str
    max_size: int
    expires: int
    """Unix seconds."""


class LocalObjectStorage:
    def __init__(self, root: Path | str, *, upload_base_url: str, secret: str) -> None:
        self.root = Path(root).resolve()
        self._upload_base_url = upload_base_url.rstrip("/")
        self._secret = hashlib.sha256(b"showgeo-asset-upload:" + secret.encode()).digest()

    def path_of(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(not _SEGMENT.fullmatch(p) for p in parts):
            raise InvalidKey(f"not a storage key: {key!r}")
        root = self.root
        path = root.joinpath(*parts).resolve()
        if not path.is_relative_to(root) or path == root:
            raise InvalidKey(f"not a storage key: {key!r}")
        return path

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> int:
        path = self.path_of(key)
        await anyio.Path(path.parent).mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        size = 0
        try:
            async with await anyio.open_file(partial, "wb") as out:
                async for chunk in chunks:
                    await out.write(chunk)
                    size += len(chunk)
            await anyio.Path(partial).rename(path)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.Path(partial).unlink(missing_ok=True)
                await self._prune(path.parent)
            raise
        return size

    async def stat(self, key: str) -> ObjectInfo | None:
        path = anyio.Path(self.path_of(key))
        try:
            info = await path.stat()
        except FileNotFoundError:
            return None
        return ObjectInfo(info.st_size) if await path.is_file() else None

    async def read(
        self, key: str, *, start: int = 0, stop: int | None = None
    ) -> AsyncIterator[bytes]:
        path = self.path_of(key)
        try:
            handle = await anyio.open_file(path, "rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise ObjectMissing(key) from exc
        async with handle:
            await handle.seek(start)
            left = None if stop is None else max(0, stop - start)
            while left is None or left > 0:
                chunk = await handle.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    break
                if left is not None:
                    left -= len(chunk)
                yield chunk

    async def delete(self, key: str) -> None:
        path = self.path_of(key)
        await anyio.Path(path).unlink(missing_ok=True)
        await self._prune(path.parent)

    async def move(self, source: str, target: str) -> None:
        origin, destination = self.path_of(source), self.path_of(target)
        await anyio.Path(destination.parent).mkdir(parents=True, exist_ok=True)
        try:
            await anyio.Path(origin).rename(destination)
        except FileNotFoundError as exc:
            raise ObjectMissing(source) from exc
        await self._prune(origin.parent)

    async def _prune(self, folder: Path) -> None:
        """Remove the object's folder once it is empty (never the root)."""
        if folder == self.root:
            return
        with contextlib.suppress(OSError):  # not empty, or already gone
            await anyio.Path(folder).rmdir()

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
        self.path_of(key)
        expires = int(time.time()) + expires_in
        grant = UploadGrant(key, content_type, max_size, expires)
        return UploadTarget(
            url=f"{self._upload_base_url}/assets/uploads/{self._sign(grant)}",
            headers={"Content-Type": content_type},
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    def _sign(self, grant: UploadGrant) -> str:
        body = base64.urlsafe_b64encode(msgspec.json.encode(grant)).rstrip(b"=")
        mac = hmac.new(self._secret, body, hashlib.sha256).digest()
        return f"{body.decode()}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    def check_upload(self, token: str, *, now: float | None = None) -> UploadGrant:
        """The grant a token carries, if this storage signed it and it has not expired."""
        body, _, mac = token.partition(".")
        try:
            given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
            expected = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(given, expected):
                raise InvalidUploadToken("the upload link is not valid")
            grant = msgspec.json.decode(
                base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), type=UploadGrant
            )
        except (ValueError, msgspec.DecodeError) as exc:
            raise InvalidUploadToken("the upload link is not valid") from exc
        if grant.expires < (time.time() if now is None else now):
            raise InvalidUploadToken("the upload link has expired")
        return grant


__all__ = ["InvalidKey", "InvalidUploadToken", "LocalObjectStorage", "UploadGrant"]
