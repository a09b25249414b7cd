"""Small real files made by the tests themselves: images (with EXIF orientation, truncated,
decompression bombs), audio, documents, and things that must be refused."""

from __future__ import annotations

import io
import wave

from PIL import Image


def image(fmt: str = "PNG", size: tuple[int, int] = (64, 32), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 32)) -> bytes:
    return image("PNG", size)


def jpeg_rotated(size: tuple[int, int] = (60, 20), orientation: int = 6) -> bytes:
    """A JPEG stored `size` wide whose EXIF says "rotate 90° clockwise to show" (6), and
    carries a camera make that must not survive into variants."""
    img = Image.new("RGB", size, "blue")
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def truncated_png() -> bytes:
    whole = image("PNG", (200, 200), "green")
    # Random-ish pixels so the compressed data is long enough to cut in the middle.
    img = Image.effect_noise((200, 200), 64).convert("RGB")
    out = io.BytesIO()
    img.save(out, "PNG")
    data = out.getvalue()
    assert len(data) > len(whole) // 2
    return data[: len(data) // 2]


def bomb_png(side: int = 8_000) -> bytes:
    """A tiny file that decodes to `side`² pixels (64 M by default: over our 50 M limit,
    under Pillow's own warning threshold, so our check is what refuses it)."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG", optimize=True)
    return out.getvalue()


def wav(seconds: float = 0.1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * int(8000 * seconds))
    return out.getvalue()


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
TEXT = b"just some text pretending to be a picture\n"


def mp4(payload: int = 4096) -> bytes:
    """An ISO base media file: an `ftyp` box (brand mp42) and an `mdat` box of zeros."""
    ftyp = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    mdat = (8 + payload).to_bytes(4, "big") + b"mdat" + bytes(payload)
    return ftyp + mdat


def webm(payload: int = 1024) -> bytes:
    """An EBML header whose DocType is `webm`, then padding."""
    header = (
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04"
        b"\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02"
    )
    return header + bytes(payload)
