"""QR codes for the URLs people scan: PNG for screens, SVG for print shops, vector squares on a
PDF canvas (sharp on any printer). Pure functions: URL in, bytes or drawing out.

In the shell because both checkins (posters) and rewards (pickup codes) draw them."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

QR_BORDER = 4  # modules of quiet zone, as ISO 18004 asks; scanners fail without it


def _qr(url: str, box_size: int = 10) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=QR_BORDER)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


def qr_matrix(url: str) -> list[list[bool]]:
    """The code's modules, True for dark, including the quiet zone (``QR_BORDER`` each side)."""
    return _qr(url).get_matrix()


def qr_png(url: str, *, box_size: int = 10) -> bytes:
    """A PNG of the code, ``box_size`` pixels per module, for screens and quick prints."""
    buffer = io.BytesIO()
    _qr(url, box_size).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    """An SVG of the code as a single path (1 mm per module), for print shops and scaling."""
    return _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string()


def draw_qr(c: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw the code, quiet zone included, in the square at (x, y): one filled path of
    horizontal runs, so renderers leave no hairline seams between modules."""
    matrix = qr_matrix(url)
    module = size / len(matrix)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + 1) * module
        start = None
        for col, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x + start * module, top, (col - start) * module, module)
                start = None
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)
