"""ObjectStorage on every implementation: the memory fake, local files and S3 (moto server).

Streams in, ranges out, nothing left by a failed stream, idempotent deletes; plus what only
one adapter does: local keys cannot escape the root, local upload tokens are signed, S3 URLs
are presigned with signature v4 and stream large objects as multipart uploads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from showgeo_adapters.localfs import InvalidKey, InvalidUploadToken, LocalObjectStorage
from showgeo_adapters.memory.objects import MemoryObjectStorage
from showgeo_adapters.s3 import S3ObjectStorage
from showgeo_domain.assets.ports import ObjectMissing, ObjectStorage
from tests.support.moto import moto_server, s3_storage

__all__ = ["moto_server"]

DATA = bytes(range(256)) * 1000  # 256 000 bytes


async def chunks(data: bytes, size: int = 10_000) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


class Broken(Exception):
    pass


async def broken_after(data: bytes) -> AsyncIterator[bytes]:
    async for chunk in chunks(data):
        yield chunk
    raise Broken


def local(tmp_path: Path) -> LocalObjectStorage:
    return LocalObjectStorage(
        tmp_path / "objects", upload_base_url="http://api.test", secret="s" * 40
    )


@pytest.fixture(params=["memory", "local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ObjectStorage]:
    if request.param == "memory":
        yield MemoryObjectStorage()
    elif request.param == "local":
        yield local(tmp_path)
    else:
        endpoint = request.getfixturevalue("moto_server")
        async with s3_storage(endpoint) as s3:
            yield s3


async def read_all(storage: ObjectStorage, key: str, **kwargs: int) -> bytes:
    return b"".join([c async for c in storage.read(key, **kwargs)])


async def test_a_stream_goes_in_and_comes_back(storage: ObjectStorage) -> None:
    size = await storage.put("assets/a/original", chunks(DATA), content_type="audio/wav")
    assert size == len(DATA)
    info = await storage.stat("assets/a/original")
    assert info is not None
    assert info.size == len(DATA)
    assert info.content_type in (None, "audio/wav")
    assert await read_all(storage, "assets/a/original") == DATA


async def test_ranges(storage: ObjectStorage) -> None:
    await storage.put("assets/a/original", chunks(DATA), content_type="audio/wav")
    assert await read_all(storage, "assets/a/original", start=1000, stop=1010) == DATA[1000:1010]
    assert await read_all(storage, "assets/a/original", start=255_990) == DATA[255_990:]
    assert await read_all(storage, "assets/a/original", start=5, stop=5) == b""
    assert await read_all(storage, "assets/a/original", stop=3) == DATA[:3]


async def test_an_empty_object(storage: ObjectStorage) -> None:
    assert await storage.put("assets/e/original", chunks(b""), content_type="audio/wav") == 0
    info = await storage.stat("assets/e/original")
    assert info is not None
    assert info.size == 0


async def test_a_failed_stream_leaves_nothing(storage: ObjectStorage) -> None:
    with pytest.raises(Broken):
        await storage.put("assets/b/original", broken_after(DATA), content_type="audio/wav")
    assert await storage.stat("assets/b/original") is None
    with pytest.raises(ObjectMissing):
        await read_all(storage, "assets/b/original")


async def test_a_failed_overwrite_keeps_the_old_object(storage: ObjectStorage) -> None:
    await storage.put("assets/c/original", chunks(b"old"), content_type="audio/wav")
    with pytest.raises(Broken):
        await storage.put("assets/c/original", broken_after(DATA), content_type="audio/wav")
    assert await read_all(storage, "assets/c/original") == b"old"


async def test_deletes_are_idempotent(storage: ObjectStorage) -> None:
    await storage.put("assets/d/original", chunks(b"x"), content_type="audio/wav")
    await storage.delete("assets/d/original")
    await storage.delete("assets/d/original")
    await storage.delete("assets/never/original")
    assert await storage.stat("assets/d/original") is None


async def test_moves(storage: ObjectStorage) -> None:
    await storage.put("uploads/m", chunks(DATA), content_type="audio/wav")
    await storage.put("assets/m/original", chunks(b"old"), content_type="audio/wav")
    await storage.move("uploads/m", "assets/m/original")
    assert await storage.stat("uploads/m") is None
    assert await read_all(storage, "assets/m/original") == DATA
    with pytest.raises(ObjectMissing):
        await storage.move("uploads/m", "assets/m/original")
    assert await read_all(storage, "assets/m/original") == DATA


async def test_upload_targets_are_put_urls(storage: ObjectStorage) -> None:
    target = await storage.upload_target(
        "assets/u/original", content_type="image/png", max_size=100, expires_in=60
    )
    assert target.method == "PUT"
    assert target.headers == {"Content-Type": "image/png"}
    assert target.url


# --- local files only ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "../outside",
        "assets/../../outside",
        "/etc/passwd",
        "assets//x",
        "assets/./x",
        "assets\\..\\x",
        "assets/x\x00",
        "",
        ".hidden/x",
    ],
)
async def test_local_keys_cannot_escape_the_root(tmp_path: Path, key: str) -> None:
    storage = local(tmp_path)
    with pytest.raises(InvalidKey):
        await storage.put(key, chunks(b"x"), content_type="image/png")
    with pytest.raises(InvalidKey):
        await storage.stat(key)
    assert not (tmp_path / "outside").exists()


async def test_local_writes_land_only_when_complete(tmp_path: Path) -> None:
    storage = local(tmp_path)
    with pytest.raises(Broken):
        await storage.put("assets/f/original", broken_after(DATA), content_type="audio/wav")
    assert list((tmp_path / "objects").rglob("*")) == [tmp_path / "objects" / "assets"]
    await storage.put("assets/f/original", chunks(DATA), content_type="audio/wav")
    await storage.delete("assets/f/original")
    assert not (tmp_path / "objects" / "assets" / "f").exists()  # empty folders go too


async def test_local_upload_tokens_are_signed_and_expire(tmp_path: Path) -> None:
    storage = local(tmp_path)
    target = await storage.upload_target(
        "assets/g/original", content_type="image/png", max_size=100, expires_in=60
    )
    assert target.url.startswith("http://api.test/assets/uploads/")
    token = target.url.rsplit("/", 1)[1]
    grant = storage.check_upload(token)
    assert (grant.key, grant.content_type, grant.max_size) == (
        "assets/g/original",
        "image/png",
        100,
    )
    body, _, mac = token.partition(".")
    for forged in (f"{body}.{mac[:-2]}AA", f"{body[:-2]}AA.{mac}", "garbage", ""):
        with pytest.raises(InvalidUploadToken):
            storage.check_upload(forged)
    with pytest.raises(InvalidUploadToken, match="expired"):
        storage.check_upload(token, now=grant.expires + 1)
    other = LocalObjectStorage(tmp_path, upload_base_url="http://api.test", secret="t" * 40)
    with pytest.raises(InvalidUploadToken):
        other.check_upload(token)


# --- S3 only ---------------------------------------------------------------------------------


async def test_s3_streams_big_objects_in_parts(moto_server: str) -> None:
    big = DATA * 50  # 12.8 MB: three parts of 5 MiB
    async with s3_storage(moto_server, part_size=5 * 1024 * 1024) as s3:
        assert await s3.put(
            "assets/h/original", chunks(big, 65536), content_type="video/mp4"
        ) == len(big)
        info = await s3.stat("assets/h/original")
        assert info is not None
        assert (info.size, info.content_type) == (len(big), "video/mp4")
        assert (
            await read_all(s3, "assets/h/original", start=6_000_000, stop=6_000_100)
            == big[6_000_000:6_000_100]
        )
        with pytest.raises(Broken):
            await s3.put("assets/i/original", broken_after(big), content_type="video/mp4")
        assert await s3.stat("assets/i/original") is None
        uploads = await (await s3._s3()).list_multipart_uploads(Bucket=s3.bucket)
        assert uploads.get("Uploads", []) == []  # the failed one was aborted


async def test_s3_presigned_urls_use_signature_v4(moto_server: str) -> None:
    async with s3_storage(moto_server) as s3:
        await s3.put("assets/j/original", chunks(b"%PDF-1.4 doc"), content_type="application/pdf")
        url = await s3.download_url(
            "assets/j/original",
            expires_in=120,
            content_type="application/pdf",
            filename="résumé.pdf",
            inline=False,
        )
        assert url is not None
        query = parse_qs(urlparse(url).query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert query["X-Amz-Expires"] == ["120"]
        assert query["response-content-disposition"][0].startswith("attachment; filename=")
        async with httpx.AsyncClient() as http:
            got = await http.get(url)
            assert got.status_code == 200
            assert got.content == b"%PDF-1.4 doc"
            assert got.headers["content-disposition"].startswith("attachment")

            target = await s3.upload_target(
                "assets/k/original", content_type="image/png", max_size=100, expires_in=60
            )
            assert "X-Amz-Signature" in target.url
            sent = await http.put(target.url, content=b"\x89PNG...", headers=target.headers)
            assert sent.status_code == 200
        info = await s3.stat("assets/k/original")
        assert info is not None
        assert info.size == len(b"\x89PNG...")


async def test_s3_is_an_s3_object_storage(moto_server: str) -> None:
    async with s3_storage(moto_server) as s3:
        assert isinstance(s3, S3ObjectStorage)
        assert await s3.ping() is True
