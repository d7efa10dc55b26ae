"""A realistic demo station: 城南派出所 with two police areas, so the walls between areas show.

The first area is one community of about 0.7 km² near 33.38 N, 120.16 E: 11 grids, 40 patrol
points (hotspots where incidents cluster), 200 volunteers, 20 guards, 11 grid workers,
2 officers, 1 dispatcher, 1 admin and a gift catalog; the second is smaller
(app/demo_second_area.py). Deterministic, so the printed logins are the same on every machine.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app import demo_history, demo_police_room
from app import demo_second_area as second_area
from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import UnitOfWork, unit_of_work
from checkins import streaks
from checkins.models import CheckIn, PatrolPoint
from rewards import leaderboard, ledger, reasons
from rewards.models import Gift
from volunteers import rules
from volunteers.area_slugs import slug_for
from volunteers.models import Community, Grid, PoliceArea, Station, Team, User
from volunteers.services import hash_password

CENTER_LAT, CENTER_LON = 33.3800, 120.1600
TZ = ZoneInfo("Asia/Shanghai")
WIDTH_M, HEIGHT_M = 1000.0, 700.0  # 0.70 km²
STATION_NAME = "城南派出所"
AREA_NAME = "城南警务区"
COMMUNITY_NAME = "新河社区"

DEMO_LOGINS = {
    Role.ADMIN.value: "13900000000",
    Role.OFFICER.value: "13900000001",
    Role.DISPATCHER.value: "13900000010",
    Role.GRID_WORKER.value: "13800000001",
    Role.GUARD.value: "13700000001",
    Role.VOLUNTEER.value: "13600000001",
    Role.RESIDENT.value: "13200000001",  # app/demo_police_room.py makes her
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "秀英桂兰玉珍凤华建国志强明德淑芬海燕春梅国庆红霞伟军丽娟文明金凤永清德华兰英"
PLACES = [
    "东门",
    "西门",
    "南门",
    "北门",
    "菜市场入口",
    "幼儿园门口",
    "快递驿站",
    "地下车库入口",
    "健身广场",
    "河边步道",
    "电动车棚",
    "垃圾分类点",
    "便利店",
    "老年活动中心",
    "公交站",
    "小学后门",
    "停车场",
    "药店",
    "物业中心",
    "篮球场",
]
TEAMS = ["红袖标巡防一队", "红袖标巡防二队", "楼栋安保队", "网格先锋队"]
GIFTS: list[dict[str, Any]] = [
    {"name": "毛巾两条", "price": 60, "stock": 80, "per_person_limit": 2},
    {"name": "洗衣液 2kg", "price": 120, "stock": 50, "per_person_limit": 1},
    {"name": "折叠雨伞", "price": 150, "stock": 40, "per_person_limit": 1},
    {"name": "保温杯", "price": 200, "stock": 30, "per_person_limit": 1},
    {"name": "强光手电筒", "price": 180, "stock": 25, "per_person_limit": 1},
    {"name": "大米 5kg", "price": 300, "stock": 20, "per_person_limit": 1},
]

_M_PER_DEG_LAT = 110_900.0
_M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(CENTER_LAT))


def _offset(x_m: float, y_m: float) -> tuple[float, float]:
    """WGS-84 (lat, lon) of a point x metres east and y metres north of the south-west corner."""
    south = CENTER_LAT - HEIGHT_M / 2 / _M_PER_DEG_LAT
    west = CENTER_LON - WIDTH_M / 2 / _M_PER_DEG_LON
    return south + y_m / _M_PER_DEG_LAT, west + x_m / _M_PER_DEG_LON


def _rectangle(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    corners = [_offset(x0, y0), _offset(x1, y0), _offset(x1, y1), _offset(x0, y1), _offset(x0, y0)]
    return {
        "type": "Polygon",
        "coordinates": [[[round(lon, 6), round(lat, 6)] for lat, lon in corners]],
    }


def _grid_cells() -> list[tuple[float, float, float, float]]:
    """A 4 x 3 block layout; the last two cells form one larger grid (a park): 11 grids."""
    col_w, row_h = WIDTH_M / 4, HEIGHT_M / 3
    cells = [
        (c * col_w, r * row_h, (c + 1) * col_w, (r + 1) * row_h) for r in range(3) for c in range(4)
    ]
    x0, y0, _x1, _y1 = cells[10]
    cells[10] = (x0, y0, WIDTH_M, HEIGHT_M)
    return cells[:11]


def _names(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) for _ in range(count)]


def seed_demo() -> bool:
    """Seed once; returns False when the demo area is already there."""
    if db.session.scalar(select(PoliceArea.id).where(PoliceArea.name == AREA_NAME)):
        return False
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not secrets
    password = current_app.config["DEMO_PASSWORD"]
    rules.check_password(password, Role.ADMIN)  # the demo's police accounts follow the real rule
    # One hash for every demo account: hashing 235 passwords one by one takes most of a minute.
    password_hash = hash_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))
    with unit_of_work() as uow:
        session = uow.session
        station = Station(name=STATION_NAME, duty_phone="0515-88880000")
        area = PoliceArea(
            station=station,
            name=AREA_NAME,
            slug=slug_for(AREA_NAME, ()),
            police_room="新河社区警务室（新河路 18 号）",
            phone="0515-88880110",
            center_lat=CENTER_LAT,
            center_lon=CENTER_LON,
        )
        community = Community(
            police_area=area, name=COMMUNITY_NAME, boundary=_rectangle(0, 0, WIDTH_M, HEIGHT_M)
        )
        session.add_all([area, community])
        grids = [
            Grid(
                community=community,
                code=f"G{i + 1:02d}",
                name=f"第{i + 1}网格",
                boundary=_rectangle(*cell),
            )
            for i, cell in enumerate(_grid_cells())
        ]
        teams = [Team(name=name) for name in TEAMS]
        session.add_all(grids)
        session.flush()
        for team in teams:
            team.community_id = community.id
        session.add_all(teams)
        session.flush()

        for i in range(40):
            grid_index = i % 11
            x0, y0, x1, y1 = _grid_cells()[grid_index]
            lat, lon = _offset(rng.uniform(x0 + 20, x1 - 20), rng.uniform(y0 + 20, y1 - 20))
            session.add(
                PatrolPoint(
                    grid_id=grids[grid_index].id,
                    name=f"{grids[grid_index].name}·{PLACES[i % len(PLACES)]}",
                    lat=round(lat, 6),
                    lon=round(lon, 6),
                    radius_m=50,
                    points=10 if i % 4 else 20,
                    hotspot=i % 4 == 0,
                    # Standing before the patrols of the history below, as on the barometer's
                    # patrol coverage (police_room/coverage.py counts a point from its making).
                    created_at=utcnow() - timedelta(days=HISTORY_DAYS + 1),
                )
            )

        def person(
            phone: str, name: str, role: Role, grid: Grid | None = None, team: Team | None = None
        ) -> User:
            return User(
                phone=phone,
                name=name,
                password_hash=password_hash,
                role=role.value,
                community_id=community.id,
                grid_id=grid.id if grid else None,
                team_id=team.id if team else None,
            )

        people = [
            person("13900000000", "系统管理员", Role.ADMIN),
            person("13900000001", "陈警官", Role.OFFICER),
            person("13900000002", "刘警官", Role.OFFICER),
            person("13900000010", "周调度", Role.DISPATCHER),
        ]
        for staff in people[1:]:
            staff.police_area_id = area.id
        people += [
            person(f"138{i + 1:08d}", name, Role.GRID_WORKER, grids[i], teams[3])
            for i, name in enumerate(_names(rng, 11))
        ]
        people += [
            person(f"137{i + 1:08d}", name, Role.GUARD, grids[i % 11], teams[2])
            for i, name in enumerate(_names(rng, 20))
        ]
        people += [
            person(f"136{i + 1:08d}", name, Role.VOLUNTEER, grids[i % 11], teams[i % 2])
            for i, name in enumerate(_names(rng, 200))
        ]
        session.add_all(people)
        session.add_all(
            Gift(police_area_id=area.id, pickup_place=area.police_room, **gift) for gift in GIFTS
        )
        session.flush()
        _seed_history(uow, rng, [p for p in people if p.role in FIELD_VALUES])
        second_area.seed(session, station, password_hash, rng)
        demo_police_room.seed(session, utcnow())
        demo_police_room.seed_appointments(session, utcnow(), password_hash)
        demo_history.seed(session, AREA_NAME, utcnow())
        uow.commit()
    return True


FIELD_VALUES = {Role.VOLUNTEER.value, Role.GUARD.value, Role.GRID_WORKER.value}
HISTORY_DAYS = 14


def _seed_history(uow: UnitOfWork, rng: random.Random, field_people: list[User]) -> None:
    """Two weeks of evening patrols, paid through the real ledger, so the leaderboards, streaks
    and the demo volunteer's balance show something on the first visit."""
    session = uow.session
    points_by_grid: dict[int, list[PatrolPoint]] = {}
    for point in session.scalars(select(PatrolPoint)):
        points_by_grid.setdefault(point.grid_id, []).append(point)
    today = datetime.now(TZ).date()
    for person in field_people:
        regular = person.phone == DEMO_LOGINS[Role.VOLUNTEER.value] or rng.random() < 0.4
        if not regular or person.grid_id is None:
            continue
        days = sorted(rng.sample(range(1, HISTORY_DAYS + 1), rng.randint(2, 8)), reverse=True)
        if person.phone == DEMO_LOGINS[Role.VOLUNTEER.value]:
            days = list(range(HISTORY_DAYS, 0, -1))  # a long streak: enough points for a gift
        for back in days:
            day = today - timedelta(days=back)
            for point in rng.sample(points_by_grid[person.grid_id], k=1):
                at = datetime.combine(day, time(19, rng.randint(0, 59)), tzinfo=TZ)
                checkin = CheckIn(
                    user_id=person.id,
                    point_id=point.id,
                    token="demo",  # noqa: S106 - a marker, not a secret
                    status="valid",
                    lat=point.lat,
                    lon=point.lon,
                    accuracy_m=12,
                    distance_m=5,
                    server_time=at,
                    observed_at=at,
                    points=point.points,
                )
                session.add(checkin)
                session.flush()
                ledger.award(
                    uow,
                    user_id=person.id,
                    delta=point.points,
                    reason=reasons.CHECKIN,
                    source_type="checkin",
                    source_id=checkin.id,
                    at=at,
                )
            streaks.record_day(uow.session, person.id, day)
    while leaderboard.fold(uow):  # the boards are filled before the first visit, not on it
        pass
