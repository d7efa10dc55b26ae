"""An officer accepts a hotspot's proposal (a temporary patrol point, made by checkins' own
service so its poster prints at once) or dismisses it; each proposal is decided once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from flask_babel import lazy_gettext as _l
from shapely.geometry import Point, shape
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, Invalid, NotFound
from app.types import utcnow
from app.uow import UnitOfWork
from checkins import points
from checkins.models import PatrolPoint
from hotspots.analysis import ACCEPTED, DISMISSED, PROPOSED
from hotspots.models import HotspotProposal, HotspotRun
from hotspots.rules import metres
from volunteers.areas import NOT_HERE, Areas
from volunteers.models import Community, Grid
from volunteers.person import Person

MAX_DAYS = 180  # the longest a temporary hotspot point may stay


def latest_run(session: Session, area_id: int) -> HotspotRun | None:
    return session.scalar(
        select(HotspotRun)
        .where(HotspotRun.police_area_id == area_id)
        .order_by(HotspotRun.ran_at.desc(), HotspotRun.id.desc())
        .limit(1)
    )


def open_proposals(session: Session, area_id: int) -> list[HotspotProposal]:
    """Undecided proposals and the ones decided in the latest run, busiest first."""
    run = latest_run(session, area_id)
    if run is None:
        return []
    return list(
        session.scalars(
            select(HotspotProposal)
            .where(HotspotProposal.run_id == run.id)
            .order_by(HotspotProposal.events.desc(), HotspotProposal.id)
        )
    )


def _proposal(session: Session, proposal_id: int, areas: Areas) -> HotspotProposal:
    proposal = session.get(HotspotProposal, proposal_id)
    if proposal is None or not areas.allows(proposal.police_area_id):
        raise NotFound("proposal_unknown", NOT_HERE)
    return proposal


def _claim(uow: UnitOfWork, proposal_id: int, status: str, officer: Person) -> None:
    """Move a proposed one on, once: a second decision, even a racing one, is refused."""
    claimed = uow.session.execute(
        update(HotspotProposal)
        .where(HotspotProposal.id == proposal_id, HotspotProposal.status == PROPOSED)
        .values(status=status, decided_by_id=officer.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "proposal_decided", _l("This proposal has already been decided or has expired.")
        )


def grid_at(session: Session, area_id: int, lat: float, lon: float) -> int:
    """The area's grid whose drawn boundary holds the spot (else the nearest drawn one; with
    none drawn, the grid of the nearest patrol point)."""
    grids = session.execute(
        select(Grid.id, Grid.boundary)
        .join(Community, Community.id == Grid.community_id)
        .where(Community.police_area_id == area_id)
        .order_by(Grid.id)
    ).all()
    drawn = [(gid, shape(b)) for gid, b in grids if b]
    if drawn:
        here = Point(lon, lat)
        return min(drawn, key=lambda g: g[1].distance(here))[0]
    near = session.execute(
        select(PatrolPoint.grid_id, PatrolPoint.lat, PatrolPoint.lon).where(
            PatrolPoint.grid_id.in_([gid for gid, _b in grids])
        )
    ).all()
    if near:
        d = metres(lat, lon, np.array([r[1] for r in near]), np.array([r[2] for r in near]))
        return int(near[int(d.argmin())][0])
    if grids:
        return int(grids[0][0])
    raise Invalid("grid_missing", _l("This police area has no grid to put the point in."))


def accept(
    uow: UnitOfWork,
    officer: Person,
    proposal_id: int,
    areas: Areas,
    tz: ZoneInfo,
    ends_on: date | None = None,
) -> HotspotProposal:
    """Make the proposed temporary patrol point (hotspot, active until the end date's night)."""
    session = uow.session
    proposal = _proposal(session, proposal_id, areas)
    today = utcnow().astimezone(tz).date()
    end = ends_on or proposal.ends_on
    if end < today:
        raise Invalid("ends_in_past", _l("The end date must not be in the past."))
    if end > today + timedelta(days=MAX_DAYS):
        raise Invalid(
            "ends_too_late",
            _l("A hotspot point is temporary: end it within %(days)d days.", days=MAX_DAYS),
        )
    _claim(uow, proposal.id, ACCEPTED, officer)
    name = _l("Hotspot %(n)d · stop %(minutes)d min", n=proposal.id, minutes=proposal.stop_minutes)
    point = points.create_point(
        uow,
        points.PointFields(
            name=str(name),
            lat=proposal.lat,
            lon=proposal.lon,
            radius_m=max(points.MIN_RADIUS_M, min(points.MAX_RADIUS_M, proposal.radius_m)),
            grid_id=grid_at(session, proposal.police_area_id, proposal.lat, proposal.lon),
            hotspot=True,
            active_from=utcnow(),
            active_until=datetime.combine(end, time(23, 59), tzinfo=tz),
        ),
        areas,
    )
    session.refresh(proposal)
    proposal.point_id, proposal.ends_on = point.id, end
    session.flush()
    return proposal


def dismiss(uow: UnitOfWork, officer: Person, proposal_id: int, areas: Areas) -> HotspotProposal:
    proposal = _proposal(uow.session, proposal_id, areas)
    _claim(uow, proposal.id, DISMISSED, officer)
    uow.session.refresh(proposal)
    return proposal
