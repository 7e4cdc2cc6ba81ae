"""QR codes as image bytes (PNG or SVG): text in, bytes out, no I/O."""

from __future__ import annotations

import io
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathFillImage

MAX_TEXT = 1000
BORDER = 4  # the quiet zone the QR standard asks for, in modules


def _render(text: str, *, box_size: int, image_factory: Any) -> bytes:
    if not text:
        raise ValueError("QR text is empty")
    if len(text) > MAX_TEXT:
        raise ValueError(f"QR text is {len(text)} characters; at most {MAX_TEXT} fit")
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        box_size=box_size,
        border=BORDER,
        image_factory=image_factory,
    )
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()


def qr_png(text: str, *, box_size: int = 10) -> bytes:
    """A PNG QR code of `text` (error correction M, 4-module quiet zone).

    Args:
        text: what the code holds, 1 to 1000 characters.
        box_size: pixels per module.

    Returns:
        The PNG file's bytes, black on white.

    Raises:
        ValueError: `text` is empty or longer than 1000 characters, or `box_size` < 1.
    """
    return _render(text, box_size=box_size, image_factory=PilImage)


def qr_svg(text: str) -> bytes:
    """An SVG QR code of `text` (error correction M, 4-module quiet zone).

    The modules are one path on a white background (SvgPathImage plus a fill), so the code
    stays scannable on a dark page.

    Args:
        text: what the code holds, 1 to 1000 characters.

    Returns:
        The SVG document's bytes (UTF-8 XML).

    Raises:
        ValueError: `text` is empty or longer than 1000 characters.
    """
    return _render(text, box_size=10, image_factory=SvgPathFillImage)
