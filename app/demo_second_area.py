"""The demo station's second police area, 城北警务区: small, a few kilometres north of the first,
with its own officer, dispatcher and field people, so an officer of one area can see that
nothing of the other reaches them."""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from app.roles import Role
from checkins.models import PatrolPoint
from rewards.models import Gift
from volunteers.area_slugs import slug_for
from volunteers.models import Community, Grid, PoliceArea, Station, Team, User

AREA_NAME = "城北警务区"
CENTER_LAT, CENTER_LON = 33.4150, 120.1620  # about 4 km north of the first area
# One login per role, as the README lists them (numbers the first area does not use).
LOGINS = {
    Role.OFFICER.value: "13900000101",
    Role.DISPATCHER.value: "13900000110",
    Role.GRID_WORKER.value: "13300000101",
    Role.GUARD.value: "13400000101",
    Role.VOLUNTEER.value: "13500000101",
}
PLACES = ["北门", "老年活动中心", "停车场", "小学门口", "桥头", "超市后门"]
# This area's own gifts: its people see these in the store, and none of the first area's.
GIFTS = [
    {"name": "北湖定制环保袋", "price": 80, "stock": 30, "per_person_limit": 2},
    {"name": "反光背心", "price": 160, "stock": 15, "per_person_limit": 1},
]


def seed(session: Session, station: Station, password_hash: str, rng: random.Random) -> None:
    area = PoliceArea(
        station=station,
        name=AREA_NAME,
        slug=slug_for(AREA_NAME, {"chengnan"}),
        police_room="北湖社区警务室（北湖路 6 号）",
        phone="0515-88880220",
        center_lat=CENTER_LAT,
        center_lon=CENTER_LON,
    )
    community = Community(police_area=area, name="北湖社区")
    grids = [Grid(community=community, code=f"N0{i}", name=f"北湖第{i}网格") for i in (1, 2, 3)]
    session.add_all([area, community, *grids])
    session.flush()
    session.add_all(
        Gift(police_area_id=area.id, pickup_place=area.police_room, **gift) for gift in GIFTS
    )
    team = Team(community_id=community.id, name="北湖巡防队")
    session.add(team)
    session.flush()
    for i, place in enumerate(PLACES):
        session.add(
            PatrolPoint(
                grid_id=grids[i % 3].id,
                name=f"{grids[i % 3].name}·{place}",
                lat=round(CENTER_LAT + rng.uniform(-0.002, 0.002), 6),
                lon=round(CENTER_LON + rng.uniform(-0.002, 0.002), 6),
                radius_m=50,
                points=10,
            )
        )
    staff = {Role.OFFICER.value: "王警官", Role.DISPATCHER.value: "孙调度"}
    field = {
        Role.GRID_WORKER.value: "赵网格员",
        Role.GUARD.value: "钱保安",
        Role.VOLUNTEER.value: "李阿姨",
    }
    for role, name in staff.items():
        session.add(
            User(
                phone=LOGINS[role],
                name=name,
                password_hash=password_hash,
                role=role,
                community_id=community.id,
                police_area_id=area.id,
            )
        )
    for role, name in field.items():
        session.add(
            User(
                phone=LOGINS[role],
                name=name,
                password_hash=password_hash,
                role=role,
                community_id=community.id,
                grid_id=grids[0].id,
                team_id=team.id,
            )
        )
    session.flush()
