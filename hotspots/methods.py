"""Where events concentrate, four ways, judged forward in time (pure: numpy, scikit-learn, esda).

Every method gives each cell of one grid over the study area a score; the cells with the top
scores covering the same share of the area (``FLAGGED_SHARE``) are that method's hotspots, so
the Predictive Accuracy Index compares like with like:

    PAI = (events of the scored weeks inside flagged cells / all of them) / (flagged / all cells)

- ``naive``: the count of past events per cell (the baseline).
- ``kde``: scikit-learn's KernelDensity with the haversine metric (a Gaussian kernel),
  evaluated at each cell's centre. Bandwidth matters more than cell size, so it is chosen
  among ``KDE_BANDWIDTHS_M`` by 3-fold cross-validated likelihood (GridSearchCV) on the
  fitted events.
- ``gistar``: Getis-Ord Gi* (PySAL's esda) of the cell counts over each cell and its eight
  neighbours (libpysal's queen lattice weights, binary): the z-score of a local concentration.
- ``hdbscan``: scikit-learn's HDBSCAN on the events' positions in a local metric projection
  (euclidean metres: over a few kilometres it differs from haversine by millimetres and runs
  five times faster); each cell scores the membership strength of the clustered events in it,
  noise scores nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import HDBSCAN
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KernelDensity

EARTH_RADIUS_M = 6_371_000.0
CELL_M = 50.0  # grid cell side
FLAGGED_SHARE = 0.05  # every method flags this share of the cells (about half the events, if hot)
KDE_BANDWIDTHS_M = (25.0, 50.0, 100.0, 200.0)
KDE_CV_EVENTS = 2_000  # the bandwidth is chosen on a sample this large
HDBSCAN_MAX_EVENTS = 10_000  # HDBSCAN is fitted on a fixed random sample above this
KDE_MAX_EVENTS = 20_000  # likewise for the kernel density (the sample's density is the same)
TIE_BREAK = 1e-6  # a method's empty cells are ordered by the naive count, never at random

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Grid:
    """Square cells of ``CELL_M`` over a bounding box, in a local metric projection."""

    south: float
    west: float
    rows: int
    cols: int

    @property
    def cells(self) -> int:
        return self.rows * self.cols

    @property
    def m_per_deg_lon(self) -> float:
        return 111_320.0 * math.cos(math.radians(self.south + self.rows * CELL_M / 2 / 110_900.0))

    def cell_of(self, lat: Floats, lon: Floats) -> NDArray[np.int64]:
        """Each position's cell index, or -1 outside the grid."""
        row = np.floor((lat - self.south) * 110_900.0 / CELL_M).astype(np.int64)
        col = np.floor((lon - self.west) * self.m_per_deg_lon / CELL_M).astype(np.int64)
        inside = (row >= 0) & (row < self.rows) & (col >= 0) & (col < self.cols)
        return np.where(inside, row * self.cols + col, -1)

    def centres(self) -> tuple[Floats, Floats]:
        rows, cols = np.divmod(np.arange(self.cells), self.cols)
        lat = self.south + (rows + 0.5) * CELL_M / 110_900.0
        lon = self.west + (cols + 0.5) * CELL_M / self.m_per_deg_lon
        return lat.astype(np.float64), lon.astype(np.float64)


def grid_over(south: float, west: float, north: float, east: float) -> Grid:
    """The grid covering a bounding box (at least one cell)."""
    mid = math.radians((south + north) / 2)
    rows = max(1, math.ceil((north - south) * 110_900.0 / CELL_M))
    cols = max(1, math.ceil((east - west) * 111_320.0 * math.cos(mid) / CELL_M))
    return Grid(south, west, rows, cols)


def counts(grid: Grid, lat: Floats, lon: Floats) -> Floats:
    cells = grid.cell_of(lat, lon)
    return np.bincount(cells[cells >= 0], minlength=grid.cells).astype(np.float64)


def _sample(lat: Floats, lon: Floats, limit: int) -> tuple[Floats, Floats]:
    if len(lat) <= limit:
        return lat, lon
    pick = np.random.default_rng(0).choice(len(lat), size=limit, replace=False)
    return lat[pick], lon[pick]


def naive(grid: Grid, lat: Floats, lon: Floats) -> Floats:
    return counts(grid, lat, lon)


def kde(grid: Grid, lat: Floats, lon: Floats) -> Floats:
    base = counts(grid, lat, lon) * TIE_BREAK
    if len(lat) == 0:
        return base
    lat, lon = _sample(lat, lon, KDE_MAX_EVENTS)
    model = KernelDensity(
        bandwidth=kde_bandwidth_m(lat, lon) / EARTH_RADIUS_M, metric="haversine", rtol=1e-3
    ).fit(np.radians(np.column_stack([lat, lon])))
    c_lat, c_lon = grid.centres()
    density = np.exp(model.score_samples(np.radians(np.column_stack([c_lat, c_lon]))))
    top = density.max()
    return (density / top if top > 0 else density) + base


def kde_bandwidth_m(lat: Floats, lon: Floats) -> float:
    """The bandwidth that best predicts held-out events (3-fold cross-validated likelihood)."""
    if len(lat) < 15:
        return KDE_BANDWIDTHS_M[-2]
    lat, lon = _sample(lat, lon, KDE_CV_EVENTS)
    search = GridSearchCV(
        KernelDensity(metric="haversine", rtol=1e-3),
        {"bandwidth": [b / EARTH_RADIUS_M for b in KDE_BANDWIDTHS_M]},
        cv=3,
    ).fit(np.radians(np.column_stack([lat, lon])))
    return float(search.best_params_["bandwidth"]) * EARTH_RADIUS_M


def hdbscan(grid: Grid, lat: Floats, lon: Floats) -> Floats:
    base = counts(grid, lat, lon) * TIE_BREAK
    if len(lat) < 10:
        return base
    lat, lon = _sample(lat, lon, HDBSCAN_MAX_EVENTS)
    size = max(5, round(len(lat) * 0.01))
    metres = np.column_stack([lat * 110_900.0, lon * grid.m_per_deg_lon])
    model = HDBSCAN(min_cluster_size=size, min_samples=5, copy=True).fit(metres)
    member = model.labels_ >= 0
    cells = grid.cell_of(lat[member], lon[member])
    strength = np.bincount(
        cells[cells >= 0], weights=model.probabilities_[member][cells >= 0], minlength=grid.cells
    )
    return strength.astype(np.float64) + base


def gistar(grid: Grid, lat: Floats, lon: Floats) -> Floats:
    # Imported here: esda brings pandas, two seconds that only the analysis should pay.
    from esda.getisord import G_Local
    from libpysal.weights import lat2W

    cells = counts(grid, lat, lon)
    base = cells * TIE_BREAK
    if grid.cells < 2 or cells.sum() == 0:
        return base
    weights = lat2W(grid.rows, grid.cols, rook=False)  # ids row by row, as Grid numbers cells
    local = G_Local(cells, weights, transform="B", star=True, permutations=0)
    return np.nan_to_num(np.asarray(local.Zs, dtype=np.float64)) + base


METHODS: dict[str, Callable[[Grid, Floats, Floats], Floats]] = {
    "naive": naive,
    "kde": kde,
    "gistar": gistar,
    "hdbscan": hdbscan,
}
BASELINE = "naive"


def flagged(scores: Floats, share: float = FLAGGED_SHARE) -> NDArray[np.int64]:
    """The cells with the top scores covering ``share`` of the grid (at least one); ties go
    to the lower cell index, the same for every method."""
    k = max(1, round(len(scores) * share))
    order = np.lexsort((np.arange(len(scores)), -scores))
    return order[:k].astype(np.int64)


def pai(grid: Grid, cells: NDArray[np.int64], lat: Floats, lon: Floats) -> float:
    """Predictive Accuracy Index of flagging ``cells`` for the events at ``lat``/``lon``
    (events outside the grid count as missed); 0 with no events to score."""
    if len(lat) == 0:
        return 0.0
    hit = np.isin(grid.cell_of(lat, lon), cells).sum() / len(lat)
    return float(hit / (len(cells) / grid.cells))


@dataclass(frozen=True)
class Evaluation:
    scores: dict[str, float]  # method -> PAI on the scored weeks
    chosen: str


def evaluate(
    grid: Grid,
    fit: tuple[Floats, Floats],
    scored: tuple[Floats, Floats],
    methods: dict[str, Callable[[Grid, Floats, Floats], Floats]] = METHODS,
) -> Evaluation:
    """Fit every method on the past weeks and score its hotspots on the following weeks; the
    chosen method is the standard one with the best PAI (the baseline is only compared)."""
    scores = {
        name: round(pai(grid, flagged(m(grid, *fit)), *scored), 3) for name, m in methods.items()
    }
    candidates = [name for name in methods if name != BASELINE] or [BASELINE]
    chosen = max(candidates, key=lambda name: scores[name])  # first listed wins a tie
    return Evaluation(scores, chosen)
