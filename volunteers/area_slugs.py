"""The readable address of an area's online police room: /area/<slug>, the pinyin of its name
(城南警务区 -> chengnan), made unique with a number."""

from __future__ import annotations

import re
from collections.abc import Collection

from pypinyin import lazy_pinyin

SUFFIXES = ("警务区", "警务室", "社区")


def slug_for(name: str, taken: Collection[str]) -> str:
    short = name
    for suffix in SUFFIXES:
        short = short.removesuffix(suffix)
    base = re.sub(r"[^a-z0-9]+", "-", "".join(lazy_pinyin(short or name)).lower()).strip("-")
    base = base[:50] or "area"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
