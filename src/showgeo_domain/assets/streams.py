"""Working on uploads as streams of chunks: look at the first bytes, count the rest.

Pure async iteration, no I/O: the chunks come from the HTTP body (or storage) and go to the
storage port, so a file is never held whole in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from showgeo_domain.assets.errors import AssetTooLarge


async def split_head(chunks: AsyncIterable[bytes], size: int) -> tuple[bytes, AsyncIterator[bytes]]:
    """The first `size` bytes (fewer if the stream is shorter) and an iterator over the whole
    stream again, head included."""
    source = aiter(chunks)
    parts: list[bytes] = []
    seen = 0
    while seen < size:
        try:
            chunk = await anext(source)
        except StopAsyncIteration:
            break
        if chunk:
            parts.append(chunk)
            seen += len(chunk)
    head = b"".join(parts)

    async def whole() -> AsyncIterator[bytes]:
        if head:
            yield head
        async for chunk in source:
            yield chunk

    return head[:size], whole()


async def at_most(chunks: AsyncIterable[bytes], limit: int, what: str) -> AsyncIterator[bytes]:
    """Pass the chunks through, raising AssetTooLarge as soon as more than `limit` bytes have
    gone by (the storage adapter then drops what it wrote)."""
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise AssetTooLarge(f"{what} files may be at most {limit} bytes", field="file")
        yield chunk
