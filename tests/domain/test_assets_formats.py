"""Formats come from the content (real small files made here), never from names; active
content is refused; sizes are limited per kind; file names never become paths."""

from __future__ import annotations

import pytest

from showgeo_adapters.magic import PureMagicSniffer
from showgeo_domain.assets.errors import AssetTooLarge, EmptyUpload, UnsupportedMediaType
from showgeo_domain.assets.formats import AssetKind, choose_format
from showgeo_domain.assets.model import MB, SizeLimits, clean_filename
from tests.support import media

sniffer = PureMagicSniffer()


@pytest.mark.parametrize(
    ("data", "content_type", "kind"),
    [
        (media.png(), "image/png", AssetKind.IMAGE),
        (media.image("JPEG"), "image/jpeg", AssetKind.IMAGE),
        (media.image("WEBP"), "image/webp", AssetKind.IMAGE),
        (media.image("GIF"), "image/gif", AssetKind.IMAGE),
        (media.wav(), "audio/wav", AssetKind.AUDIO),
        (media.pdf(), "application/pdf", AssetKind.DOCUMENT),
        (media.mp4(), "video/mp4", AssetKind.VIDEO),
        (media.webm(), "video/webm", AssetKind.VIDEO),
    ],
)
def test_real_files_are_recognised_by_their_bytes(data, content_type, kind) -> None:
    found = choose_format(sniffer.candidates(data))
    assert (found.content_type, found.kind) == (content_type, kind)
    assert found.inline is (kind is not AssetKind.DOCUMENT)


@pytest.mark.parametrize("data", [media.SVG, media.HTML])
def test_active_content_is_refused(data: bytes) -> None:
    with pytest.raises(UnsupportedMediaType, match="active content"):
        choose_format(sniffer.candidates(data))


def test_text_named_png_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType):
        choose_format(sniffer.candidates(media.TEXT))


def test_the_announced_kind_must_match_the_content() -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        choose_format(sniffer.candidates(media.wav()), AssetKind.IMAGE)
    assert caught.value.field == "kind"
    assert choose_format(sniffer.candidates(media.wav()), AssetKind.AUDIO).kind is AssetKind.AUDIO


def test_aliases_and_parameters_are_normalised() -> None:
    assert choose_format(["audio/x-wav"]).content_type == "audio/wav"
    assert choose_format(["Image/PNG; charset=binary"]).content_type == "image/png"
    assert choose_format(["", "application/ogg"]).content_type == "audio/ogg"


def test_size_limits_per_kind() -> None:
    limits = SizeLimits()
    assert (limits.image, limits.audio, limits.document, limits.video) == (
        20 * MB,
        200 * MB,
        50 * MB,
        2048 * MB,
    )
    limits.check(AssetKind.IMAGE, 20 * MB)
    with pytest.raises(AssetTooLarge):
        limits.check(AssetKind.IMAGE, 20 * MB + 1)
    with pytest.raises(EmptyUpload):
        limits.check(AssetKind.AUDIO, 0)
    assert SizeLimits(image=10).of(AssetKind.IMAGE) == 10


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("photo.png", "photo.png"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("..", None),
        ("/", None),
        ('we"ird\x00name.pdf', "weirdname.pdf"),
        (None, None),
    ],
)
def test_file_names_are_reduced_to_a_display_name(raw, clean) -> None:
    assert clean_filename(raw) == clean
