"""Printable QR posters for patrol points: A4 PDF sheets, a single A4 poster, and the PNG and SVG
codes (app.qr) that officers can also download.

Pure functions: they take the URLs to encode (already signed, on the public base URL that phones
reach) and return bytes, so routes, Celery tasks and the CLI can all call them. The PDF draws the
Chinese text in an embedded TrueType subset (or reportlab's CID font ``STSong-Light`` when no
TrueType CJK font is installed).

The sheet geometry is exported (``TILE_W``, ``tile_rect`` ...) so tests can cut a rendered page
into one tile per code: zbar over a whole sheet sometimes misses a code.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.pdf_fonts import cjk_font, printable
from app.qr import draw_qr
from app.qr import qr_png as qr_png  # a point's poster comes as PNG, SVG or PDF
from app.qr import qr_svg as qr_svg
from checkins.text_fit import fit_size, text_width, wrap

# Sheet layout, in PDF points (1/72 inch), origin at the bottom left of an A4 portrait page.
PAGE_W, PAGE_H = A4
MARGIN = 5 * mm
HEADER_H = 7.5 * mm
COLS, ROWS = 2, 3
PER_PAGE = COLS * ROWS
TILE_W = (PAGE_W - 2 * MARGIN) / COLS  # 100 mm
TILE_H = (PAGE_H - 2 * MARGIN - HEADER_H) / ROWS  # 93.2 mm
# The QR square including its quiet zone. The symbol inside is at least 55 mm, to scan from 1 m:
# version 3 (URLs of 27 to 42 bytes at level M) 55.3 mm, version 4 (43 to 62 bytes, the usual
# LAN URL with a token) 56.7 mm, larger versions more.
QR_BOX = 70.5 * mm
TILE_PAD = 2 * mm
NAME_H = 8 * mm  # band for the point's name above the code
POINTS_DROP = 3.9 * mm  # from the code's bottom edge down to the points line's baseline
INSTRUCTIONS_DROP = 7.5 * mm  # ... down to the first line of instructions
INSTRUCTIONS_LEADING = 3.2 * mm

INSTRUCTIONS = "用手机相机扫码，打开页面后允许获取位置，即可完成巡逻打卡。紧急情况请拨打 110"
HOTSPOT_LABEL = "重点巡逻点"
HOTSPOT_RED = colors.HexColor("#c62828")
CUT_GREY = colors.HexColor("#9e9e9e")


@dataclass(frozen=True)
class PosterItem:
    """One patrol point to print: its name, the signed check-in URL, its points value."""

    name: str
    url: str
    points: int
    hotspot: bool = False


def points_label(points: int) -> str:
    return f"巡逻打卡 +{points} 分"


def tile_rect(index: int) -> tuple[int, float, float]:
    """Where item ``index`` goes: (page number from 0, x, y of the tile's bottom-left corner)."""
    page, slot = divmod(index, PER_PAGE)
    row, col = divmod(slot, COLS)
    x = MARGIN + col * TILE_W
    y = PAGE_H - MARGIN - HEADER_H - (row + 1) * TILE_H
    return page, x, y


def instruction_lines(font: str, size: float, width: float) -> list[str]:
    """The instructions wrapped to ``width``, each sentence starting on its own line."""
    sentences = INSTRUCTIONS.replace("。", "。\n").splitlines()
    return [line for sentence in sentences for line in wrap(sentence, font, size, width)]


def _draw_name(c: Canvas, name: str, font: str, cx: float, top: float, inner: float) -> None:
    """The name, as large as fits, centred in the name band; long names take two lines."""
    size = fit_size(name, font, 18, 11, inner)
    lines = wrap(name, font, size, inner)
    if len(lines) > 2:  # still too long at the smallest size: two lines and an ellipsis
        last = lines[1]
        while last and text_width(last + "…", font, size) > inner:
            last = last[:-1]
        lines = [lines[0], last + "…"]
    c.setFillColor(colors.black)
    c.setLineWidth(size / 40)
    leading = size * 1.05
    # centre the block of lines in the name band; Chinese glyphs sit about 0.12 em below the
    # baseline and 0.88 em above it
    block = (len(lines) - 1) * leading + size
    baseline = top - NAME_H + (NAME_H - block) / 2 + 0.12 * size + (len(lines) - 1) * leading
    for line in lines:
        text = c.beginText(cx - text_width(line, font, size) / 2, baseline)
        text.setTextRenderMode(2)  # fill and stroke: a heavier face, wqy-microhei has no bold
        text.setFont(font, size)
        text.textOut(line)
        text.setTextRenderMode(0)  # the mode is graphics state: it outlives this text object
        c.drawText(text)
        baseline -= leading


def _draw_tile(c: Canvas, item: PosterItem, x: float, y: float) -> None:
    """One poster in the TILE_W x TILE_H box at (x, y): name, code, points, instructions."""
    font = cjk_font()
    cx, inner = x + TILE_W / 2, TILE_W - 2 * TILE_PAD - 4 * mm
    top = y + TILE_H - TILE_PAD
    _draw_name(c, printable(item.name, font), font, cx, top, inner)

    qr_y = top - NAME_H - QR_BOX
    draw_qr(c, item.url, cx - QR_BOX / 2, qr_y, QR_BOX)

    label = points_label(item.points)
    badge = HOTSPOT_LABEL if item.hotspot else ""
    label_w = text_width(label, font, 12)
    badge_w = text_width(badge, font, 9) + 3 * mm if badge else 0
    gap = 3 * mm if badge else 0
    left = cx - (label_w + gap + badge_w) / 2
    baseline = qr_y - POINTS_DROP
    c.setFont(font, 12)
    c.drawString(left, baseline, label)
    if badge:
        bx = left + label_w + gap
        c.setFillColor(HOTSPOT_RED)
        c.roundRect(bx, baseline - 0.8 * mm, badge_w, 4.2 * mm, 1 * mm, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont(font, 9)
        c.drawString(bx + 1.5 * mm, baseline, badge)
        c.setFillColor(colors.black)

    c.setFont(font, 8)
    c.setFillColor(colors.HexColor("#333333"))
    baseline = qr_y - INSTRUCTIONS_DROP
    for line in instruction_lines(font, 8, inner)[:2]:
        c.drawCentredString(cx, baseline, line)
        baseline -= INSTRUCTIONS_LEADING
    c.setFillColor(colors.black)


def _draw_cut_lines(c: Canvas, count: int) -> None:
    """Dashed lines around every tile on the page, to cut the sheet into single posters."""
    c.saveState()
    c.setStrokeColor(CUT_GREY)
    c.setLineWidth(0.5)
    c.setDash(4, 3)
    for index in range(count):
        _, x, y = tile_rect(index)
        c.rect(x, y, TILE_W, TILE_H, stroke=1, fill=0)
    c.restoreState()


def _draw_header(c: Canvas, title: str, subtitle: str, page: int, pages: int) -> None:
    font = cjk_font()
    title, subtitle = printable(title, font), printable(subtitle, font)
    baseline = PAGE_H - MARGIN - 5 * mm
    right = printable(f"万家卫士 · 第 {page} / {pages} 页", font)
    c.setFont(font, 8)
    c.setFillColor(colors.HexColor("#555555"))
    c.drawRightString(PAGE_W - MARGIN, baseline, right)
    room = PAGE_W - 2 * MARGIN - text_width(right, font, 8) - 6 * mm
    sub_w = text_width(subtitle, font, 9) + 4 * mm if subtitle else 0
    size = fit_size(title, font, 14, 8, room - sub_w)
    c.setFillColor(colors.black)
    c.setFont(font, size)
    c.drawString(MARGIN, baseline, title)
    if subtitle:
        c.setFont(font, 9)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(MARGIN + text_width(title, font, size) + 4 * mm, baseline, subtitle)
        c.setFillColor(colors.black)


def _canvas(buffer: io.BytesIO, title: str) -> Canvas:
    c = Canvas(buffer, pagesize=A4, invariant=True)  # same input, same bytes
    c.setTitle(title)
    c.setCreator("万家卫士 Wanjia Watch")
    return c


def grid_sheet_pdf(title: str, items: Sequence[PosterItem], *, subtitle: str = "") -> bytes:
    """An A4 PDF with ``PER_PAGE`` posters a page (``COLS`` x ``ROWS``) and cut lines, so one
    print run covers a whole grid's patrol points. Raises ``ValueError`` for no items."""
    if not items:
        raise ValueError("no patrol points to print")
    buffer = io.BytesIO()
    c = _canvas(buffer, title)
    pages = -(-len(items) // PER_PAGE)
    for start in range(0, len(items), PER_PAGE):
        chunk = items[start : start + PER_PAGE]
        _draw_header(c, title, subtitle, start // PER_PAGE + 1, pages)
        _draw_cut_lines(c, len(chunk))
        for offset, item in enumerate(chunk):
            _, x, y = tile_rect(offset)
            _draw_tile(c, item, x, y)
        c.showPage()
    c.save()
    return buffer.getvalue()


SINGLE_SCALE = 2.0  # the single poster is one sheet tile drawn twice as large
SINGLE_TITLE_H = 45 * mm  # band at the top of the single poster for its title


def single_poster_rect() -> tuple[float, float, float, float]:
    """Where the single poster's (scaled) tile lies on its page: x, y, width, height."""
    w, h = TILE_W * SINGLE_SCALE, TILE_H * SINGLE_SCALE
    room = PAGE_H - SINGLE_TITLE_H - MARGIN
    return (PAGE_W - w) / 2, MARGIN + (room - h) / 2, w, h


def single_poster_pdf(item: PosterItem, *, title: str = "") -> bytes:
    """One A4 poster for one point, the sheet's tile at twice the size (a 113 mm symbol for a
    version-4 code), with an optional title above it."""
    buffer = io.BytesIO()
    c = _canvas(buffer, title or item.name)
    font = cjk_font()
    x, y, w, h = single_poster_rect()
    if title:
        title = printable(title, font)
        size = fit_size(title, font, 30, 12, PAGE_W - 2 * MARGIN)
        c.setFont(font, size)
        c.drawCentredString(PAGE_W / 2, PAGE_H - SINGLE_TITLE_H / 2 - size / 3, title)
    c.saveState()
    c.translate(x, y)
    c.scale(SINGLE_SCALE, SINGLE_SCALE)
    _draw_tile(c, item, 0, 0)
    c.restoreState()
    c.showPage()
    c.save()
    return buffer.getvalue()
