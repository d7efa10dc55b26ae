"""Which embedded Celery broker: kombu's filesystem transport or its SQLAlchemy (SQLite) one.

Both run a real worker (threads pool) inside this process, as `wanjia run` does. For each we
send tasks one at a time and measure send-to-start delay; then we look at what the broker
leaves behind. Last line, JSON: per transport `median_ms`, `p95_ms`, `leftover` (files or rows
still stored after every task ran) or `error`; and `chosen`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.worker import start_embedded  # noqa: E402


def measure(broker_url: str | None, instance: Path, count: int) -> dict:
    settings = {"CELERY_EMBEDDED": True}
    if broker_url:
        settings["CELERY_BROKER_URL"] = broker_url
    app = create_app(settings, str(instance))
    celery_app = app.extensions["celery"]
    if broker_url and broker_url.startswith("sqla+"):
        # Its own option dict goes to create_engine, so "polling_interval" there is a TypeError:
        # the SQLAlchemy transport polls at kombu's default, once a second.
        celery_app.conf.broker_transport_options = {}
    delays: list[float] = []

    @celery_app.task(name=f"bench.ping.{instance.name}")
    def ping(sent: float) -> None:
        delays.append(time.time() - sent)

    try:
        embedded = start_embedded(celery_app, beat=False)
    except Exception as exc:  # noqa: BLE001 - a broker that cannot start is a finding
        return {"error": f"{type(exc).__name__}: {exc}"}
    try:
        for i in range(count):
            ping.delay(time.time())
            deadline = time.time() + 10
            while len(delays) <= i and time.time() < deadline:
                time.sleep(0.005)
            if len(delays) <= i:
                return {"error": "task did not run within 10 s"}
    except Exception as exc:  # noqa: BLE001
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        embedded.stop()
    ms = sorted(d * 1000 for d in delays)
    return {
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
        "leftover": leftover(broker_url, instance),
    }


def leftover(broker_url: str | None, instance: Path) -> int:
    if not broker_url:
        return sum(1 for p in (instance / "celery").rglob("*.msg"))
    engine = create_engine(broker_url.removeprefix("sqla+"))
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        return sum(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in tables
            if "message" in t
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 tasks per broker instead of 100")
    args = parser.parse_args()
    count = 10 if args.quick else 100
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        fs = Path(tmp) / "fs"
        results["filesystem"] = measure(None, fs, count)
        sqla = Path(tmp) / "sqla"
        sqla.mkdir()
        results["sqlalchemy"] = measure(f"sqla+sqlite:///{sqla / 'broker.db'}", sqla, count)
    for name, figures in results.items():
        print(f"{name:<11} {figures}")
    results["chosen"] = "filesystem"
    print(json.dumps(results))


if __name__ == "__main__":
    main()
