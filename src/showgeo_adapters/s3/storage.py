"""Objects in an S3 bucket.

Uploads stream: the body is cut into parts of `part_size` (8 MiB) sent as a multipart upload,
so memory holds one part at most; a stream shorter than one part is a single PUT. If the
stream fails, the multipart upload is aborted and nothing appears under the key. Reads ask for
a byte range. Clients download and upload directly through presigned URLs (signature v4,
path-style addressing so any S3-compatible endpoint works).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import aioboto3
from botocore.config import Config
from botocore.exceptions import ClientError

from showgeo_domain.assets.ports import ObjectInfo, ObjectMissing, UploadTarget

MIN_PART = 5 * 1024 * 1024
CHUNK = 64 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


def content_disposition(filename: str | None, *, inline: bool) -> str:
    kind = "inline" if inline else "attachment"
    if not filename:
        return kind
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


class S3ObjectStorage:
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> None:
        if part_size < MIN_PART:
            raise ValueError("S3 parts must be at least 5 MiB")
        self.bucket = bucket
        self._part_size = part_size
        self._session = aioboto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self._client_args: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "config": Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        }
        self._stack: AsyncExitStack | None = None
        self._client: Any = None
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        """One client for the adapter's life (it holds the connection pool)."""
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    stack = AsyncExitStack()
                    self._client = await stack.enter_async_context(
                        self._session.client("s3", **self._client_args)
                    )
                    self._stack = stack
        return self._client

    async def aclose(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def ensure_bucket(self) -> None:
        s3 = await self._s3()
        try:
            await s3.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if not _missing(exc):
                raise
            await s3.create_bucket(Bucket=self.bucket)

    async def ping(self) -> bool:
        try:
            await (await self._s3()).head_bucket(Bucket=self.bucket)
        except Exception:
            return False
        return True

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> int:
        s3 = await self._s3()
        buffer = bytearray()
        source = aiter(chunks)
        async for chunk in source:
            buffer.extend(chunk)
            if len(buffer) >= self._part_size:
                return await self._put_multipart(s3, key, content_type, buffer, source)
        await s3.put_object(
            Bucket=self.bucket, Key=key, Body=bytes(buffer), ContentType=content_type
        )
        return len(buffer)

    async def _put_multipart(
        self,
        s3: Any,
        key: str,
        content_type: str,
        buffer: bytearray,
        rest: AsyncIterator[bytes],
    ) -> int:
        started = await s3.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type
        )
        upload_id = started["UploadId"]
        parts: list[dict[str, Any]] = []
        size = 0

        async def send(data: bytes) -> None:
            nonlocal size
            number = len(parts) + 1
            sent = await s3.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
            )
            parts.append({"ETag": sent["ETag"], "PartNumber": number})
            size += len(data)

        try:
            async for chunk in rest:
                buffer.extend(chunk)
                while len(buffer) >= self._part_size:
                    await send(bytes(buffer[: self._part_size]))
                    del buffer[: self._part_size]
            if buffer or not parts:
                await send(bytes(buffer))
            await s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            await asyncio.shield(
                s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            )
            raise
        return size

    async def stat(self, key: str) -> ObjectInfo | None:
        s3 = await self._s3()
        try:
            head = await s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return ObjectInfo(int(head["ContentLength"]), head.get("ContentType"))

    async def read(
        self, key: str, *, start: int = 0, stop: int | None = None
    ) -> AsyncIterator[bytes]:
        if stop is not None and stop <= start:
            if await self.stat(key) is None:
                raise ObjectMissing(key)
            return
        s3 = await self._s3()
        byte_range = f"bytes={start}-{'' if stop is None else stop - 1}"
        try:
            found = await s3.get_object(Bucket=self.bucket, Key=key, Range=byte_range)
        except ClientError as exc:
            if _missing(exc):
                raise ObjectMissing(key) from exc
            if str(exc.response.get("Error", {}).get("Code")) == "InvalidRange":
                return  # start at or past the end: nothing to read
            raise
        body = found["Body"]
        try:
            while chunk := await body.read(CHUNK):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        await (await self._s3()).delete_object(Bucket=self.bucket, Key=key)

    async def move(self, source: str, target: str) -> None:
        """Server-side copy then delete (a single copy covers objects up to 5 GB, more than
        any kind's limit)."""
        s3 = await self._s3()
        try:
            await s3.copy_object(
                Bucket=self.bucket,
                Key=target,
                CopySource={"Bucket": self.bucket, "Key": source},
                MetadataDirective="COPY",
            )
        except ClientError as exc:
            if _missing(exc):
                raise ObjectMissing(source) from exc
            raise
        await s3.delete_object(Bucket=self.bucket, Key=source)

    async def download_url(
        self,
        key: str,
        *,
        expires_in: int,
        content_type: str,
        filename: str | None,
        inline: bool,
    ) -> str | None:
        s3 = await self._s3()
        url: str = await s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition(filename, inline=inline),
            },
            ExpiresIn=expires_in,
        )
        return url

    async def upload_target(
        self, key: str, *, content_type: str, max_size: int, expires_in: int
    ) -> UploadTarget:
        """A presigned PUT. S3 cannot cap a presigned PUT's size; `complete` checks it and
        removes an object over the limit."""
        s3 = await self._s3()
        url: str = await s3.generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=expires_in,
        )
        return UploadTarget(
            url=url,
            headers={"Content-Type": content_type},
            expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
        )
