"""One analysis of a police area: its incidents and confirmed sightings of the last 16 weeks,
the methods fitted on the first 12 and scored on the last 4, the best one refitted on all 16 for
the heat layer and the proposals. A hotspot already covered by an active hotspot patrol point
(one accepted before, or set by hand) proposes nothing new. Safe to run twice: a new run
expires the last one's undecided proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from shapely.geometry import shape
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.types import utcnow
from app.uow import UnitOfWork
from checkins.models import PatrolPoint
from hotspots import methods, rules
from hotspots.models import HotspotProposal, HotspotRun
from hotspots.rules import metres
from realtime.models import Incident
from sightings.models import Sighting
from volunteers.models import Community, Grid, PoliceArea

FIT_WEEKS, SCORED_WEEKS = 12, 4
MIN_EVENTS = 20  # fewer, and no method can be judged: the run says so and proposes nothing
NO_METHOD = "none"
PROPOSED, ACCEPTED, DISMISSED, EXPIRED = "proposed", "accepted", "dismissed", "expired"


@dataclass(frozen=True)
class Events:
    lat: methods.Floats
    lon: methods.Floats
    at: list[datetime]

    def between(self, start: datetime, end: datetime) -> tuple[methods.Floats, methods.Floats]:
        keep = np.array([start <= t < end for t in self.at], dtype=bool)
        return self.lat[keep], self.lon[keep]


def area_events(session: Session, area_id: int, since: datetime) -> Events:
    """Incidents and confirmed sightings of the area since ``since``."""
    incidents = session.execute(
        select(Incident.lat, Incident.lon, Incident.created_at).where(
            Incident.police_area_id == area_id, Incident.created_at >= since
        )
    ).all()
    sightings = session.execute(
        select(Sighting.lat, Sighting.lon, Sighting.created_at).where(
            Sighting.police_area_id == area_id,
            Sighting.status == "confirmed",
            Sighting.created_at >= since,
        )
    ).all()
    rows = [*incidents, *sightings]
    return Events(
        np.array([r[0] for r in rows], dtype=np.float64),
        np.array([r[1] for r in rows], dtype=np.float64),
        [r[2] for r in rows],
    )


def study_grid(session: Session, area_id: int, events: Events) -> methods.Grid:
    """Cells over the area's drawn communities, or over where its events happened."""
    drawn = [
        shape(b)
        for b in session.scalars(
            select(Community.boundary).where(Community.police_area_id == area_id)
        )
        if b
    ]
    if drawn:
        bounds = np.array([g.bounds for g in drawn])  # west, south, east, north
        return methods.grid_over(
            bounds[:, 1].min(), bounds[:, 0].min(), bounds[:, 3].max(), bounds[:, 2].max()
        )
    area = session.get_one(PoliceArea, area_id)
    lat = np.append(events.lat, area.center_lat)
    lon = np.append(events.lon, area.center_lon)
    pad = 0.001  # about 100 m
    return methods.grid_over(lat.min() - pad, lon.min() - pad, lat.max() + pad, lon.max() + pad)


def run_analysis(uow: UnitOfWork, area_id: int, tz: ZoneInfo) -> HotspotRun:
    """Compare the methods, store the run with its heat grid and propose patrol points."""
    session, now = uow.session, utcnow()
    split = now - timedelta(weeks=SCORED_WEEKS)
    start = split - timedelta(weeks=FIT_WEEKS)
    events = area_events(session, area_id, start)
    grid = study_grid(session, area_id, events)
    run = HotspotRun(police_area_id=area_id, ran_at=now, events=len(events.at))
    session.execute(
        update(HotspotProposal)
        .where(HotspotProposal.police_area_id == area_id, HotspotProposal.status == PROPOSED)
        .values(status=EXPIRED)
    )
    if len(events.at) < MIN_EVENTS:
        run.chosen, run.scores, run.heat = NO_METHOD, {}, []
        session.add(run)
        session.flush()
        return run
    judged = methods.evaluate(grid, events.between(start, split), events.between(split, now))
    scores = methods.METHODS[judged.chosen](grid, events.lat, events.lon)
    run.chosen, run.scores, run.heat = judged.chosen, judged.scores, rules.heat(grid, scores)
    session.add(run)
    session.flush()
    points = _hotspot_points(session, area_id, now)
    ends_on = rules.ends_on(now.astimezone(tz).date())
    for spot in rules.hotspots(grid, scores, events.lat, events.lon):
        if (
            len(points)
            and metres(spot.lat, spot.lon, points[:, 0], points[:, 1]).min() <= spot.radius_m
        ):
            continue
        session.add(
            HotspotProposal(
                run_id=run.id,
                police_area_id=area_id,
                lat=round(spot.lat, 6),
                lon=round(spot.lon, 6),
                radius_m=spot.radius_m,
                events=spot.events,
                stop_minutes=spot.stop_minutes,
                ends_on=ends_on,
                status=PROPOSED,
            )
        )
    session.flush()
    return run


def _hotspot_points(session: Session, area_id: int, now: datetime) -> methods.Floats:
    rows = session.execute(
        select(PatrolPoint.lat, PatrolPoint.lon)
        .join(Grid, Grid.id == PatrolPoint.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .where(
            Community.police_area_id == area_id,
            PatrolPoint.hotspot.is_(True),
            PatrolPoint.retired_at.is_(None),
            (PatrolPoint.active_until.is_(None)) | (PatrolPoint.active_until > now),
        )
    ).all()
    return np.array([[r[0], r[1]] for r in rows], dtype=np.float64).reshape(-1, 2)
