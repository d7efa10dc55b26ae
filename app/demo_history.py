"""Demo history for issue 20: 16 weeks of past incidents (closed) and confirmed sightings in the
demo area (城南警务区), about half of them in three planted concentrations (the market's gate,
the underground car park, the riverside path) and the rest anywhere in the community, so the
hotspot analysis has something to find and the safety barometer something to chart (some
categories stay under 5 a week). Called from app/demo.py inside its unit of work; its own
random generator, so the rest of the demo stays as it was."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.roles import Role
from realtime.models import Incident
from sightings.models import Sighting
from sightings.rules import CATEGORIES
from volunteers.models import Community, PoliceArea, User

WEEKS = 16
HALF_W_M, HALF_H_M = 480.0, 330.0  # inside the demo community's 1000 x 700 m
# Planted concentrations: metres east and north of the area's centre, radius, share of events,
# and what happens there (incident kinds or sighting categories); each stands 150 m or more
# from the demo's hotspot patrol points, so the analysis proposes points there.
CONCENTRATIONS = (
    (-250.0, -200.0, 45.0, 0.22, ("theft", "fraud_attempt")),  # 菜市场入口
    (330.0, 60.0, 40.0, 0.16, ("theft", "suspicious_vehicle")),  # 地下车库入口
    (230.0, -290.0, 50.0, 0.12, ("dispute", "suspicious_person")),  # 河边步道
)
INCIDENT_KINDS = ("theft", "dispute", "traffic", "suspicious", "fire", "other")
SIGHTING_KINDS = CATEGORIES
PER_WEEK = (9, 15)  # events a week, at random within
BEHAVIOUR = {
    "suspicious_person": "有人在楼道里挨家挨户看门牌，问他找谁不说。",
    "suspicious_vehicle": "一辆没有牌照的面包车在车库口停了很久，车里有人。",
    "suspicious_situation": "晚上车棚里有人拿工具撬电动车锁。",
    "fire_risk": "楼道里有电动车在充电，电线拖在地上。",
    "blocked_fire_lane": "消防通道被几辆车堵住了。",
    "fraud_attempt": "有人在菜场门口推销“保健品”，专找老人收钱。",
}


def seed(session: Session, area_name: str, now: datetime) -> None:
    """Incidents and confirmed sightings of the last 16 weeks in the area named ``area_name``."""
    rng = random.Random(20)  # noqa: S311 - reproducible demo data, not secrets
    area = session.scalars(select(PoliceArea).where(PoliceArea.name == area_name)).one()
    officer = session.scalars(
        select(User).where(User.role == Role.OFFICER.value, User.police_area_id == area.id)
    ).first()
    reporters = list(
        session.scalars(
            select(User.id)
            .join(Community, Community.id == User.community_id)
            .where(Community.police_area_id == area.id, User.role == Role.VOLUNTEER.value)
            .order_by(User.id)
            .limit(40)
        )
    )
    if officer is None or not reporters:
        return
    m_lat = 110_900.0
    m_lon = 111_320.0 * math.cos(math.radians(area.center_lat))
    for week in range(WEEKS, 0, -1):
        for n in range(rng.randint(*PER_WEEK)):
            x, y, kinds = _spot(rng)
            at = now - timedelta(weeks=week) + timedelta(hours=rng.uniform(24, 24 * 7 - 24))
            lat, lon = area.center_lat + y / m_lat, area.center_lon + x / m_lon
            kind = rng.choice(kinds)
            if kind in SIGHTING_KINDS:
                session.add(
                    Sighting(
                        client_id=f"demo-{week:02d}-{n:02d}",
                        reporter_id=rng.choice(reporters),
                        police_area_id=area.id,
                        category=kind,
                        behaviour=BEHAVIOUR[kind],
                        lat=round(lat, 6),
                        lon=round(lon, 6),
                        accuracy_m=15,
                        status="confirmed",
                        decided_by_id=officer.id,
                        decided_at=at + timedelta(minutes=20),
                        created_at=at,
                    )
                )
            else:
                session.add(
                    Incident(
                        kind=kind,
                        lat=round(lat, 6),
                        lon=round(lon, 6),
                        status="closed",
                        created_by_id=officer.id,
                        police_area_id=area.id,
                        created_at=at,
                        closed_at=at + timedelta(minutes=rng.randint(20, 90)),
                    )
                )
    session.flush()


def _spot(rng: random.Random) -> tuple[float, float, tuple[str, ...]]:
    """Where one event happens: in a planted concentration by its share, else anywhere."""
    draw = rng.random()
    for east, north, radius, share, kinds in CONCENTRATIONS:
        if draw < share:
            angle, reach = rng.uniform(0, 2 * math.pi), radius * math.sqrt(rng.random())
            return east + reach * math.cos(angle), north + reach * math.sin(angle), kinds
        draw -= share
    every = INCIDENT_KINDS + SIGHTING_KINDS
    return rng.uniform(-HALF_W_M, HALF_W_M), rng.uniform(-HALF_H_M, HALF_H_M), every
