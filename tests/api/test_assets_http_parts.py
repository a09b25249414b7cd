"""The two HTTP pieces the asset routes rely on, without the app: Range parsing, and the
streaming multipart reader fed in chunks of every size (boundaries split anywhere)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showgeo_api.http.byte_ranges import ByteRange, RangeNotSatisfiable, parse_range
from showgeo_api.http.multipart_stream import read_multipart
from showgeo_domain.shared.errors import InvalidInput

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("bytes=0-99", ByteRange(0, 100)),
        ("bytes=900-", ByteRange(900, 1000)),
        ("bytes=900-5000", ByteRange(900, 1000)),
        ("bytes=-100", ByteRange(900, 1000)),
        ("bytes=-5000", ByteRange(0, 1000)),
        ("bytes=0-0", ByteRange(0, 1)),
        ("bytes=5-2", None),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
        ("bytes=-", None),
        ("bytes=abc", None),
    ],
)
def test_ranges(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, SIZE)


@given(start=st.integers(0, SIZE - 1), length=st.integers(1, 2 * SIZE))
def test_a_satisfiable_range_stays_inside_the_content(start: int, length: int) -> None:
    found = parse_range(f"bytes={start}-{start + length - 1}", SIZE)
    assert found is not None
    assert 0 <= found.start < found.stop <= SIZE
    assert found.content_range(SIZE) == f"bytes {found.start}-{found.stop - 1}/{SIZE}"


BOUNDARY = "----showgeo-test-boundary"
FILE = bytes(range(256)) * 40 + f"\r\n--{BOUNDARY[:-3]}tail".encode()  # almost a boundary


def form(*, file_first: bool = False) -> bytes:
    fields = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="visibility"\r\n\r\nPUBLIC\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nAUDIO\r\n'
    ).encode()
    file = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n"
        ).encode()
        + FILE
        + b"\r\n"
    )
    end = f"--{BOUNDARY}--\r\n".encode()
    return (file + fields if file_first else fields + file) + end


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


@pytest.mark.parametrize("size", [1, 2, 7, 64, 4096, 1_000_000])
async def test_fields_then_the_file_in_any_chunking(size: int) -> None:
    upload = await read_multipart(
        f"multipart/form-data; boundary={BOUNDARY}", chunked(form(), size)
    )
    assert upload.fields == {"visibility": "PUBLIC", "kind": "AUDIO"}
    assert upload.filename == "a.wav"
    assert b"".join([c async for c in upload.chunks]) == FILE


async def test_fields_after_the_file_are_not_seen() -> None:
    upload = await read_multipart(
        f"multipart/form-data; boundary={BOUNDARY}", chunked(form(file_first=True), 100)
    )
    assert upload.fields == {}
    assert b"".join([c async for c in upload.chunks]) == FILE


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{}"),
        ("multipart/form-data", b""),
        (f"multipart/form-data; boundary={BOUNDARY}", b"garbage without boundaries"),
        (
            f"multipart/form-data; boundary={BOUNDARY}",
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="v"\r\n\r\n'.encode()
            + b"x" * 5000,
        ),
    ],
)
async def test_bad_forms_are_invalid_input(content_type: str, body: bytes) -> None:
    with pytest.raises(InvalidInput):
        await read_multipart(content_type, chunked(body, 512))
