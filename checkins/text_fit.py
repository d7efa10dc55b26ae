"""Fitting a line of text into a width on a PDF page. Breaks fall between any two characters,
because Chinese has no spaces to break at."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics


def text_width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than ``width``; a break never starts a line with a space."""
    lines: list[str] = []
    line = ""
    for char in text:
        if line and text_width(line + char, font, size) > width:
            lines.append(line.rstrip())
            line = "" if char == " " else char
        else:
            line += char
    return [*lines, line] if line else lines


def fit_size(text: str, font: str, size: float, minimum: float, width: float) -> float:
    """The largest size from ``size`` down to ``minimum`` at which the text fits on one line."""
    while size > minimum and text_width(text, font, size) > width:
        size -= 0.5
    return size
