"""Assets through HTTP on S3 (moto server): uploads stream to the bucket, content is a 307 to
a short-lived presigned URL (only after the access check), direct uploads go straight to S3."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from litestar.testing import AsyncTestClient

from showgeo_adapters.s3 import S3ObjectStorage
from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import FAST_ARGON2, assert_problem, register
from tests.support import media
from tests.support.moto import ACCESS_KEY, REGION, SECRET_KEY, moto_server

__all__ = ["moto_server"]


@pytest.fixture
async def client(moto_server: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    bucket = f"api-{uuid.uuid4().hex[:12]}"
    settings = Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'api.db'}",
        auto_migrate=True,
        s3_bucket=bucket,
        s3_endpoint_url=moto_server,
        s3_region=REGION,
        s3_access_key_id=ACCESS_KEY,
        s3_secret_access_key=SECRET_KEY,
        asset_download_ttl_seconds=60,
        **FAST_ARGON2,  # type: ignore[arg-type]
    )
    app = create_app(settings)
    storage = app.state["container"].object_storage()
    assert isinstance(storage, S3ObjectStorage)
    async with AsyncTestClient(app=app) as test_client:
        test_client.blocking_portal.call(storage.ensure_bucket)
        yield test_client


async def test_content_is_a_presigned_redirect_after_the_check(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    stranger = await register(client, "stranger")
    document = media.pdf()
    made = await client.post(
        "/assets",
        data={"visibility": "PRIVATE"},
        files={"file": ("notes.pdf", document, "application/pdf")},
        headers=owner.headers,
    )
    assert made.status_code == 201, made.text
    url = made.json()["content_url"]
    assert_problem(await client.get(url, headers=stranger.headers), 404)

    redirect = await client.get(url, headers=owner.headers, follow_redirects=False)
    assert redirect.status_code == 307
    location = redirect.headers["location"]
    query = parse_qs(urlparse(location).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["60"]
    assert redirect.headers["cache-control"] == "private, no-store"
    async with httpx.AsyncClient() as http:
        fetched = await http.get(location)
    assert fetched.status_code == 200
    assert fetched.content == document
    assert fetched.headers["content-disposition"].startswith('attachment; filename="notes.pdf"')


async def test_a_direct_upload_to_s3(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    song = media.wav(0.2)
    body = {"kind": "AUDIO", "visibility": "PUBLIC", "size": len(song), "content_type": "audio/wav"}
    started = await client.post("/assets/uploads", json=body, headers=owner.headers)
    assert started.status_code == 201, started.text
    asset, target = started.json()["asset"], started.json()["upload"]
    assert "X-Amz-Signature" in target["url"]
    # The local upload route is not offered when S3 takes the uploads.
    assert_problem(await client.put("/assets/uploads/x.y", content=song), 404)
    async with httpx.AsyncClient() as http:
        sent = await http.put(target["url"], content=song, headers=target["headers"])
    assert sent.status_code == 200, sent.text
    done = await client.post(f"/assets/{asset['id']}/complete", headers=owner.headers)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["content_type"]) == ("READY", "audio/wav")
    redirect = await client.get(done.json()["content_url"], follow_redirects=False)
    assert redirect.status_code == 307
    async with httpx.AsyncClient() as http:
        assert (await http.get(redirect.headers["location"])).content == song
