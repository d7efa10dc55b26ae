"""The A4 poster of a police area's online police room: its name, a QR code of the page's
address (on the public base URL phones reach), what the page offers and the 110 reminder.
A pure function, URL and words in, PDF bytes out, drawn as the patrol posters are (app.qr,
app.pdf_fonts)."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.pdf_fonts import cjk_font, printable
from app.qr import draw_qr
from checkins.text_fit import fit_size, wrap

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
QR_SIZE = 120 * mm  # a 100 mm+ symbol: scans from across a notice board
OFFERS = "扫码查看：民警与接待时间、警务室地址、公告，线索征集"
EMERGENCY = "这里不是报警电话。紧急情况请拨打 110"
RED = colors.HexColor("#c62828")


def area_poster_pdf(area_name: str, url: str, address: str, duty_phone: str) -> bytes:
    """One A4 page: ``{area_name} 网上警务室``, the QR of ``url`` with the address under it."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=True)  # same input, same bytes
    font = cjk_font()
    title = printable(f"{area_name} 网上警务室", font)
    c.setTitle(title)
    c.setCreator("万家卫士 Wanjia Watch")
    width = PAGE_W - 2 * MARGIN
    size = fit_size(title, font, 32, 14, width)
    c.setFont(font, size)
    top = PAGE_H - MARGIN - size
    c.drawCentredString(PAGE_W / 2, top, title)
    c.setFont(font, 14)
    c.drawCentredString(PAGE_W / 2, top - 12 * mm, printable(OFFERS, font))
    qr_y = top - 20 * mm - QR_SIZE
    draw_qr(c, url, (PAGE_W - QR_SIZE) / 2, qr_y, QR_SIZE)
    c.setFont(font, 11)
    c.setFillColor(colors.HexColor("#333333"))
    c.drawCentredString(PAGE_W / 2, qr_y - 4 * mm, url)
    baseline = qr_y - 14 * mm
    lines = [printable(address, font)] if address else []
    if duty_phone:
        lines.append(printable(f"派出所 24 小时值班电话：{duty_phone}", font))
    c.setFillColor(colors.black)
    c.setFont(font, 14)
    for text in lines:
        for line in wrap(text, font, 14, width):
            c.drawCentredString(PAGE_W / 2, baseline, line)
            baseline -= 7 * mm
    c.setFillColor(RED)
    c.setFont(font, 18)
    c.drawCentredString(PAGE_W / 2, max(baseline - 6 * mm, MARGIN), printable(EMERGENCY, font))
    c.showPage()
    c.save()
    return buffer.getvalue()
