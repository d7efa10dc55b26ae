"""A synthetic area with planted hotspots: half the events fall in a twentieth of the area (four
discs), the other half anywhere; used by the method tests and bench/hotspots.py."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SOUTH, WEST = 33.30, 120.10
SIDE_M = 2000.0
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(SOUTH + SIDE_M / 2 / M_PER_DEG_LAT))
CENTRES_M = [(400.0, 500.0), (1500.0, 400.0), (700.0, 1500.0), (1600.0, 1600.0)]
RADIUS_M = math.sqrt(SIDE_M**2 / 20 / len(CENTRES_M) / math.pi)  # four discs: 5% of the area


@dataclass(frozen=True)
class Events:
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    week: NDArray[np.int64]

    def weeks(self, first: int, last: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        keep = (self.week >= first) & (self.week <= last)
        return self.lat[keep], self.lon[keep]


def to_degrees(x_m: NDArray[np.float64], y_m: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    return SOUTH + y_m / M_PER_DEG_LAT, WEST + x_m / M_PER_DEG_LON


def bounds() -> tuple[float, float, float, float]:
    """south, west, north, east of the synthetic area."""
    north, east = to_degrees(np.array([SIDE_M]), np.array([SIDE_M]))
    return SOUTH, WEST, float(north[0]), float(east[0])


def planted(per_week: int, weeks: int = 16, seed: int = 1) -> Events:
    """``per_week`` events a week for ``weeks`` weeks: half in the discs, half anywhere."""
    rng = np.random.default_rng(seed)
    total = per_week * weeks
    hot = rng.random(total) < 0.5
    which = rng.integers(0, len(CENTRES_M), total)
    angle = rng.random(total) * 2 * math.pi
    reach = RADIUS_M * np.sqrt(rng.random(total))
    centres = np.array(CENTRES_M)[which]
    x = np.where(hot, centres[:, 0] + reach * np.cos(angle), rng.random(total) * SIDE_M)
    y = np.where(hot, centres[:, 1] + reach * np.sin(angle), rng.random(total) * SIDE_M)
    lat, lon = to_degrees(x, y)
    return Events(lat, lon, np.repeat(np.arange(weeks), per_week))


def planted_cells_m() -> list[tuple[float, float]]:
    """The discs' centres, metres east and north of the south-west corner."""
    return list(CENTRES_M)
