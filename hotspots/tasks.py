"""The hotspot analysis as Celery tasks: nightly for every police area (beat), and for one area
when an officer presses "run now". Each area's run is its own unit of work."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy import select

from app.extensions import db
from app.times import local_zone
from app.uow import unit_of_work
from hotspots.analysis import run_analysis
from volunteers.models import PoliceArea


@shared_task(name="hotspots.tasks.run_area")
def run_area(area_id: int) -> int:
    """Analyse one area; the new run's id."""
    with unit_of_work() as uow:
        run = run_analysis(uow, area_id, local_zone())
        uow.commit()
        return run.id


@shared_task(name="hotspots.tasks.run_nightly")
def run_nightly() -> int:
    """Analyse every area; how many were analysed."""
    area_ids = list(db.session.scalars(select(PoliceArea.id).order_by(PoliceArea.id)))
    for area_id in area_ids:
        run_area(area_id)
    return len(area_ids)
