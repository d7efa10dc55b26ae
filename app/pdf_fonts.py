"""Fonts for PDFs with Chinese text (patrol posters, first-login sheets): an installed TrueType
CJK font, embedded as a subset so the PDF prints the same everywhere, else reportlab's CID font
``STSong-Light``, referenced but not embedded (every Chinese PC renders it)."""

from __future__ import annotations

import os
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

# TrueType CJK fonts tried in order: (registered name, path, subfont index in a .ttc).
FONT_CANDIDATES: tuple[tuple[str, str, int], ...] = (
    ("WenQuanYiMicroHei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("WenQuanYiZenHei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("DroidSansFallback", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
CID_FALLBACK = "STSong-Light"


def truetype_cjk_font() -> TTFont | None:
    """The first installed TrueType CJK font that loads, or None (``wanjia doctor`` reports it)."""
    for name, path, index in FONT_CANDIDATES:
        if not os.path.exists(path):
            continue
        try:
            return TTFont(name, path, subfontIndex=index)
        except TTFError:  # a damaged or unsupported file: try the next one
            continue
    return None


@cache
def cjk_font() -> str:
    """Register and return the name of a font that draws Chinese.

    A TrueType font is embedded as a subset, so the PDF prints the same everywhere; without one,
    the CID font ``STSong-Light`` is referenced but not embedded (every Chinese PC renders it).
    """
    font = truetype_cjk_font()
    if font is not None:
        pdfmetrics.registerFont(font)
        return font.fontName
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CID_FALLBACK


# Characters the CID font's Unicode CMap (UniGB-UCS2-H) has no code for, and the GB 2312
# character a reader sees as the same; without this "第1网格·菜市场" shows a missing-glyph box.
_CID_SUBSTITUTES = str.maketrans({"\u00b7": "\u30fb", "\u2022": "\u30fb", "\u2027": "\u30fb"})


def printable(text: str, font: str) -> str:
    """The text as it is drawn in ``font``: the CID fallback gets its own middle dot."""
    return text.translate(_CID_SUBSTITUTES) if font == CID_FALLBACK else text
