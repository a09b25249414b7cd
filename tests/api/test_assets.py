"""Assets through HTTP on the local storage: streamed multipart uploads, variants made by the
in-process worker, Range downloads, access per visibility, direct uploads through the local
signed URL, deletes; and bad input that leaves nothing behind."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.settings import Settings
from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import create_entity
from tests.support import media


@pytest.fixture
def assets_dir(tmp_path: Path) -> Path:
    return tmp_path / "assets"


@pytest.fixture
def settings(settings: Settings, assets_dir: Path) -> Settings:
    return msgspec.structs.replace(
        settings, assets_local_dir=str(assets_dir), asset_max_audio_bytes=50_000
    )


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def upload(
    client: AsyncTestClient,
    by: Account,
    data: bytes,
    *,
    filename: str = "file.bin",
    visibility: str = "PUBLIC",
    **fields: str,
) -> Any:
    return await client.post(
        "/assets",
        data={"visibility": visibility, **fields},
        files={"file": (filename, data, "application/octet-stream")},
        headers=by.headers,
    )


async def uploaded(client: AsyncTestClient, by: Account, data: bytes, **kwargs: Any) -> dict:
    response = await upload(client, by, data, **kwargs)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def until_settled(client: AsyncTestClient, by: Account, asset_id: str) -> dict:
    """The asset once the worker has taken it out of PROCESSING."""
    for _ in range(250):
        found = (await client.get(f"/assets/{asset_id}", headers=by.headers)).json()
        if found["status"] != "PROCESSING":
            return dict(found)
        await asyncio.sleep(0.02)
    raise AssertionError("the asset stayed PROCESSING")


async def test_an_image_gets_variants_off_the_request(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    made = await uploaded(client, ana, media.jpeg_rotated(), filename="../../me.jpg")
    assert (made["kind"], made["status"], made["content_type"]) == (
        "IMAGE",
        "PROCESSING",
        "image/jpeg",
    )
    assert made["filename"] == "me.jpg"
    assert made["size"] == len(media.jpeg_rotated())

    ready = await until_settled(client, ana, made["id"])
    assert ready["status"] == "READY"
    assert (ready["width"], ready["height"]) == (20, 60)
    by_name = {v["name"]: v for v in ready["variants"]}
    assert set(by_name) == {"thumbnail", "display"}
    thumb = await client.get(by_name["thumbnail"]["url"])
    assert thumb.status_code == 200, thumb.text
    assert thumb.headers["content-type"] == "image/webp"
    assert thumb.content[8:12] == b"WEBP"
    assert b"SecretCam" not in thumb.content
    assert thumb.headers["x-content-type-options"] == "nosniff"

    original = await client.get(ready["content_url"])
    assert original.status_code == 200
    assert original.content == media.jpeg_rotated()
    assert original.headers["content-disposition"].startswith("inline")


async def test_audio_is_streamed_with_ranges(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    song = media.wav(0.5)
    made = await uploaded(client, ana, song, filename="song.wav")
    assert (made["kind"], made["status"]) == ("AUDIO", "READY")
    url = made["content_url"]

    whole = await client.get(url)
    assert (whole.status_code, whole.headers["accept-ranges"]) == (200, "bytes")
    assert whole.content == song
    assert whole.headers["content-length"] == str(len(song))

    part = await client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == song[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(song)}"

    tail = await client.get(url, headers={"Range": "bytes=-10"})
    assert (tail.status_code, tail.content) == (206, song[-10:])
    opened = await client.get(url, headers={"Range": f"bytes={len(song) - 5}-"})
    assert (opened.status_code, opened.content) == (206, song[-5:])

    beyond = await client.get(url, headers={"Range": f"bytes={len(song)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(song)}"


async def test_video_seeks(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    clip = media.mp4(20_000)
    made = await uploaded(client, ana, clip, filename="clip.mp4", kind="VIDEO")
    assert (made["kind"], made["content_type"], made["status"]) == ("VIDEO", "video/mp4", "READY")
    middle = await client.get(made["content_url"], headers={"Range": "bytes=10000-10099"})
    assert (middle.status_code, middle.content) == (206, clip[10000:10100])
    assert middle.headers["content-type"] == "video/mp4"


async def test_uploads_are_not_held_to_the_json_body_limit(client: AsyncTestClient) -> None:
    """The app caps request bodies at MAX_REQUEST_BODY_BYTES (1 MiB); uploads stream past it
    up to their kind's own limit, multipart and direct alike."""
    ana = await register(client, "ana")
    document = media.pdf() + bytes(3 * 1024 * 1024)
    made = await uploaded(client, ana, document, filename="big.pdf")
    assert made["size"] == len(document)
    body = {
        "kind": "DOCUMENT",
        "visibility": "PUBLIC",
        "size": len(document),
        "content_type": "application/pdf",
    }
    started = (await client.post("/assets/uploads", json=body, headers=ana.headers)).json()
    path = started["upload"]["url"].removeprefix("http://127.0.0.1:8000")
    sent = await client.put(path, content=document, headers=started["upload"]["headers"])
    assert sent.status_code == 200, sent.text
    done = await client.post(f"/assets/{started['asset']['id']}/complete", headers=ana.headers)
    assert done.json()["size"] == len(document)


async def test_documents_are_attachments(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    made = await uploaded(client, ana, media.pdf(), filename="notes.pdf")
    got = await client.get(made["content_url"])
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith('attachment; filename="notes.pdf"')
    assert "sandbox" in got.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("data", "fields", "status", "code"),
    [
        (b"", {}, 400, "empty_upload"),
        (media.TEXT, {"kind": "IMAGE"}, 415, "unsupported_media_type"),
        (media.TEXT, {}, 415, "unsupported_media_type"),
        (media.SVG, {}, 415, "unsupported_media_type"),
        (media.HTML, {}, 415, "unsupported_media_type"),
        (media.wav(), {"kind": "IMAGE"}, 415, "unsupported_media_type"),
        (media.wav(5.0), {}, 413, "asset_too_large"),
        (media.truncated_png(), {}, 400, "invalid_image"),
        (media.bomb_png(), {}, 400, "invalid_image"),
        (media.png(), {"visibility": "SECRET"}, 400, "invalid_input"),
        (media.png(), {"kind": "SPREADSHEET"}, 400, "invalid_input"),
        (media.png(), {"visibility": "FOLLOWERS"}, 400, "invalid_input"),
        (media.png(), {"entity_id": "not-a-uuid"}, 400, "invalid_input"),
    ],
)
async def test_bad_uploads_are_4xx_and_leave_nothing(
    client: AsyncTestClient, assets_dir: Path, data: bytes, fields: dict, status: int, code: str
) -> None:
    ana = await register(client, "ana")
    fields = {"visibility": "PUBLIC", **fields}
    response = await upload(client, ana, data, filename="innocent.png", **fields)
    assert_problem(response, status, code)
    assert stored_files(assets_dir) == []


async def test_malformed_requests(client: AsyncTestClient, assets_dir: Path) -> None:
    ana = await register(client, "ana")
    no_form = await client.post("/assets", content=media.png(), headers=ana.headers)
    assert_problem(no_form, 400, "invalid_input")
    no_file = await client.post("/assets", data={"visibility": "PUBLIC"}, headers=ana.headers)
    assert_problem(no_file, 400)
    anonymous = await client.post(
        "/assets", data={"visibility": "PUBLIC"}, files={"file": ("a.png", media.png())}
    )
    assert_problem(anonymous, 401)
    assert stored_files(assets_dir) == []


async def test_access_follows_the_visibility(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    fan = await register(client, "fan")
    stranger = await register(client, "stranger")
    entity = await create_entity(client, owner, "owls")
    follow = await client.put(f"/entities/{entity['id']}/follow", headers=fan.headers)
    assert follow.status_code == 200, follow.text

    backstage = await uploaded(
        client, owner, media.wav(), visibility="FOLLOWERS", entity_id=entity["id"]
    )
    private = await uploaded(client, owner, media.pdf(), visibility="PRIVATE")
    url = backstage["content_url"]
    assert (await client.get(url, headers=fan.headers)).status_code == 200
    assert (await client.get(url, headers=owner.headers)).status_code == 200
    refused = assert_problem(await client.get(url, headers=stranger.headers), 403)
    assert refused["reason"] == "not_following"
    assert assert_problem(await client.get(url), 403)["reason"] == "not_signed_in"
    assert (await client.get(f"/assets/{backstage['id']}", headers=fan.headers)).status_code == 200

    for who in (fan, stranger):
        assert_problem(await client.get(private["content_url"], headers=who.headers), 404)
        assert_problem(await client.get(f"/assets/{private['id']}", headers=who.headers), 404)
    assert (await client.get(private["content_url"], headers=owner.headers)).status_code == 200

    other = await register(client, "other")
    not_member = await upload(
        client, other, media.wav(), visibility="FOLLOWERS", entity_id=entity["id"]
    )
    assert_problem(not_member, 403)


async def test_delete(client: AsyncTestClient, assets_dir: Path) -> None:
    ana = await register(client, "ana")
    bob = await register(client, "bob")
    made = await uploaded(client, ana, media.png())
    await until_settled(client, ana, made["id"])
    assert len(stored_files(assets_dir)) == 3  # original, thumbnail, display
    assert_problem(await client.delete(f"/assets/{made['id']}", headers=bob.headers), 403)
    gone = await client.delete(f"/assets/{made['id']}", headers=ana.headers)
    assert gone.status_code == 204, gone.text
    assert stored_files(assets_dir) == []
    assert_problem(await client.get(f"/assets/{made['id']}"), 404)
    assert_problem(await client.delete(f"/assets/{made['id']}", headers=ana.headers), 404)


async def test_a_direct_upload_through_the_local_signed_url(
    client: AsyncTestClient, assets_dir: Path
) -> None:
    ana = await register(client, "ana")
    song = media.wav(0.5)
    body = {"kind": "AUDIO", "visibility": "PUBLIC", "size": len(song), "content_type": "audio/wav"}
    started = await client.post("/assets/uploads", json=body, headers=ana.headers)
    assert started.status_code == 201, started.text
    asset, target = started.json()["asset"], started.json()["upload"]
    assert asset["status"] == "AWAITING_UPLOAD"
    assert target["method"] == "PUT"
    assert target["url"].startswith("http://127.0.0.1:8000/assets/uploads/")
    path = target["url"].removeprefix("http://127.0.0.1:8000")

    early = await client.post(f"/assets/{asset['id']}/complete", headers=ana.headers)
    assert_problem(early, 400, "upload_not_finished")

    assert_problem(await client.put(path, content=song, headers={"Content-Type": "text/html"}), 403)
    assert_problem(
        await client.put(path[:-3] + "xyz", content=song, headers=target["headers"]), 403
    )
    sent = await client.put(path, content=song, headers=target["headers"])
    assert sent.status_code == 200, sent.text

    done = await client.post(f"/assets/{asset['id']}/complete", headers=ana.headers)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["size"]) == ("READY", len(song))
    # The link still works, but what it writes now is never served.
    await client.put(path, content=media.HTML, headers=target["headers"])
    assert (await client.get(done.json()["content_url"])).content == song


async def test_direct_uploads_are_checked(client: AsyncTestClient, assets_dir: Path) -> None:
    ana = await register(client, "ana")
    too_big = {"kind": "AUDIO", "visibility": "PUBLIC", "size": 60_000, "content_type": "audio/wav"}
    assert_problem(await client.post("/assets/uploads", json=too_big, headers=ana.headers), 413)

    body = {"kind": "IMAGE", "visibility": "PUBLIC", "size": 100, "content_type": "image/png"}
    started = (await client.post("/assets/uploads", json=body, headers=ana.headers)).json()
    path = started["upload"]["url"].removeprefix("http://127.0.0.1:8000")
    sent = await client.put(path, content=media.TEXT, headers=started["upload"]["headers"])
    assert sent.status_code == 200
    refused = await client.post(f"/assets/{started['asset']['id']}/complete", headers=ana.headers)
    assert_problem(refused, 415)
    assert stored_files(assets_dir) == []
    assert_problem(await client.get(f"/assets/{started['asset']['id']}", headers=ana.headers), 404)
