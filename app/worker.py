"""Run a Celery worker and beat inside the server process (embedded mode only).

Why in-process: the embedded default must work with one command and no outside server. The
worker uses the threads pool so it shares the process with Socket.IO; beat's schedule is a file.
Timers that must survive a crash are rows in the database acted on by periodic sweeps, because a
killed process loses the countdown tasks its worker already held.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from celery import Celery
from celery.beat import EmbeddedService

log = logging.getLogger(__name__)


@dataclass
class EmbeddedCelery:
    worker: object
    thread: threading.Thread
    beat: EmbeddedService | None

    def stop(self) -> None:
        if self.beat is not None:
            self.beat.stop()
        self.worker.stop(in_sighandler=False)  # type: ignore[attr-defined]
        self.thread.join(timeout=10)


def set_aside_torn_messages(celery_app: Celery) -> list[Path]:
    """Move queued messages that are not whole JSON to ``celery/torn/``, logged, with any still
    under its hidden name (app/celery_filesystem.py). A process killed while an older kombu
    write was under way left the file empty or cut off, and the worker's consumer failed on it
    at every poll, so nothing queued after it would run."""
    folder = (celery_app.conf.broker_transport_options or {}).get("data_folder_in")
    if not folder:
        return []
    torn = Path(folder).parent / "torn"
    unsent = sorted(Path(folder).glob(".*.partial"))  # never renamed into place (a crash)
    cut_off = [m for m in sorted(Path(folder).glob("*.msg")) if not _whole(m)]
    moved = []
    for message in [*unsent, *cut_off]:
        torn.mkdir(exist_ok=True)
        moved.append(message.replace(torn / message.name))
        log.warning("set aside a torn Celery message (a crash cut it off): %s", message.name)
    return moved


def _whole(message: Path) -> bool:
    try:
        json.loads(message.read_bytes())
    except ValueError:
        return False
    return True


def start_embedded(
    celery_app: Celery, *, beat: bool = True, concurrency: int = 2
) -> EmbeddedCelery:
    celery_app.set_default()
    set_aside_torn_messages(celery_app)
    worker = celery_app.WorkController(
        hostname=f"embedded@{socket.gethostname()}",
        pool_cls="threads",
        concurrency=concurrency,
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        loglevel="WARNING",
    )
    thread = threading.Thread(target=worker.start, name="celery-worker", daemon=True)
    thread.start()
    beat_service = None
    if beat:
        beat_service = EmbeddedService(
            celery_app, thread=True, schedule_filename=celery_app.conf.beat_schedule_filename
        )
        beat_service.start()
    log.info("embedded Celery worker%s started", " and beat" if beat else "")
    return EmbeddedCelery(worker=worker, thread=thread, beat=beat_service)
