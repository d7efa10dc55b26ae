"""What the pages are made of keeps typed text as text and runs under ``script-src 'self'``.

A scan of every template and every script of ours, so that a new inline script, ``on...=``
attribute or HTML-building call fails here, before a browser test (or an attacker) finds it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    p for p in ROOT.glob("*/templates/**/*.html") if not p.is_relative_to(ROOT / "node_modules")
)
SCRIPTS = sorted((ROOT / "static" / "js").glob("*.js"))


def test_the_scan_finds_the_pages_and_scripts() -> None:
    names = {p.name for p in TEMPLATES} | {p.name for p in SCRIPTS}
    assert {"base.html", "console.html", "point_detail.html", "console.js", "wjmap.js"} <= names


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_code_and_no_unescaped_text(template: Path) -> None:
    """Scripts come from files (data in ``type="application/json"`` blocks only), no event
    attributes, no ``javascript:`` links, no style attributes or elements, no ``|safe``."""
    html = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html), "an on...= attribute"
    assert "javascript:" not in html
    assert not re.search(r"\sstyle\s*=|<style\b", html), "inline style"
    assert not re.search(r"\|\s*safe\b", html)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_put_text_into_the_page_as_text(script: Path) -> None:
    """No HTML is built from strings; Leaflet's tooltips and popups get elements
    (``wjmap.text(...)``), since Leaflet sets string content as innerHTML."""
    js = script.read_text()
    for call in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        'setAttribute("style"',
        "setAttribute('style'",
    ):
        assert call not in js, call
    for content in re.findall(
        r"\.(?:bindTooltip|bindPopup|setContent|setTooltipContent|"
        r"setPopupContent)\(([^,)]*(?:\([^)]*\))?)",
        js,
    ):
        assert content.startswith("wjmap.text("), content
    for html in re.findall(r"\bhtml\s*:\s*([^,}]+)", js):
        assert not html.strip().startswith(('"', "'")), f"an HTML string given to Leaflet: {html}"
