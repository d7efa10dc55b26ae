"""From the chosen method's cell scores to hotspots and the heat layer (pure functions)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy import ndimage

from hotspots.methods import CELL_M, Floats, Grid, flagged

MAX_PROPOSALS = 5
MIN_EVENTS = 6  # a hotspot proposes a point only with this many events inside it (16 weeks)
MIN_RADIUS_M, MAX_RADIUS_M = 30, 150
PROPOSAL_DAYS = 28  # the forecast horizon: the weeks the methods were scored on
HEAT_CELLS = 2000  # the heat layer's most weighted cells
HEAT_FLOOR = 0.15  # lighter cells stay off the heat layer: the background is not a hotspot


@dataclass(frozen=True)
class Hotspot:
    lat: float
    lon: float
    radius_m: int
    events: int
    stop_minutes: int


def stop_minutes(events: int) -> int:
    """10 to 15 minutes (the Koper curve): longer where more happened."""
    return min(15, 10 + events // 4)


def ends_on(today: date) -> date:
    return today + timedelta(days=PROPOSAL_DAYS)


def hotspots(grid: Grid, scores: Floats, lat: Floats, lon: Floats) -> list[Hotspot]:
    """The flagged cells grouped into touching patches; each patch is a hotspot at its
    score-weighted centre, wide enough to cover it, with the events inside; busiest first."""
    mask = np.zeros(grid.cells, dtype=bool)
    mask[flagged(scores)] = True
    labels, count = ndimage.label(mask.reshape(grid.rows, grid.cols), structure=np.ones((3, 3)))
    c_lat, c_lon = grid.centres()
    flat = labels.ravel()
    found = []
    for patch in range(1, count + 1):
        cells = np.flatnonzero(flat == patch)
        weight = scores[cells] if scores[cells].sum() > 0 else np.ones(len(cells))
        lat0 = float(np.average(c_lat[cells], weights=weight))
        lon0 = float(np.average(c_lon[cells], weights=weight))
        reach = metres(lat0, lon0, c_lat[cells], c_lon[cells]).max() + CELL_M / 2
        radius = int(min(MAX_RADIUS_M, max(MIN_RADIUS_M, math.ceil(reach))))
        inside = int((metres(lat0, lon0, lat, lon) <= radius).sum())
        if inside >= MIN_EVENTS:
            found.append(Hotspot(lat0, lon0, radius, inside, stop_minutes(inside)))
    found.sort(key=lambda h: -h.events)
    return found[:MAX_PROPOSALS]


def metres(lat0: float, lon0: float, lat: Floats, lon: Floats) -> Floats:
    """Distances from one spot, on a local flat projection (good to centimetres over km)."""
    dy = (lat - lat0) * 110_900.0
    dx = (lon - lon0) * 111_320.0 * math.cos(math.radians(lat0))
    return np.asarray(np.hypot(dx, dy), dtype=np.float64)


def heat(grid: Grid, scores: Floats) -> list[list[float]]:
    """[lat, lon, weight 0-1] of the cells that score, heaviest first."""
    top = float(scores.max()) if len(scores) else 0.0
    if top <= 0:
        return []
    order = np.argsort(-scores)[:HEAT_CELLS]
    c_lat, c_lon = grid.centres()
    return [
        [round(float(c_lat[i]), 6), round(float(c_lon[i]), 6), round(float(scores[i]) / top, 3)]
        for i in order
        if scores[i] / top >= HEAT_FLOOR
    ]
