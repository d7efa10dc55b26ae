"""Places and events for the barometer and coverage tests: two communities with drawn
boundaries (the area's own 测试社区 and 东园社区), one without, and builders for incidents,
sightings, points and check-ins at given local times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.orm import Session

from app.uow import unit_of_work
from checkins.models import VALID, CheckIn, PatrolPoint
from realtime.models import Incident
from sightings.models import Sighting
from volunteers.models import Community, Grid

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 on the 5th in the area: the 3rd is shown
# Positions inside each community's square (about 200 m a side) and one outside both.
WEST = (33.380, 120.160)
EAST = (33.380, 120.170)
OUTSIDE = (33.390, 120.190)


def square(lat: float, lon: float, half: float = 0.001) -> dict[str, Any]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def local(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A local wall-clock time in the area, as a UTC instant."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


@dataclass(frozen=True)
class Places:
    area_id: int
    west_id: int  # the area fixture's 测试社区, its boundary around WEST
    east_id: int  # 东园社区 around EAST
    plain_id: int  # 南苑社区, no boundary drawn
    west_grid: int
    east_grid: int
    plain_grid: int


def places(app: Flask, area: dict[str, Any]) -> Places:
    with app.app_context(), unit_of_work() as uow:
        west = uow.session.get(Community, area["community_id"])
        assert west is not None
        west.boundary = square(*WEST)
        east = Community(police_area_id=area["police_area_id"], name="东园社区")
        east.boundary = square(*EAST)
        plain = Community(police_area_id=area["police_area_id"], name="南苑社区")
        grids = [Grid(community=c, code="E01", name="东园第1网格") for c in (east,)]
        grids.append(Grid(community=plain, code="S01", name="南苑第1网格"))
        uow.session.add_all([east, plain, *grids])
        uow.session.flush()
        found = Places(
            area["police_area_id"],
            west.id,
            east.id,
            plain.id,
            area["grid_ids"][0],
            grids[0].id,
            grids[1].id,
        )
        uow.commit()
    return found


def incident(
    session: Session, places: Places, by: int, kind: str, at: tuple[float, float], when: datetime
) -> None:
    session.add(
        Incident(
            kind=kind,
            lat=at[0],
            lon=at[1],
            created_by_id=by,
            police_area_id=places.area_id,
            created_at=when,
            description="幸福路12号3单元",  # an address: never shown
        )
    )


def sighting(
    session: Session,
    places: Places,
    by: int,
    category: str,
    at: tuple[float, float],
    when: datetime,
    status: str = "confirmed",
) -> None:
    count = session.query(Sighting).count()
    session.add(
        Sighting(
            client_id=f"c-{count}-{when.timestamp()}",
            reporter_id=by,
            police_area_id=places.area_id,
            category=category,
            behaviour="在楼道里试门",
            lat=at[0],
            lon=at[1],
            status=status,
            created_at=when,
        )
    )


def point(session: Session, grid_id: int, name: str, **times: datetime | None) -> int:
    made = PatrolPoint(
        name=name,
        lat=WEST[0],
        lon=WEST[1],
        grid_id=grid_id,
        created_at=times.pop("created_at", local(1, 1)),
        **times,
    )
    session.add(made)
    session.flush()
    return made.id


def check_in(
    session: Session, user_id: int, point_id: int, when: datetime, status: str = VALID
) -> None:
    session.add(
        CheckIn(
            user_id=user_id,
            point_id=point_id,
            token=f"t{point_id}",
            status=status,
            observed_at=when,
            server_time=when,
        )
    )
