"""Posters: the codes scan back to their URLs, and the PDF sheets print readable Chinese.

Nothing is mocked: zbar decodes the PNG, a rasterised SVG and every tile of a sheet rendered by
poppler's ``pdftoppm``; ``pdftotext`` and ``pdffonts`` read the PDF back.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pyzbar.pyzbar import ZBarSymbol, decode
from reportlab.lib.units import mm

from app import pdf_fonts
from app.qr import qr_matrix, qr_png, qr_svg
from checkins import posters
from checkins.posters import (
    HOTSPOT_LABEL,
    INSTRUCTIONS,
    PAGE_H,
    PER_PAGE,
    TILE_H,
    TILE_W,
    PosterItem,
    grid_sheet_pdf,
    single_poster_pdf,
    tile_rect,
)

URL = "https://192.168.1.20:5000/c/12.3.1t__qhcnEsgza562"
DPI = 150
ITEMS = [
    PosterItem(
        name=f"第{n}网格·菜市场入口",
        url=f"https://192.168.1.20:5000/c/{n}.3.{n}t__qhcnEsgza56",  # <point>.<version>.<sig>
        points=10 + n,
        hotspot=n % 3 == 0,
    )
    for n in range(1, 9)
]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is missing: install Debian's poppler-utils to test the posters")
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _squash(text: str) -> str:
    return "".join(text.split())


def _decode(image: Image.Image) -> list[str]:
    return [found.data.decode() for found in decode(image, symbols=[ZBarSymbol.QRCODE])]


def _tile_text(pdf: Path, index: int) -> str:
    """The text pdftotext finds inside item ``index``'s tile, and nowhere else on the page."""
    page, x, y = tile_rect(index)
    top = PAGE_H - y - TILE_H
    box = [f"{round(v)}" for v in (x, top, TILE_W, TILE_H)]
    number = str(page + 1)
    args = ["-r", "72", "-x", box[0], "-y", box[1], "-W", box[2], "-H", box[3]]
    return _run(_tool("pdftotext"), "-f", number, "-l", number, *args, str(pdf), "-")


@pytest.fixture(autouse=True)
def fresh_font_lookup() -> Iterator[None]:
    """Each test looks the font up again, so a monkeypatched lookup never leaks."""
    pdf_fonts.cjk_font.cache_clear()
    yield
    pdf_fonts.cjk_font.cache_clear()


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Image.Image]]:
    """The 8-point sheet as a PDF file and its pages rendered at 150 dpi."""
    folder = tmp_path_factory.mktemp("sheet")
    pdf = folder / "sheet.pdf"
    pdf_fonts.cjk_font.cache_clear()
    pdf.write_bytes(grid_sheet_pdf("万家社区警务室 巡逻点", ITEMS, subtitle="第1网格 · 第3版"))
    _run(_tool("pdftoppm"), "-r", str(DPI), "-png", str(pdf), str(folder / "page"))
    pages = [Image.open(path).convert("L") for path in sorted(folder.glob("page-*.png"))]
    return pdf, pages


def test_png_decodes_back_to_the_exact_url() -> None:
    image = Image.open(io.BytesIO(qr_png(URL)))
    assert image.format == "PNG"
    assert _decode(image) == [URL]
    # box_size is pixels per module: a code of n modules (quiet zone included) is n * box wide
    assert Image.open(io.BytesIO(qr_png(URL, box_size=4))).size == (len(qr_matrix(URL)) * 4,) * 2


def _svg_modules(svg: bytes) -> tuple[int, set[tuple[int, int]]]:
    """Parse the SVG: its size in modules and the (row, column) of every dark module drawn."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert width == height
    data = paths[0].attrib["d"]
    number = r"(\d+(?:\.\d+)?)"
    square = re.compile(rf"M{number},{number}H{number}V{number}H{number}z")
    assert square.sub("", data) == "", "the path holds only axis-aligned squares"
    dark: set[tuple[int, int]] = set()
    for x0, y0, x1, y1, back in square.findall(data):
        left, top, right, bottom = float(x0), float(y0), float(x1), float(y1)
        assert float(back) == left and right - left == bottom - top == 1
        dark.add((int(top), int(left)))
    return int(width), dark


def test_svg_draws_exactly_the_modules_of_the_code_and_scans() -> None:
    """The SVG path's squares are the code's dark modules; drawn on a raster, zbar reads the URL."""
    size, dark = _svg_modules(qr_svg(URL))
    matrix = qr_matrix(URL)
    assert size == len(matrix)
    assert dark == {(r, c) for r, row in enumerate(matrix) for c, on in enumerate(row) if on}

    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for r, c in dark:
        draw.rectangle([c * scale, r * scale, (c + 1) * scale - 1, (r + 1) * scale - 1], fill=0)
    assert _decode(image) == [URL]
    # ... and it is the same picture as the PNG, module for module
    png = Image.open(io.BytesIO(qr_png(URL, box_size=scale))).convert("L")
    assert png.tobytes() == image.tobytes()


def test_sheet_puts_six_posters_on_a_page(sheet: tuple[Path, list[Image.Image]]) -> None:
    pdf, pages = sheet
    assert re.search(r"^Pages:\s+2$", _run(_tool("pdfinfo"), str(pdf)), re.MULTILINE)
    assert len(pages) == 2
    assert PER_PAGE == 6
    assert [tile_rect(i)[0] for i in range(len(ITEMS))] == [0] * 6 + [1] * 2


def test_every_tile_cut_from_the_printed_page_scans_to_its_own_url(
    sheet: tuple[Path, list[Image.Image]],
) -> None:
    _, pages = sheet
    scale = DPI / 72
    for index, item in enumerate(ITEMS):
        page, x, y = tile_rect(index)
        box = (x, PAGE_H - y - TILE_H, x + TILE_W, PAGE_H - y)
        tile = pages[page].crop(tuple(round(v * scale) for v in box))
        found = decode(tile, symbols=[ZBarSymbol.QRCODE])
        assert [f.data.decode() for f in found] == [item.url], f"tile {index}"
        # the symbol itself (quiet zone excluded) is at least 55 mm wide: scannable from 1 m
        assert found[0].rect.width / DPI * 25.4 >= 55, f"tile {index} code too small"


def test_each_tile_prints_its_name_points_and_instructions_in_real_chinese(
    sheet: tuple[Path, list[Image.Image]],
) -> None:
    """pdftotext reads the Chinese back from each tile: the glyphs are really in the PDF."""
    pdf, _ = sheet
    for index, item in enumerate(ITEMS):
        text = _squash(_tile_text(pdf, index))
        assert item.name in text
        assert f"巡逻打卡+{item.points}分" in text
        assert _squash(INSTRUCTIONS) in text
        assert (HOTSPOT_LABEL in text) is item.hotspot
    header = _squash(_run(_tool("pdftotext"), "-l", "1", str(pdf), "-"))
    assert "万家社区警务室巡逻点" in header and "第1网格·第3版" in header and "第1/2页" in header


def test_sheet_embeds_a_subset_of_the_truetype_cjk_font(
    sheet: tuple[Path, list[Image.Image]],
) -> None:
    pdf, _ = sheet
    fonts = _run(_tool("pdffonts"), str(pdf))
    line = next(row for row in fonts.splitlines() if "WenQuanYiMicroHei" in row)
    assert re.match(r"[A-Z]{6}\+WenQuanYiMicroHei\S* +TrueType .* yes +yes +yes ", line), line


def test_without_a_truetype_font_the_sheet_falls_back_to_stsong(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pdf_fonts, "FONT_CANDIDATES", (("Missing", str(tmp_path / "no.ttc"), 0),))
    assert pdf_fonts.cjk_font() == "STSong-Light"
    pdf = tmp_path / "fallback.pdf"
    pdf.write_bytes(grid_sheet_pdf("万家社区警务室", ITEMS[:2]))

    fonts = _run(_tool("pdffonts"), str(pdf))
    assert re.search(r"^STSong-Light +CID Type 0 +UniGB-UCS2-H +no ", fonts, re.MULTILINE), fonts
    assert "WenQuanYi" not in fonts
    for index, item in enumerate(ITEMS[:2]):
        text = _squash(_tile_text(pdf, index))
        assert item.name in text  # the middle dot too, which STSong-Light codes differently
        assert _squash(INSTRUCTIONS) in text


def test_a_long_name_is_shrunk_and_wrapped_inside_its_own_tile(tmp_path: Path) -> None:
    long = "第5网格·幸福里小区东门北侧自行车棚旁边的消防通道入口处巡逻点"
    endless = "第6网格·" + "幸福里小区东门北侧自行车棚旁边" * 5
    items = [ITEMS[0], PosterItem(long, URL, 10), PosterItem(endless, ITEMS[1].url, 10)]
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(grid_sheet_pdf("长名称", items))
    assert _squash(_tile_text(pdf, 0)).startswith(ITEMS[0].name)  # the neighbour stays clean
    assert _squash(_tile_text(pdf, 1)).startswith(long)
    cut = _squash(_tile_text(pdf, 2))
    assert cut.startswith("第6网格·幸福里") and "…" in cut and endless not in cut


def test_single_poster_is_one_page_with_a_big_code(tmp_path: Path) -> None:
    pdf = tmp_path / "one.pdf"
    pdf.write_bytes(single_poster_pdf(ITEMS[2], title="万家社区警务室"))
    _run(_tool("pdftoppm"), "-r", "72", "-png", str(pdf), str(tmp_path / "one"))
    (png,) = tmp_path.glob("one-*.png")
    found = decode(Image.open(png), symbols=[ZBarSymbol.QRCODE])
    assert [f.data.decode() for f in found] == [ITEMS[2].url]
    assert found[0].rect.width / 72 * 25.4 >= 110
    text = _squash(_run(_tool("pdftotext"), str(pdf), "-"))
    assert "万家社区警务室" in text and ITEMS[2].name in text and HOTSPOT_LABEL in text


def test_same_points_give_the_same_bytes_and_no_points_is_refused() -> None:
    assert grid_sheet_pdf("表", ITEMS[:1]) == grid_sheet_pdf("表", ITEMS[:1])
    with pytest.raises(ValueError, match="no patrol points"):
        grid_sheet_pdf("表", [])


def test_layout_keeps_tiles_on_the_page_and_the_code_inside_its_tile() -> None:
    for index in range(PER_PAGE):
        _, x, y = tile_rect(index)
        assert 0 < x and x + TILE_W < posters.PAGE_W and 0 < y and y + TILE_H < PAGE_H
    fixed = posters.TILE_PAD + posters.NAME_H + posters.QR_BOX + posters.INSTRUCTIONS_DROP
    assert fixed + posters.INSTRUCTIONS_LEADING + 1.5 * mm < TILE_H
