"""A printable share card: the owner's name, the meeting length and a large QR code.

PNG drawn with Pillow, SVG written by hand; both from the same QR module matrix.
Pure: text in, bytes out.
"""

from __future__ import annotations

import io
import math
from xml.sax.saxutils import escape, quoteattr

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from slotapp.core.qr import BORDER, MAX_TEXT

# PNG: 4 x 5.67 inches at 300 dpi, portrait; the SVG uses the same layout at half the units.
WIDTH, HEIGHT = 1200, 1700
MARGIN = 80
QR_TOP, QR_SIZE = 420, 1000  # the code's square, quiet zone included
INK = (15, 23, 42)
MUTED = (71, 85, 105)
ACCENT = (67, 56, 202)
EDGE = (203, 213, 225)


def qr_modules(text: str) -> list[list[bool]]:
    """The QR matrix of `text` (error correction M), without the quiet zone.

    Raises:
        ValueError: `text` is empty or longer than 1000 characters.
    """
    if not text:
        raise ValueError("QR text is empty")
    if len(text) > MAX_TEXT:
        raise ValueError(f"QR text is {len(text)} characters; at most {MAX_TEXT} fit")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def length_text(minutes: int) -> str:
    """'30-minute meeting'."""
    return f"{minutes}-minute meeting"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled scalable font: no system font needed on the server.
    return ImageFont.load_default(size=size)


def _fitted(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> ImageFont.ImageFont:
    """The largest font up to `size` in which `text` fits `width` (a long name shrinks)."""
    while True:
        font = _font(size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        if right - left <= width or size <= 20:
            return font  # type: ignore[return-value]
        size -= 4


def _centre(draw: ImageDraw.ImageDraw, y: int, text: str, font: object, fill: object) -> None:
    draw.text((WIDTH // 2, y), text, font=font, fill=fill, anchor="mt")  # type: ignore[arg-type]


def _url_lines(url: str, per_line: int) -> list[str]:
    return [url[i : i + per_line] for i in range(0, len(url), per_line)] or [""]


def card_png(*, owner_name: str, length_minutes: int, url: str) -> bytes:
    """The card as a PNG (1200 x 1700 px, 300 dpi).

    Raises:
        ValueError: `url` is empty or too long for a QR code.
    """
    modules = qr_modules(url)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, WIDTH - 9, HEIGHT - 9), radius=40, outline=EDGE, width=4)
    inner = WIDTH - 2 * MARGIN
    _centre(draw, 110, "Book a meeting with", _font(52), MUTED)
    _centre(draw, 190, owner_name, _fitted(draw, owner_name, 96, inner), INK)
    _centre(draw, 320, length_text(length_minutes), _font(56), ACCENT)
    count = len(modules) + 2 * BORDER
    box = QR_SIZE // count
    left = (WIDTH - box * count) // 2 + BORDER * box
    top = QR_TOP + (QR_SIZE - box * count) // 2 + BORDER * box
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            if dark:
                x, y = left + c * box, top + r * box
                draw.rectangle((x, y, x + box - 1, y + box - 1), fill="black")
    _centre(draw, QR_TOP + QR_SIZE + 20, "Scan to pick a time", _font(52), INK)
    for i, line in enumerate(_url_lines(url, 48)):
        _centre(draw, QR_TOP + QR_SIZE + 100 + i * 40, line, _font(32), MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


def _qr_path(modules: list[list[bool]]) -> str:
    """One SVG path of the dark modules, a rectangle per horizontal run (1 unit = 1 module)."""
    parts = []
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return "".join(parts)


def _svg_text(y: float, text: str, size: float, fill: str, fit: float | None = None) -> str:
    # A long line gets a smaller font (about 0.55 em per character) rather than being cut off;
    # `textLength` would be neater but not every renderer honours it.
    if fit is not None:
        size = max(12.0, min(size, fit / (max(len(text), 1) * 0.55)))
    size = math.floor(size * 10) / 10  # rounded down: never wider than the fit
    return (
        f'<text x="{WIDTH / 4:g}" y="{y:g}" font-size="{size:g}" fill="{fill}" '
        f'text-anchor="middle">{escape(text)}</text>'
    )


def card_svg(*, owner_name: str, length_minutes: int, url: str) -> bytes:
    """The same card as an SVG document (600 x 850 user units, i.e. the PNG at half scale).

    Raises:
        ValueError: `url` is empty or too long for a QR code.
    """
    modules = qr_modules(url)
    width, height = WIDTH / 2, HEIGHT / 2
    count = len(modules) + 2 * BORDER
    scale = (QR_SIZE / 2) / count
    qr_left = (width - scale * count) / 2 + BORDER * scale
    qr_top = QR_TOP / 2 + BORDER * scale
    inner = width - MARGIN
    lines = [
        _svg_text(80, "Book a meeting with", 26, "#475569"),
        _svg_text(140, owner_name, 48, "#0f172a", fit=inner),
        _svg_text(190, length_text(length_minutes), 28, "#4338ca"),
        _svg_text((QR_TOP + QR_SIZE) / 2 + 40, "Scan to pick a time", 26, "#0f172a"),
    ]
    for i, line in enumerate(_url_lines(url, 48)):
        lines.append(_svg_text((QR_TOP + QR_SIZE) / 2 + 80 + i * 20, line, 16, "#475569"))
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" font-family="Helvetica, Arial, sans-serif">'
        f"<title>{escape(owner_name)}: {escape(length_text(length_minutes))}</title>"
        f'<rect x="2" y="2" width="{width - 4:g}" height="{height - 4:g}" rx="20" '
        'fill="#fff" stroke="#cbd5e1" stroke-width="2"/>'
        + "".join(lines)
        + f'<path transform="translate({qr_left:g} {qr_top:g}) scale({scale:g})" '
        f'fill="#000" shape-rendering="crispEdges" d={quoteattr(_qr_path(modules))}/>'
        "</svg>\n"
    )
    return svg.encode()
