"""Which tiles every map draws, in which datum: checked once at start, put on each map element.

Three sources, first match wins: an MBTiles file (``WANJIA_MBTILES``, else the first
``*.mbtiles`` in the instance folder) served by ``app/tiles.py``; a ``WANJIA_TILE_URL`` template;
none, and the maps draw on a plain background. A bad setting never stops the platform: it is
logged at start (and reported by ``check_maps`` for ``wanjia doctor``) and that source is
skipped. ``static/js/wjmap.js`` reads the attributes ``map_attributes()`` writes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from flask.sansio.app import App
from markupsafe import Markup
from markupsafe import escape as html_escape

from app.findings import Finding
from app.geodatum import gcj02_to_wgs84

log = logging.getLogger(__name__)

DATUMS = ("wgs84", "gcj02")
# MBTiles metadata "format" -> what the tile route answers; vector tiles cannot be drawn here.
RASTER_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
_EXTENSION_KEY = "wanjia.maps"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_LEAFLET_PLACEHOLDERS = {"s", "z", "x", "y", "-y", "r"}


@dataclass(frozen=True)
class MBTiles:
    path: Path
    format: str  # a key of RASTER_TYPES
    min_zoom: int | None
    max_zoom: int | None
    bounds: tuple[float, float, float, float] | None  # west, south, east, north (tile datum)
    version: str  # changes with the file, so tile URLs can be cached for a year


@dataclass(frozen=True)
class Problem:
    message: str  # what is wrong and what the maps do instead
    fix: str


@dataclass(frozen=True)
class TileSetup:
    url: str | None  # a valid WANJIA_TILE_URL
    datum: str
    mbtiles: MBTiles | None
    problems: tuple[Problem, ...]


def open_mbtiles(path: Path) -> sqlite3.Connection:
    """Read-only: the operator's file is never written, even by accident."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _check_url(url: str) -> str | None:
    """Why a tile URL template cannot work, or None when it can."""
    if not re.match(r"^(https?://[^/]+|/)", url):
        return "must start with http://, https:// or / (a path on this server)"
    names = set(_PLACEHOLDER.findall(url))
    missing = [p for p in ("{z}", "{x}", "{y}") if p[1:-1] not in names]
    if "-y" in names and "{y}" in missing:
        missing.remove("{y}")
    if missing:
        return f"needs {{z}}, {{x}} and {{y}} (missing {', '.join(missing)})"
    unknown = sorted(names - _LEAFLET_PLACEHOLDERS)
    if unknown:
        return f"has placeholders no map can fill: {', '.join('{' + n + '}' for n in unknown)}"
    return None


def _find_mbtiles(configured: str | None, instance: Path) -> Path | None:
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else instance / path
    found = sorted(instance.glob("*.mbtiles"))
    return found[0] if found else None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _bounds(value: str | None) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in (value or "").split(","))
    except ValueError:
        return None
    return (west, south, east, north) if west < east and south < north else None


def read_mbtiles(path: Path) -> MBTiles:
    """The tiles' format, zoom range and extent; ValueError says why this is no MBTiles file."""
    if not path.is_file():
        raise ValueError("no such file")
    try:
        with closing(open_mbtiles(path)) as db:
            kinds = dict(
                db.execute(
                    "SELECT name, type FROM sqlite_master WHERE name IN ('tiles', 'metadata')"
                ).fetchall()
            )
            if "tiles" not in kinds or "metadata" not in kinds:
                raise ValueError("an SQLite database without the 'tiles' and 'metadata' tables")
            meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
            db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1")
            zooms = db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"not a readable MBTiles database: {exc}") from exc
    fmt = str(meta.get("format") or "png").lower()
    if fmt not in RASTER_TYPES:
        raise ValueError(f"tiles in format {fmt!r}; only raster png, jpg or webp can be drawn")
    stat = path.stat()
    version = hashlib.sha256(f"{path.resolve()}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    min_zoom, max_zoom = _int(meta.get("minzoom")), _int(meta.get("maxzoom"))
    return MBTiles(
        path=path,
        format=fmt,
        min_zoom=zooms[0] if min_zoom is None else min_zoom,
        max_zoom=zooms[1] if max_zoom is None else max_zoom,
        bounds=_bounds(meta.get("bounds")),
        version=version.hexdigest()[:12],
    )


def check_tile_setup(config: Mapping[str, Any], instance: Path) -> TileSetup:
    """What the maps will draw with these settings, and what is wrong with them."""
    problems: list[Problem] = []
    datum = re.sub(r"[-_\s]", "", str(config.get("TILE_DATUM") or "wgs84")).lower()
    if datum not in DATUMS:
        problems.append(
            Problem(
                f"WANJIA_TILE_DATUM {config.get('TILE_DATUM')!r} is not one of wgs84, gcj02: "
                "using wgs84",
                "set it to gcj02 for AMap or Tencent tiles, else wgs84 (or unset it)",
            )
        )
        datum = "wgs84"
    url = (config.get("TILE_URL") or "").strip() or None
    if url and (why := _check_url(url)):
        problems.append(
            Problem(
                f"WANJIA_TILE_URL {url!r} {why}: maps use the plain background",
                "give the tile server's template, like https://host/{z}/{x}/{y}.png, or unset it",
            )
        )
        url = None
    mbtiles = None
    path = _find_mbtiles(config.get("MBTILES"), instance)
    if path is not None:
        try:
            mbtiles = read_mbtiles(path)
        except ValueError as exc:
            problems.append(
                Problem(
                    f"MBTiles file {path} is not usable ({exc}): its tiles are not served",
                    "put a raster MBTiles file (png, jpg or webp tiles) there, or remove it "
                    "(or unset WANJIA_MBTILES)",
                )
            )
    return TileSetup(url=url, datum=datum, mbtiles=mbtiles, problems=tuple(problems))


def init_app(app: App) -> None:
    """Check the tile setup once, say what is wrong, and offer ``map_attributes`` to templates."""
    setup = check_tile_setup(app.config, Path(app.instance_path))
    for problem in setup.problems:
        log.warning("map tiles: %s; fix: %s", problem.message, problem.fix)
    if setup.mbtiles:
        log.info("map tiles: serving %s from %s", setup.mbtiles.format, setup.mbtiles.path)
    app.extensions[_EXTENSION_KEY] = setup
    app.add_template_global(map_attributes)


def tile_setup() -> TileSetup:
    return current_app.extensions[_EXTENSION_KEY]


def check_maps(app: Flask, now: datetime) -> list[Finding]:
    """The ``wanjia doctor`` check: what every map will draw, and each setting that is wrong."""
    setup = check_tile_setup(app.config, Path(app.instance_path))
    findings = [Finding("maps", "warn", p.message, p.fix) for p in setup.problems]
    if setup.mbtiles:
        tiles = setup.mbtiles
        drawn = (
            f"{tiles.format} tiles served from {tiles.path} "
            f"(zoom {tiles.min_zoom}-{tiles.max_zoom}, {setup.datum})"
        )
    elif setup.url:
        drawn = f"tiles from {setup.url} ({setup.datum})"
    else:
        drawn = "a plain background (no MBTiles file in the instance folder, no WANJIA_TILE_URL)"
    return [*findings, Finding("maps", "ok", f"maps draw {drawn}")]


def map_settings() -> dict[str, Any]:
    """What the browser's map factory needs: tile URL template, datum, native zooms, extent.

    Everything handed to the browser is WGS-84 (its CRS converts for GCJ-02 tiles), so the
    MBTiles extent is converted here. With no tiles the datum is moot: plain WGS-84.
    """
    setup = tile_setup()
    settings: dict[str, Any] = {"tile_url": None, "datum": "wgs84"}
    if setup.mbtiles:
        tiles = setup.mbtiles
        settings["tile_url"] = (
            f"{request.script_root}/tiles/{{z}}/{{x}}/{{y}}.{tiles.format}?v={tiles.version}"
        )
        settings["min_zoom"], settings["max_zoom"] = tiles.min_zoom, tiles.max_zoom
        if tiles.bounds:
            west, south, east, north = tiles.bounds
            if setup.datum == "gcj02":
                south, west = gcj02_to_wgs84(south, west)
                north, east = gcj02_to_wgs84(north, east)
            settings["bounds"] = [south, west, north, east]
    elif setup.url:
        settings["tile_url"] = setup.url
    if settings["tile_url"]:
        settings["datum"] = setup.datum
    return settings


def map_attributes() -> Markup:
    """``data-*`` attributes for a map element (``<div {{ map_attributes() }}>``)."""
    parts = []
    for key, value in map_settings().items():
        if value is None:
            continue
        text = json.dumps(value) if isinstance(value, list) else str(value)
        parts.append(f'data-{key.replace("_", "-")}="{html_escape(text)}"')
    return Markup(" ".join(parts))  # noqa: S704 - every value is escaped above
