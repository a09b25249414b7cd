"""Reading a multipart/form-data upload as it arrives, without holding the file.

Litestar's form parsing reads the whole body first; uploads of hundreds of megabytes must not.
This parses the request stream incrementally (the `multipart` package's push parser, already a
Litestar dependency): the small text fields that come before the file part are collected, then
the file part is handed on as an async stream of chunks. Fields must therefore precede the
file, as browsers and HTTP clients send them in form order; anything after the file is ignored.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from multipart import MultipartSegment, ParserError, PushMultipartParser, parse_options_header

from showgeo_domain.shared.errors import InvalidInput

FIELD_MAX = 1024
FIELDS_MAX = 16


@dataclass
class MultipartUpload:
    fields: dict[str, str]
    filename: str | None
    chunks: AsyncIterator[bytes]


def _boundary(content_type: str) -> str:
    kind, options = parse_options_header(content_type)
    if kind != "multipart/form-data" or not options.get("boundary"):
        raise InvalidInput("send the file as multipart/form-data", field="file")
    return str(options["boundary"])


async def _events(
    body: AsyncIterable[bytes], parser: PushMultipartParser
) -> AsyncIterator[MultipartSegment | bytes | None]:
    try:
        async for chunk in body:
            if chunk:
                for event in parser.parse(chunk):
                    yield event
        for event in parser.parse(b""):
            yield event
    except ParserError as exc:
        raise InvalidInput(f"the multipart body is malformed ({exc})", field="file") from exc


async def read_multipart(
    content_type: str, body: AsyncIterable[bytes], *, file_field: str = "file"
) -> MultipartUpload:
    parser = PushMultipartParser(
        _boundary(content_type), max_header_count=8, max_segment_count=FIELDS_MAX + 1
    )
    events = _events(body, parser)
    fields: dict[str, str] = {}
    current: MultipartSegment | None = None
    value = bytearray()
    async for event in events:
        if isinstance(event, MultipartSegment):
            if event.name == file_field:
                return MultipartUpload(fields, event.filename, _file(events))
            current, value = event, bytearray()
        elif event is None:
            if current is not None:
                fields[current.name] = value.decode("utf-8", "replace")
            current = None
        else:
            value.extend(event)
            if len(value) > FIELD_MAX:
                raise InvalidInput(f"the form field {current and current.name!s} is too long")
    raise InvalidInput("the form has no file part (field `file`)", field="file")


async def _file(events: AsyncIterator[MultipartSegment | bytes | None]) -> AsyncIterator[bytes]:
    async for event in events:
        if event is None or isinstance(event, MultipartSegment):
            return
        yield event
