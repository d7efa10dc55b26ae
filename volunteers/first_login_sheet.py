"""The first-login sheet: an A4 PDF with one card per person (their name, grid, the last digits
of their number, and a QR code that opens the set-your-password page), to cut and hand out.

Pure: cards in, PDF bytes out, in the posters' Chinese font (app/pdf_fonts.py).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from app.pdf_fonts import cjk_font
from app.qr import draw_qr

PAGE_W, PAGE_H = A4
MARGIN = 8 * mm
HEADER_H = 10 * mm
COLS, ROWS = 2, 4
PER_PAGE = COLS * ROWS
CARD_W = (PAGE_W - 2 * MARGIN) / COLS
CARD_H = (PAGE_H - 2 * MARGIN - HEADER_H) / ROWS
QR_BOX = 50 * mm  # quiet zone included: a 41-module symbol at 1 mm a module, fine at 20 cm
PAD = 4 * mm
STEPS = ("① 用手机相机扫左边的码", "② 输入两遍新密码", "③ 以后用手机号和密码登录")


@dataclass(frozen=True)
class Card:
    name: str
    grid: str
    phone: str
    url: str


def masked(phone: str) -> str:
    """138****0000: enough to match card and person, not the whole number on paper."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone


def _fit(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    while size > 9 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text, size


def _card(c: Canvas, card: Card, x: float, y: float) -> None:
    font = cjk_font()
    draw_qr(c, card.url, x + PAD / 2, y + (CARD_H - QR_BOX) / 2, QR_BOX)
    left = x + QR_BOX + PAD
    room = CARD_W - QR_BOX - 1.5 * PAD
    baseline = y + CARD_H - PAD - 8 * mm
    name, size = _fit(card.name, font, 22, room)
    c.setFillColor(colors.black)
    c.setFont(font, size)
    c.drawString(left, baseline, name)
    c.setFont(font, 11)
    c.setFillColor(colors.HexColor("#333333"))
    for line in (card.grid, masked(card.phone)):
        if line:
            baseline -= 6 * mm
            c.drawString(left, baseline, _fit(line, font, 11, room)[0])
    baseline -= 4 * mm
    c.setFont(font, 9.5)
    for step in STEPS:
        baseline -= 5 * mm
        c.drawString(left, baseline, _fit(step, font, 9.5, room)[0])
    c.setFillColor(colors.black)


def first_login_sheet_pdf(title: str, cards: Sequence[Card], *, note: str = "") -> bytes:
    """``PER_PAGE`` cards a page with dashed cut lines; ``note`` (e.g. until when the codes
    work) goes under the title. Raises ``ValueError`` for no cards."""
    if not cards:
        raise ValueError("no people to print")
    font = cjk_font()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=True)
    c.setTitle(title)
    c.setCreator("万家卫士 Wanjia Watch")
    pages = -(-len(cards) // PER_PAGE)
    for start in range(0, len(cards), PER_PAGE):
        chunk = cards[start : start + PER_PAGE]
        top = PAGE_H - MARGIN
        c.setFont(font, 14)
        c.drawString(MARGIN, top - 6 * mm, title)
        c.setFont(font, 8.5)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawRightString(
            PAGE_W - MARGIN, top - 6 * mm, f"{note}  第 {start // PER_PAGE + 1} / {pages} 页"
        )
        c.setFillColor(colors.black)
        c.saveState()
        c.setStrokeColor(colors.HexColor("#9e9e9e"))
        c.setLineWidth(0.5)
        c.setDash(4, 3)
        for index in range(len(chunk)):
            row, col = divmod(index, COLS)
            c.rect(MARGIN + col * CARD_W, top - HEADER_H - (row + 1) * CARD_H, CARD_W, CARD_H)
        c.restoreState()
        for index, card in enumerate(chunk):
            row, col = divmod(index, COLS)
            _card(c, card, MARGIN + col * CARD_W, top - HEADER_H - (row + 1) * CARD_H)
        c.showPage()
    c.save()
    return buffer.getvalue()
