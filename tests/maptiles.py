"""Tiny MBTiles files for tests, and the plain Web-Mercator tile arithmetic to check maps with.

The arithmetic here is the published slippy-map formula, written independently of the app's
code, so a test can say where a coordinate must be drawn without trusting what it tests.
"""

from __future__ import annotations

import io
import math
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from PIL import Image

# Light, clearly different colours: a screenshot shows the tile grid at a glance.
COLOURS = ((214, 232, 206), (236, 226, 198))


def tile_xy(lat: float, lon: float, z: int) -> tuple[float, float]:
    """Fractional XYZ tile coordinates of a position at zoom ``z`` (row 0 at the north)."""
    n = 2**z
    rad = math.radians(lat)
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n
    return x, y


def tile_corner(x: float, y: float, z: int) -> tuple[float, float]:
    """(lat, lon) of fractional tile coordinates: the inverse of ``tile_xy``."""
    n = 2**z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lat, lon


def png(colour: tuple[int, int, int], size: int = 256) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, format="PNG")
    return out.getvalue()


def block(lat: float, lon: float, z: int, around: int = 2) -> list[tuple[int, int, int]]:
    """XYZ tiles of a square block ``2 * around`` tiles wide centred near (lat, lon)."""
    cx, cy = (int(v) for v in tile_xy(lat, lon, z))
    return [
        (z, x, y)
        for x in range(cx - around + 1, cx + around + 1)
        for y in range(cy - around + 1, cy + around + 1)
    ]


def block_bounds(tiles: Iterable[tuple[int, int, int]]) -> tuple[float, float, float, float]:
    """west, south, east, north of a rectangular block of tiles, pulled in by a hair so a map
    asks for none of the neighbours that merely touch its edge."""
    tiles = list(tiles)
    z = tiles[0][0]
    x0, x1 = min(t[1] for t in tiles), max(t[1] for t in tiles) + 1
    y0, y1 = min(t[2] for t in tiles), max(t[2] for t in tiles) + 1
    north, west = tile_corner(x0, y0, z)
    south, east = tile_corner(x1, y1, z)
    hair = 1e-5
    return west + hair, south + hair, east - hair, north - hair


def build_mbtiles(
    path: Path, tiles: Iterable[tuple[int, int, int]], *, with_bounds: bool = True
) -> dict[tuple[int, int, int], bytes]:
    """Write an MBTiles file (TMS rows, as the format says) of solid-colour PNG tiles given as
    XYZ; returns each tile's bytes by its XYZ address."""
    tiles = list(tiles)
    made = {t: png(COLOURS[(t[1] + t[2]) % 2]) for t in tiles}
    zooms = [t[0] for t in tiles]
    meta = {"name": "test", "format": "png", "minzoom": min(zooms), "maxzoom": max(zooms)}
    if with_bounds:
        meta["bounds"] = ",".join(f"{v:.7f}" for v in block_bounds(tiles))
    with closing(sqlite3.connect(path)) as db, db:  # commit, then close
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
            " tile_data BLOB)"
        )
        db.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
        db.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, 2**z - 1 - y, data) for (z, x, y), data in made.items()],
        )
    return made
