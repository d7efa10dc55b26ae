"""Celery bound to the Flask config: every task runs inside an app context and takes ids.

Embedded mode uses kombu's filesystem transport (folders under ``instance/``), which needs no
server; the SQLAlchemy transport was rejected because it never deletes consumed rows, has no
remote control and chokes on ``polling_interval`` (README, "Embedded Celery broker").
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

from app import celery_filesystem

BEAT_SCHEDULE = {
    "escalate-dispatch-rounds": {
        "task": "realtime.tasks.escalate_due",
        "schedule": timedelta(seconds=5),
    },
    "expire-quiet-positions": {
        "task": "realtime.tasks.expire_presence",
        "schedule": timedelta(seconds=30),
    },
    "fold-score-events": {
        "task": "rewards.tasks.fold_score_events",
        "schedule": timedelta(minutes=1),
    },
    "cancel-uncollected-orders": {
        "task": "rewards.tasks.cancel_uncollected_orders",
        "schedule": timedelta(hours=1),
    },
    "close-patrol-route-windows": {
        "task": "checkins.tasks.close_route_windows",
        "schedule": timedelta(minutes=1),
    },
    "forget-old-checkin-positions": {  # 03:00 in China (UTC+8)
        "task": "checkins.tasks.forget_old_positions",
        "schedule": crontab(hour=19, minute=0),
    },
    "sweep-area-broadcasts": {
        "task": "broadcasts.tasks.sweep",
        "schedule": timedelta(seconds=30),
    },
    "find-hotspots-nightly": {  # 02:30 in China (UTC+8), after the day's events are in
        "task": "hotspots.tasks.run_nightly",
        "schedule": crontab(hour=18, minute=30),
    },
    "remind-appointments": {
        "task": "police_room.tasks.remind_appointments",
        "schedule": timedelta(minutes=10),
    },
    # Files no row names, a day old or more (app/media_store.py): hourly, as each is cheap.
    "sweep-unreferenced-sighting-media": {
        "task": "sightings.tasks.sweep_unreferenced_media",
        "schedule": timedelta(hours=1),
    },
    "sweep-unreferenced-broadcast-photos": {
        "task": "broadcasts.tasks.sweep_unreferenced_photos",
        "schedule": timedelta(hours=1),
    },
    "sweep-unreferenced-officer-photos": {
        "task": "police_room.tasks.sweep_unreferenced_photos",
        "schedule": timedelta(hours=1),
    },
    "purge-expired-login-sessions": {
        "task": "volunteers.tasks.purge_expired_login_sessions",
        "schedule": timedelta(hours=1),
    },
}


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    broker_url = app.config["CELERY_BROKER_URL"]
    settings: dict[str, Any] = {
        "broker_url": broker_url,
        "task_ignore_result": True,
        "task_always_eager": app.config["CELERY_ALWAYS_EAGER"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # A task running when the broker connection drops finishes (they are all safe to run
        # twice) rather than being cancelled half-way; its message comes back later.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "beat_schedule": BEAT_SCHEDULE,
        "timezone": "UTC",
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
    }
    celery_folder = Path(app.instance_path) / "celery"
    celery_folder.mkdir(parents=True, exist_ok=True)
    # Beat's own file, in the instance folder in both modes (Celery's default is the working
    # directory, so `wanjia beat` run from a checkout wrote into it).
    settings["beat_schedule_filename"] = str(celery_folder / "beat-schedule")
    if broker_url.startswith("filesystem://"):
        settings["broker_transport"] = celery_filesystem.TRANSPORT  # messages written whole
        folders = {name: celery_folder / name for name in ("queue", "processed", "control")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        settings["broker_transport_options"] = {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "store_processed": False,
            "polling_interval": 0.2,
        }
    elif app.config.get("CELERY_BROKER_TRANSPORT_OPTIONS"):
        # e.g. {"visibility_timeout": 600}: how long a task a killed worker held waits before
        # another worker gets it (Redis; kombu's default is an hour).
        settings["broker_transport_options"] = app.config["CELERY_BROKER_TRANSPORT_OPTIONS"]
    celery_app.config_from_object(settings)
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    import broadcasts.tasks  # noqa: F401 - registers the tasks with this Celery app
    import checkins.tasks  # noqa: F401
    import hotspots.tasks  # noqa: F401
    import police_room.tasks  # noqa: F401
    import realtime.tasks  # noqa: F401
    import rewards.tasks  # noqa: F401
    import sightings.tasks  # noqa: F401
    import volunteers.tasks  # noqa: F401

    return celery_app
