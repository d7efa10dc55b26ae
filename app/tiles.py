"""Map tiles served from the operator's MBTiles file, so maps work with no internet at all.

Tiles are public map imagery: no login. MBTiles rows are numbered TMS-style (row 0 at the
south), the web's tile URLs XYZ-style (row 0 at the north): the row is flipped here.
"""

from __future__ import annotations

from contextlib import closing

from flask import Blueprint, Response

from app import maps

bp = Blueprint("tiles", __name__)
bp.record_once(lambda state: maps.init_app(state.app))

MAX_ZOOM = 30
# Tile URLs carry the file's version (?v=), so a replaced file gets new URLs.
CACHED = "public, max-age=31536000, immutable"
MISSING = "public, max-age=300"


def read_tile(mbtiles: maps.MBTiles, z: int, x: int, y: int) -> bytes | None:
    """The tile at XYZ (z, x, y), or None. One short read-only connection per request."""
    with closing(maps.open_mbtiles(mbtiles.path)) as db:
        row = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, (1 << z) - 1 - y),
        ).fetchone()
    return bytes(row[0]) if row and row[0] else None


@bp.get("/tiles/<int:z>/<int:x>/<int:y>.<ext>")
def tile(z: int, x: int, y: int, ext: str) -> Response:
    mbtiles = maps.tile_setup().mbtiles
    missing = Response(status=404, headers={"Cache-Control": MISSING})
    if mbtiles is None or z > MAX_ZOOM or x >= 1 << z or y >= 1 << z:
        return missing
    mimetype = maps.RASTER_TYPES[mbtiles.format]
    data = read_tile(mbtiles, z, x, y) if maps.RASTER_TYPES.get(ext) == mimetype else None
    if data is None:
        return missing
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = CACHED
    return response
