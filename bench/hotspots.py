"""Hotspot methods judged forward in time: the Predictive Accuracy Index of each, and their speed.

Planted data (tests/hotspots/planted.py): a 2 x 2 km area, 25 events a week for 16 weeks, half
of them in four discs covering a twentieth of the area and half anywhere; fitted on weeks 1-12,
scored on weeks 13-16; several seeds, the mean PAI of each method (every method flags the same
5% of the 50 m cells, hotspots/methods.py). The demo area (`wanjia demo` in a temp folder, its
16 weeks of incidents and confirmed sightings from app/demo_history.py), judged the same way
the nightly job does. Speed: 100,000 planted events (75,000 fitted, 25,000 scored), each
method's fit and the whole analysis (all four fitted and scored, the chosen one refitted on
all the events), in seconds.

Targets: the chosen method's PAI at least 1.3 times the naive grid count's on the planted data;
under 10 s for 100,000 events. `--quick`: 2 seeds instead of 8. Last line, JSON: `chosen`,
`pai`, `naive_pai`, `seconds_100k`, and the rest of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotspots import methods  # noqa: E402
from tests.hotspots import planted  # noqa: E402
from tests.servers import seed_demo, server_env  # noqa: E402

PER_WEEK = 25
TARGET_RATIO = 1.3
TARGET_SECONDS = 10.0


def planted_runs(seeds: int) -> dict[str, Any]:
    grid = methods.grid_over(*planted.bounds())
    scores: dict[str, list[float]] = {name: [] for name in methods.METHODS}
    chosen: list[str] = []
    chosen_pai: list[float] = []
    for seed in range(seeds):
        events = planted.planted(PER_WEEK, seed=seed)
        judged = methods.evaluate(grid, events.weeks(0, 11), events.weeks(12, 15))
        for name, pai in judged.scores.items():
            scores[name].append(pai)
        chosen.append(judged.chosen)
        chosen_pai.append(judged.scores[judged.chosen])
    return {
        "mean_pai": {name: round(statistics.mean(v), 2) for name, v in scores.items()},
        "chosen": Counter(chosen).most_common(1)[0][0],
        "chosen_pai": round(statistics.mean(chosen_pai), 2),
    }


def demo_area() -> dict[str, Any]:
    """The demo area's 16 weeks, judged as the nightly job judges them."""
    from app import create_app
    from app.extensions import db
    from app.types import utcnow
    from hotspots import analysis
    from volunteers.models import PoliceArea

    with tempfile.TemporaryDirectory() as folder:
        seed_demo(Path(folder))
        os.environ.update(server_env(Path(folder)))
        app = create_app()
        with app.app_context():
            session = db.session()
            area = session.query(PoliceArea).filter_by(name="城南警务区").one()
            now = utcnow()
            split = now - timedelta(weeks=analysis.SCORED_WEEKS)
            start = split - timedelta(weeks=analysis.FIT_WEEKS)
            events = analysis.area_events(session, area.id, start)
            grid = analysis.study_grid(session, area.id, events)
            fitted, scored = events.between(start, split), events.between(split, now)
            judged = methods.evaluate(grid, fitted, scored)
            db.engine.dispose()
    return {"events": len(events.at), "pai": judged.scores, "chosen": judged.chosen}


def speed() -> dict[str, Any]:
    events = planted.planted(100_000 // 16, seed=99)
    grid = methods.grid_over(*planted.bounds())
    per_method = {}
    for name, method in methods.METHODS.items():
        began = time.perf_counter()
        method(grid, events.lat, events.lon)
        per_method[name] = round(time.perf_counter() - began, 2)
    began = time.perf_counter()
    judged = methods.evaluate(grid, events.weeks(0, 11), events.weeks(12, 15))
    methods.METHODS[judged.chosen](grid, events.lat, events.lon)
    return {
        "events": len(events.lat),
        "seconds_each": per_method,
        "seconds_whole": round(time.perf_counter() - began, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 seeds instead of 8")
    args = parser.parse_args()
    synthetic = planted_runs(2 if args.quick else 8)
    print("planted data, mean PAI:", synthetic["mean_pai"], "chosen:", synthetic["chosen"])
    demo = demo_area()
    print(f"demo area, {demo['events']} events, PAI:", demo["pai"], "chosen:", demo["chosen"])
    timing = speed()
    print(f"{timing['events']} events: each method", timing["seconds_each"], "s; whole",
          timing["seconds_whole"], "s")  # fmt: skip
    naive = synthetic["mean_pai"]["naive"]
    result = {
        "chosen": synthetic["chosen"],
        "pai": synthetic["chosen_pai"],
        "naive_pai": naive,
        "ratio": round(synthetic["chosen_pai"] / naive, 2),
        "seconds_100k": timing["seconds_whole"],
        "planted_pai": synthetic["mean_pai"],
        "demo_pai": demo["pai"],
        "demo_chosen": demo["chosen"],
        "demo_events": demo["events"],
        "seconds_each_100k": timing["seconds_each"],
        "target_met": synthetic["chosen_pai"] >= TARGET_RATIO * naive
        and timing["seconds_whole"] < TARGET_SECONDS,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
