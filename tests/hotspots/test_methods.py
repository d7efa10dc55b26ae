"""The methods on planted data: the planted discs are found, and PAI is computed right."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots import methods, rules
from tests.hotspots import planted


def _grid() -> methods.Grid:
    return methods.grid_over(*planted.bounds())


def test_pai_on_a_hand_example() -> None:
    """10 x 10 cells, 2 flagged (2% of the area), 5 of 10 events in them: PAI = 0.5 / 0.02 = 25."""
    grid = methods.Grid(south=30.0, west=120.0, rows=10, cols=10)
    c_lat, c_lon = grid.centres()
    inside = [0, 0, 1, 1, 1]  # cell ids of events in the flagged cells
    outside = [5, 17, 42, 99, 63]
    cells = np.array(inside + outside)
    assert methods.pai(grid, np.array([0, 1]), c_lat[cells], c_lon[cells]) == pytest.approx(25.0)
    assert methods.pai(grid, np.array([0, 1]), np.array([]), np.array([])) == 0.0
    # an event outside the grid is a miss, not ignored
    far = np.append(c_lat[cells], 10.0), np.append(c_lon[cells], 10.0)
    assert methods.pai(grid, np.array([0, 1]), *far) == pytest.approx(5 / 11 / 0.02)


def test_every_method_flags_the_same_share_of_the_area() -> None:
    grid = _grid()
    events = planted.planted(25)
    for method in methods.METHODS.values():
        assert len(methods.flagged(method(grid, events.lat, events.lon))) == round(
            grid.cells * methods.FLAGGED_SHARE
        )


@pytest.mark.parametrize("name", ["kde", "gistar", "hdbscan"])
def test_the_planted_discs_are_found(name: str) -> None:
    """Each planted disc's centre lies within 100 m of one of the method's hotspots."""
    grid = _grid()
    events = planted.planted(25)
    scores = methods.METHODS[name](grid, events.lat, events.lon)
    found = rules.hotspots(grid, scores, events.lat, events.lon)
    for x, y in planted.planted_cells_m():
        lat, lon = planted.to_degrees(np.array([x]), np.array([y]))
        nearest = min(rules.metres(h.lat, h.lon, lat, lon)[0] for h in found)
        assert nearest < 100, (name, x, y)


def test_the_chosen_method_beats_the_naive_count_on_sparse_planted_data() -> None:
    grid = _grid()
    ratios = []
    for seed in range(3):
        events = planted.planted(25, seed=seed)
        judged = methods.evaluate(grid, events.weeks(0, 11), events.weeks(12, 15))
        assert judged.chosen in ("kde", "gistar", "hdbscan")
        assert set(judged.scores) == {"naive", "kde", "gistar", "hdbscan"}
        ratios.append(judged.scores[judged.chosen] / judged.scores["naive"])
    assert np.mean(ratios) >= 1.3


def test_hotspots_propose_a_ten_to_fifteen_minute_stop() -> None:
    grid = _grid()
    events = planted.planted(25)
    found = rules.hotspots(grid, methods.kde(grid, events.lat, events.lon), events.lat, events.lon)
    assert 1 <= len(found) <= rules.MAX_PROPOSALS
    assert all(10 <= h.stop_minutes <= 15 for h in found)
    assert all(rules.MIN_RADIUS_M <= h.radius_m <= rules.MAX_RADIUS_M for h in found)
    assert [h.events for h in found] == sorted((h.events for h in found), reverse=True)


def test_heat_weights_run_from_the_top_cell_down() -> None:
    grid = _grid()
    events = planted.planted(25)
    heat = rules.heat(grid, methods.kde(grid, events.lat, events.lon))
    assert heat[0][2] == 1.0
    assert all(rules.HEAT_FLOOR <= w <= 1.0 for _lat, _lon, w in heat)
    assert rules.heat(grid, np.zeros(grid.cells)) == []
