"""QR images decoded by a real reader (Debian's zbarimg; SVG rasterised by rsvg-convert)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from slotapp.core.qr import qr_png, qr_svg

URL = "http://slot.example/book/AbC-123_xyz"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install Debian's {package} (apt-get install {package})")
    return path


def decode_png(png: bytes) -> str:
    """The text zbarimg reads from a PNG (fails the test if it finds no code)."""
    zbarimg = _tool("zbarimg", "zbar-tools")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "code.png"
        path.write_bytes(png)
        done = subprocess.run(
            [zbarimg, "--quiet", "--raw", str(path)], capture_output=True, timeout=20
        )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode().rstrip("\n")


def decode_svg(svg: bytes) -> str:
    """The text zbarimg reads from an SVG after rsvg-convert rasterises it."""
    rsvg = _tool("rsvg-convert", "librsvg2-bin")
    done = subprocess.run(
        [rsvg, "--format=png", "--zoom=4", "--background-color=white"],
        input=svg,
        capture_output=True,
        timeout=20,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return decode_png(done.stdout)


def _size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as img:
        return img.size


def test_png_decodes_to_the_text() -> None:
    png = qr_png(URL)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_png(png) == URL


def test_svg_decodes_to_the_text() -> None:
    svg = qr_svg(URL)
    assert b"<svg" in svg and b"<path" in svg
    assert decode_svg(svg) == URL


def test_error_correction_m_and_border_4_show_in_the_size() -> None:
    # Version 1 holds 14 bytes at level M (17 at L, 11 at Q); 21 modules + 2 * 4 border.
    assert _size(qr_png("a" * 14, box_size=1)) == (29, 29)
    assert _size(qr_png("a" * 15, box_size=1)) == (33, 33)  # version 2: 25 modules


def test_quiet_zone_is_white_and_the_finder_starts_after_it() -> None:
    png = qr_png("a" * 14, box_size=3)
    with Image.open(io.BytesIO(png)) as img:
        gray = img.convert("L")
        assert _size(png) == (87, 87)
        assert all(gray.getpixel((x, y)) == 255 for x in range(12) for y in range(87))
        assert gray.getpixel((12, 12)) == 0


def test_longest_text_still_encodes_and_decodes() -> None:
    text = "x" * 1000
    assert decode_png(qr_png(text, box_size=2)) == text


@pytest.mark.parametrize("text", ["", "x" * 1001])
def test_empty_or_too_long_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        qr_png(text)
    with pytest.raises(ValueError):
        qr_svg(text)


def test_box_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        qr_png(URL, box_size=0)
