"""The walls between police areas, generated from the permission tables and the URL map: for
every guarded endpoint that names an object (an ``<id:...>`` in its rule) or carries one in its
body, a caller of each allowed role from the second area gets 404 for the first area's object and
nothing changes in the database; every guarded page or list shows none of the first area's
names. A new guarded endpoint fails these tests until it has a case here, so nobody adds an
unwalled one silently."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from io import BytesIO
from typing import Any

import pytest
from flask import Flask, url_for
from openpyxl import load_workbook
from sqlalchemy import select

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.permissions import roles_for
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from broadcasts.models import Broadcast, Delivery
from checkins.models import HELD, CheckIn, PatrolPoint, PatrolRoute, RouteAssignment, RouteStop
from hotspots.models import HotspotProposal, HotspotRun
from police_room.models import Appointment, Notice, Tip
from rewards.models import Gift, Order, PointCorrection
from sightings.models import Sighting, SightingQuestion
from tests.conftest import STAFF_PASSWORD
from volunteers import services

# Names only the first area's objects carry: none may appear in the second area's answers.
WALKER, POINT, ROUTE, GIFT, TEAM = (
    "甲区巡逻员",
    "甲区菜场口",
    "甲区夜巡线",
    "甲区保温杯",
    "巡防一队",
)
FIRST_AREA_NAMES = (WALKER, POINT, ROUTE, GIFT, "测试社区")  # the last: its community
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
# About 200 m square inside the first area: a boundary every rule but the walls accepts.
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [120.159, 33.379],
            [120.161, 33.379],
            [120.161, 33.381],
            [120.159, 33.381],
            [120.159, 33.379],
        ]
    ],
}


def _guarded_rules() -> list[tuple[str, str, str, str]]:
    """(endpoint, method, rule, permission) of every view guarded by ``@requires``."""
    app = create_app(
        {k: v for k, v in vars(TestConfig).items() if k.isupper()} | {"DATABASE_URL": "sqlite://"}
    )
    found = []
    for rule in app.url_map.iter_rules():
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        if permission is not None:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, rule.rule, permission))
    return found


GUARDED = _guarded_rules()
WITH_ID = {(e, m): p for e, m, rule, p in GUARDED if re.search(r"<id:\w+>", rule)}
WITHOUT_ID = {(e, m): p for e, m, rule, p in GUARDED if (e, m) not in WITH_ID}


@dataclass(frozen=True)
class FirstArea:
    """The first area's objects a caller of the second area must not reach."""

    walker_id: int
    walker_phone: str
    police_area_id: int
    community_id: int
    grid_id: int
    team_id: int
    point_id: int
    held_id: int
    correction_id: int
    route_id: int
    gift_id: int
    order_id: int
    pickup_code: str
    sighting_id: int
    question_id: int
    proposal_id: int
    broadcast_id: int
    tip_id: int
    notice_id: int
    appointment_id: int


@pytest.fixture
def first_area(app: Flask, area: dict[str, Any], make_user: Callable[..., Any]) -> FirstArea:
    walker = make_user(Role.GUARD, name=WALKER)
    officer = make_user(Role.OFFICER)
    now = utcnow()
    with app.app_context(), unit_of_work() as uow:
        session = uow.session
        point = PatrolPoint(name=POINT, lat=33.38, lon=120.16, grid_id=area["grid_ids"][0])
        gift = Gift(
            name=GIFT,
            price=10,
            stock=5,
            police_area_id=area["police_area_id"],
            pickup_place="警务室",
        )
        session.add_all([point, gift])
        session.flush()
        held = CheckIn(
            user_id=walker.id,
            point_id=point.id,
            token="t",
            status=HELD,
            lat=33.38,
            lon=120.16,
            accuracy_m=40,
            distance_m=70,
            points=10,
            server_time=now,
            observed_at=now,
        )
        correction = PointCorrection(
            user_id=walker.id,
            delta=500,
            reason="补记一个月的巡逻",
            status="pending",
            requested_by_id=officer.id,
            client_key="k1",
        )
        route = PatrolRoute(
            community_id=area["community_id"],
            name=ROUTE,
            starts_at=time(21),
            ends_at=time(23),
            created_by_id=officer.id,
            stops=[RouteStop(position=0, point_id=point.id)],
            assignments=[RouteAssignment(user_id=walker.id)],
        )
        order = Order(
            user_id=walker.id,
            gift_id=gift.id,
            price=10,
            status="placed",
            pickup_code="PICK0001",
            client_key="c1",
            collect_by=now + timedelta(days=7),
        )
        sighting = Sighting(
            client_id="walls-0001",
            reporter_id=walker.id,
            police_area_id=area["police_area_id"],
            category="suspicious_person",
            behaviour="有人在撬电动车锁",
            lat=33.38,
            lon=120.16,
        )
        question = SightingQuestion(sighting=sighting, asked_by_id=officer.id, text="还在吗？")
        run = HotspotRun(police_area_id=area["police_area_id"], chosen="kde")
        session.add(run)
        session.flush()
        proposal = HotspotProposal(
            run_id=run.id,
            police_area_id=area["police_area_id"],
            lat=33.38,
            lon=120.16,
            radius_m=60,
            events=9,
            stop_minutes=12,
            ends_on=(now + timedelta(days=28)).date(),
        )
        session.add(proposal)
        broadcast = Broadcast(
            police_area_id=area["police_area_id"],
            kind="missing_person",
            title="走失老人",
            look_for=f"灰色外套，最后见于{POINT}",
            what_to_do="不要靠近，立即报告",
            urgent=True,
            stages=[{"after_min": 0, "radius_m": None}],
            created_by_id=officer.id,
        )
        tip = Tip(police_area_id=area["police_area_id"], code="WALLS23456", text=f"{POINT}有人撬锁")
        notice = Notice(
            police_area_id=area["police_area_id"],
            title=f"{POINT}防诈提醒",
            created_by_id=officer.id,
        )
        session.add_all([held, correction, route, order, sighting, question, broadcast])
        appointment = Appointment(
            police_area_id=area["police_area_id"],
            officer_id=officer.id,
            resident_id=walker.id,
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, minutes=30),
            topic=f"{POINT}噪音",
        )
        session.add_all([tip, notice, appointment])
        session.flush()
        session.add(
            Delivery(
                broadcast_id=broadcast.id,
                user_id=walker.id,
                status="delivered",
                due_at=now,
                delivered_at=now,
            )
        )
        uow.commit()
    return FirstArea(
        walker_id=walker.id,
        walker_phone=walker.phone,
        police_area_id=area["police_area_id"],
        community_id=area["community_id"],
        grid_id=area["grid_ids"][0],
        team_id=area["team_id"],
        point_id=point.id,
        held_id=held.id,
        correction_id=correction.id,
        route_id=route.id,
        gift_id=gift.id,
        order_id=order.id,
        pickup_code=order.pickup_code,
        sighting_id=sighting.id,
        question_id=question.id,
        proposal_id=proposal.id,
        broadcast_id=broadcast.id,
        tip_id=tip.id,
        notice_id=notice.id,
        appointment_id=appointment.id,
    )


@pytest.fixture
def caller(app: Flask, area: dict[str, Any], second_area: dict[str, Any]) -> Callable[..., Any]:
    """``caller(role, second=True)``: a test client logged in as a new person of that role in
    the second area (or, for controls, the first)."""
    counter = iter(range(1, 1000))

    def log_in_as(role: Role, *, second: bool = True) -> Any:
        community, grid = (
            (second_area["community_id"], second_area["grid_id"])
            if second
            else (area["community_id"], area["grid_ids"][0])
        )
        field = role not in (Role.OFFICER, Role.DISPATCHER)
        with app.app_context(), unit_of_work() as uow:
            person = services.create_user(
                uow,
                name=f"{'乙' if second else '甲'}区{role}{next(counter)}",
                phone=f"1370000{next(counter):04d}",
                password=STAFF_PASSWORD,
                role=role,
                placement=services.Placement(community, grid if field else None),
                hash_method=app.config["PASSWORD_HASH_METHOD"],
            )
            uow.commit()
        http = app.test_client()
        answer = http.post("/login", json={"phone": person.phone, "password": STAFF_PASSWORD})
        assert answer.status_code == 200, answer.get_json()
        return http

    return log_in_as


# Tables a request changes whoever makes it (the caller's own login); everything else must stay.
CALLERS_OWN = {"login_sessions", "login_attempts"}


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the callers' own logins, in a comparable order."""
    with app.app_context():
        return {
            table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
            for table in db.metadata.sorted_tables
            if table.name not in CALLERS_OWN
        }


# endpoint, method -> (url values, JSON body or files) naming the first area's object.
Request = tuple[dict[str, Any], dict[str, Any] | None]
ID_CASES: dict[tuple[str, str], Callable[[FirstArea], Request]] = {
    ("checkins.appeal", "POST"): lambda w: ({"checkin_id": w.held_id}, {"note": "我在现场"}),
    ("points.approve_held", "POST"): lambda w: ({"checkin_id": w.held_id}, {}),
    ("points.reject_held", "POST"): lambda w: ({"checkin_id": w.held_id}, {"reason": "不在现场"}),
    ("points.update", "PATCH"): lambda w: ({"point_id": w.point_id}, {"name": "改名"}),
    ("points.retire", "POST"): lambda w: ({"point_id": w.point_id}, {}),
    ("points.reprint", "POST"): lambda w: ({"point_id": w.point_id}, {}),
    ("points.detail", "GET"): lambda w: ({"point_id": w.point_id}, None),
    ("points.poster", "GET"): lambda w: ({"point_id": w.point_id, "fmt": "pdf"}, None),
    ("points.grid_sheet", "GET"): lambda w: ({"grid_id": w.grid_id}, None),
    ("volunteers.officer_set_active", "POST"): lambda w: ({"user_id": w.walker_id}, {}),
    ("rewards.approve_correction", "POST"): lambda w: ({"correction_id": w.correction_id}, {}),
    ("rewards.reject_correction", "POST"): lambda w: (
        {"correction_id": w.correction_id},
        {"reason": "没有依据"},
    ),
    ("rewards.team", "GET"): lambda w: ({"team_id": w.team_id}, None),
    ("rewards.order_qr", "GET"): lambda w: ({"order_id": w.order_id}, None),
    ("rewards.cancel_order", "POST"): lambda w: ({"order_id": w.order_id}, {}),
    ("catalog.update", "PATCH"): lambda w: ({"gift_id": w.gift_id}, {"price": 1}),
    ("catalog.upload_picture", "POST"): lambda w: (
        {"gift_id": w.gift_id},
        {"_files": {"picture": (PNG, "p.png")}},
    ),
    ("boundaries.save_community", "PUT"): lambda w: (
        {"community_id": w.community_id},
        {"geometry": SQUARE},
    ),
    ("boundaries.save_grid", "PUT"): lambda w: ({"grid_id": w.grid_id}, {"geometry": SQUARE}),
    # Admins only (no other role reaches it, so no case runs): they manage every area.
    ("admin.edit_area", "POST"): lambda w: (
        {"area_id": w.police_area_id},
        {"name": "越区改名", "phone": "0515-88880110"},
    ),
    ("sightings.add_media", "POST"): lambda w: (
        {"sighting_id": w.sighting_id},
        {"kind": "photo", "part": 0, "_files": {"file": (PNG, "p.png")}},
    ),
    ("sightings.answer_question", "POST"): lambda w: (
        {"sighting_id": w.sighting_id, "question_id": w.question_id},
        {"answer": "在"},
    ),
    ("sightings.duplicate_candidates", "GET"): lambda w: ({"sighting_id": w.sighting_id}, None),
    ("sightings.decide", "POST"): lambda w: ({"sighting_id": w.sighting_id}, {"action": "confirm"}),
    ("sightings.ask", "POST"): lambda w: ({"sighting_id": w.sighting_id}, {"text": "还在吗？"}),
    ("sightings.mute", "POST"): lambda w: ({"user_id": w.walker_id}, {"muted": True}),
    ("hotspots.accept", "POST"): lambda w: ({"proposal_id": w.proposal_id}, {}),
    ("hotspots.dismiss", "POST"): lambda w: ({"proposal_id": w.proposal_id}, None),
    ("broadcasts.close", "POST"): lambda w: (
        {"broadcast_id": w.broadcast_id},
        {"outcome": "found"},
    ),
    ("broadcasts.seen", "POST"): lambda w: (
        {"broadcast_id": w.broadcast_id},
        {"lat": 33.38, "lon": 120.16},
    ),
    ("police_room.reply_tip", "POST"): lambda w: ({"tip_id": w.tip_id}, {"reply": "越区回复"}),
    ("police_room.api_reply_tip", "POST"): lambda w: ({"tip_id": w.tip_id}, {"reply": "越区回复"}),
    ("police_room.mark_tip", "POST"): lambda w: ({"tip_id": w.tip_id}, {"complex": True}),
    ("police_room.end_notice", "POST"): lambda w: ({"notice_id": w.notice_id}, None),
    ("police_room.accept", "POST"): lambda w: ({"appointment_id": w.appointment_id}, None),
    ("police_room.cancel", "POST"): lambda w: ({"appointment_id": w.appointment_id}, None),
    ("police_room.rate", "POST"): lambda w: ({"appointment_id": w.appointment_id}, {"stars": 5}),
    ("police_room.decide", "POST"): lambda w: (
        {"appointment_id": w.appointment_id},
        {"action": "confirm"},
    ),
    ("boundaries.add_grid", "POST"): lambda w: (
        {"community_id": w.community_id},
        {"geometry": SQUARE, "code": "X01", "name": "越区网格"},
    ),
}

# Endpoints without an id in the rule that name the first area's object in their body.
BODY_CASES: dict[tuple[str, str], Callable[[FirstArea], dict[str, Any]]] = {
    ("rewards.correct", "POST"): lambda w: {
        "user_id": w.walker_id,
        "delta": 50,
        "note": "越区调整积分",
    },
    ("rewards.correction_form", "POST"): lambda w: {
        "phone": w.walker_phone,
        "delta": 50,
        "note": "越区调整积分",
        "key": "form-1",
    },
    ("points.create", "POST"): lambda w: (
        {"name": "越界点", "lat": 33.38, "lon": 120.16} | {"grid_id": w.grid_id}
    ),
    ("patrols.create_route", "POST"): lambda w: {
        "name": "越区线",
        "starts_at": "21:00",
        "ends_at": "23:00",
        "point_ids": [w.point_id],
        "user_ids": [w.walker_id],
    },
    ("volunteers.officer_people", "POST"): lambda w: {
        "name": "越区队员",
        "phone": "13611112222",
        "password": STAFF_PASSWORD,
        "role": "volunteer",
        "grid_id": w.grid_id,
    },
    ("volunteers.officer_invites", "POST"): lambda w: {"grid_id": w.grid_id},
    ("rewards.api_order", "POST"): lambda w: {"gift_id": w.gift_id, "client_key": "x1"},
    ("rewards.order", "POST"): lambda w: {"gift_id": w.gift_id, "client_key": "x2"},
    ("rewards.desk", "POST"): lambda w: {"code": w.pickup_code},
    ("broadcasts.send", "POST"): lambda w: {
        "kind": "fraud_warning",
        "look_for": "上门推销保健品",
        "what_to_do": "不要靠近，立即报告",
        "grid_ids": [w.grid_id],
    },
    ("catalog.create", "POST"): lambda w: {
        "police_area_id": w.police_area_id,
        "name": "越区礼品",
        "price": 10,
        "stock": 1,
    },
    ("boundaries.preview", "POST"): lambda w: {
        "area_id": w.police_area_id,
        "datum": "wgs84",
        "_files": {
            "file": (
                json.dumps(
                    {
                        "type": "FeatureCollection",
                        "features": [{"type": "Feature", "geometry": SQUARE}],
                    }
                ).encode(),
                "b.json",
            )
        },
    },
    ("point_import.preview", "POST"): lambda w: {
        "datum": "wgs84",
        "_files": {
            "file": ("名称,纬度,经度,网格编号\n越区点,33.38,120.16,G01\n".encode(), "p.csv")
        },
    },
    ("police_room.post_notice", "POST"): lambda w: {
        "area": w.police_area_id,
        "title": "越区公告",
    },
    ("boundaries.confirm", "POST"): lambda w: {
        "area_id": w.police_area_id,
        "datum": "wgs84",
        "token": "0" * 32,
    },
}

# Refusals other than 404, with the code the answer carries: the answer an id that does not
# exist gets too.
NOT_404 = {
    ("patrols.create_route", "POST"): (422, "route_points_invalid"),  # as for a retired point
    ("point_import.preview", "POST"): (200, "grid_unknown"),  # the row's problem; nothing kept
}

# Guarded pages and lists (with the query they are read with): the second area's callers must
# see none of the first area's names.
LISTS: dict[tuple[str, str], dict[str, str]] = {
    ("volunteers.officer_people", "GET"): {},
    ("volunteers.officer_invites", "GET"): {},
    ("roster.export", "GET"): {},
    ("points.list_points", "GET"): {},
    ("points.editor", "GET"): {},
    ("points.held_queue", "GET"): {},
    ("points.setup", "GET"): {},
    ("patrols.routes_page", "GET"): {},
    ("realtime.map_data", "GET"): {},
    ("rewards.corrections_page", "GET"): {},
    ("rewards.catalog", "GET"): {},
    ("rewards.leaderboards", "GET"): {"scope": "area"},
    ("catalog.page", "GET"): {},
    ("boundaries.page", "GET"): {},
    ("point_import.page", "GET"): {},
    ("officer_day.page", "GET"): {},
    ("officer_day.day", "GET"): {},
    ("sightings.console_sightings", "GET"): {},
    ("broadcasts.page", "GET"): {},
    ("broadcasts.open_list", "GET"): {},
    ("broadcasts.mine", "GET"): {},
    ("sightings.sighting_rewards", "GET"): {},
    ("sightings.rewards_page", "GET"): {},
    ("hotspots.page", "GET"): {},
    ("hotspots.latest", "GET"): {},
    ("police_room.officer_tips_page", "GET"): {},
    ("police_room.api_officer_tips", "GET"): {},
    ("police_room.notices_page", "GET"): {},
    ("police_room.desk", "GET"): {},
}

# The first area's own officer or walker sees these names there: the markers above are real.
SEEN_AT_HOME = {
    ("volunteers.officer_people", Role.OFFICER): WALKER,
    ("points.list_points", Role.OFFICER): POINT,
    ("points.held_queue", Role.OFFICER): WALKER,
    ("patrols.routes_page", Role.OFFICER): ROUTE,
    ("rewards.corrections_page", Role.OFFICER): WALKER,
    ("rewards.catalog", Role.GUARD): GIFT,
    ("sightings.console_sightings", Role.OFFICER): WALKER,
    ("broadcasts.open_list", Role.OFFICER): POINT,
    ("police_room.officer_tips_page", Role.OFFICER): POINT,
    ("police_room.api_officer_tips", Role.OFFICER): POINT,
    ("police_room.notices_page", Role.OFFICER): POINT,
    ("police_room.desk", Role.OFFICER): WALKER,
}

# Pages and lists read with a query naming the first area: refused as a missing one.
QUERY_CASES: dict[tuple[str, str], Callable[[FirstArea], dict[str, int]]] = {
    ("boundaries.page", "GET"): lambda w: {"area_id": w.police_area_id},
    ("officer_day.page", "GET"): lambda w: {"area": w.police_area_id},
    ("officer_day.day", "GET"): lambda w: {"area": w.police_area_id},
    ("police_room.notices_page", "GET"): lambda w: {"area": w.police_area_id},
}

# A query naming the first area's group: another area's board is refused as a missing one.
BOARD_QUERIES = {
    "grid": lambda w: w.grid_id,
    "team": lambda w: w.team_id,
    "community": lambda w: w.community_id,
    "area": lambda w: w.police_area_id,
}

# Guarded endpoints that reach no other person's or area's object, and why.
NO_AREA_OBJECT = {
    ("checkins.create_checkin", "POST"): "a scan is proven by the phone at the point's poster",
    ("checkins.history", "GET"): "the caller's own check-ins",
    ("rewards.my_points", "GET"): "the caller's own points",
    ("rewards.my_orders", "GET"): "the caller's own orders",
    ("rewards.desk", "GET"): "an empty form",
    ("volunteers.api_me", "GET"): "the caller",
    ("volunteers.profile", "GET"): "the caller",
    ("volunteers.api_duty", "POST"): "the caller's own duty",
    ("volunteers.duty", "POST"): "the caller's own duty",
    ("realtime.console", "GET"): "the page; its data comes over the socket (tests/realtime)",
    ("realtime.field", "GET"): "the page; its data comes over the socket (tests/realtime)",
    ("roster.template", "GET"): "an empty spreadsheet",
    ("point_import.template", "GET"): "an empty spreadsheet",
    ("point_import.confirm", "POST"): "the caller's own checked upload, checked again the same way",
    ("roster.preview", "POST"): "an upload checked against the caller's own community",
    ("roster.confirm", "POST"): "imports into the caller's own community",
    ("roster.sheet", "POST"): "awaiting people of the caller's own community only",
    ("sightings.create_sighting", "POST"): "the caller's report, placed in the caller's own area",
    ("sightings.my_sightings", "GET"): "the caller's own reports",
    ("sightings.set_sighting_reward", "PUT"): "the caller's own area's rewards",
    ("sightings.report_page", "GET"): "the page",
    ("broadcasts.upload_photo", "POST"): "a photo for the caller's next broadcast",
    ("hotspots.run_now", "POST"): "analyses the caller's own area, on the worker",
    ("sightings.my_reports_page", "GET"): "the page",
    ("police_room.profile_page", "GET"): "the caller's own public profile",
    ("police_room.save_profile", "POST"): "the caller's own public profile and first area",
    ("police_room.book", "GET"): "a police room's public page: any resident may book its officers",
    ("police_room.request_slot", "POST"): "an officer of the police room its address names",
    ("police_room.mine", "GET"): "the caller's own appointments",
    ("my_data.page", "GET"): "the caller's own data, counted",
    ("my_data.download", "GET"): "the caller's own data",
    ("my_data.close_page", "GET"): "the caller's own account",
    ("my_data.close", "POST"): "the caller's own account",
    ("admin.areas", "GET"): "admins only, who manage every area",
    ("admin.add_area", "POST"): "admins only, who manage every area",
    ("admin.add_community", "POST"): "admins only, who manage every area",
    ("admin.add_police_account", "POST"): "admins only, who manage every area",
}


def _roles(permission: str) -> list[Role]:
    """Every role the permission allows but admins, who manage the whole server."""
    return sorted(r for r in roles_for(permission) if r != Role.ADMIN)


def _send(http: Any, app: Flask, endpoint: str, method: str, values: dict[str, Any], body: Any):
    with app.test_request_context():
        url = url_for(endpoint, **values)
    headers = {"Accept": "application/json", "Accept-Language": "en"}
    if body is not None and "_files" in body:  # a form with uploads
        files = {k: (BytesIO(data), name) for k, (data, name) in body["_files"].items()}
        fields = {k: str(v) for k, v in body.items() if k != "_files"}
        return http.open(url, method=method, data=fields | files, headers=headers)
    return http.open(url, method=method, json=body, headers=headers)


def test_every_guarded_endpoint_with_an_id_has_a_case():
    assert WITH_ID, "no guarded endpoint with an id found"
    missing = sorted(set(WITH_ID) - set(ID_CASES))
    assert not missing, f"add a first-area object for these endpoints to ID_CASES: {missing}"
    stale = sorted(set(ID_CASES) - set(WITH_ID))
    assert not stale, f"these ID_CASES name no guarded endpoint any more: {stale}"


def test_every_other_guarded_endpoint_is_classified():
    """A new page, list or action without an id must say how it stays within the caller's area."""
    known = set(BODY_CASES) | set(LISTS) | set(NO_AREA_OBJECT)
    missing = sorted(set(WITHOUT_ID) - known)
    assert not missing, f"add these to BODY_CASES, LISTS or NO_AREA_OBJECT: {missing}"
    # Cases may wait for a package still being built (its blueprint not registered yet).
    blueprints = {endpoint.split(".")[0] for endpoint, *_rest in GUARDED}
    stale = sorted(k for k in known - set(WITHOUT_ID) if k[0].split(".")[0] in blueprints)
    assert not stale, f"these cases name no guarded endpoint any more: {stale}"


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("endpoint", "method", "role"),
    [
        pytest.param(e, m, r, id=f"{e}-{m}-{r}")
        for (e, m) in sorted(set(ID_CASES) & set(WITH_ID))  # the rest fail the coverage test
        for r in _roles(WITH_ID[e, m])
    ],
)
def test_another_areas_caller_gets_not_found_for_an_id_and_nothing_changes(
    app, first_area, caller, endpoint, method, role
):
    values, body = ID_CASES[endpoint, method](first_area)
    http = caller(role)
    before = snapshot(app)
    response = _send(http, app, endpoint, method, values, body)
    assert response.status_code == 404, (response.status_code, response.get_data(as_text=True))
    assert response.get_json()["error"]["code"]
    assert snapshot(app) == before


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("endpoint", "method", "role"),
    [
        pytest.param(e, m, r, id=f"{e}-{m}-{r}")
        for (e, m) in sorted(set(BODY_CASES) & set(WITHOUT_ID))
        for r in _roles(WITHOUT_ID[e, m])
    ],
)
def test_another_areas_caller_naming_an_object_in_the_body_gets_not_found(
    app, first_area, caller, endpoint, method, role
):
    http = caller(role)
    before = snapshot(app)
    response = _send(http, app, endpoint, method, {}, BODY_CASES[endpoint, method](first_area))
    status, code = NOT_404.get((endpoint, method), (404, None))
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    if code is not None:
        assert f'"code":"{code}"' in response.get_data(as_text=True).replace(" ", "")
    assert snapshot(app) == before


def _page(http: Any, app: Flask, endpoint: str, query: dict[str, Any], accept: str) -> str:
    """The page's text (a spreadsheet's cells, for an export)."""
    with app.test_request_context():
        url = url_for(endpoint, **query)
    response = http.get(url, headers={"Accept": accept})
    assert response.status_code == 200, (url, response.status_code)
    if response.is_json:  # names as typed, not as \\u escapes
        return json.dumps(response.get_json(), ensure_ascii=False)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(BytesIO(response.data), read_only=True)
        return " ".join(
            str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row
        )
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("endpoint", "role"),
    [
        pytest.param(e, r, id=f"{e}-{r}")
        for (e, m) in sorted(set(LISTS) & set(WITHOUT_ID))
        for r in _roles(WITHOUT_ID[e, m])
    ],
)
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_another_areas_pages_and_lists_show_none_of_this_areas_names(
    app, first_area, caller, endpoint, role, accept
):
    text = _page(caller(role), app, endpoint, LISTS[endpoint, "GET"], accept)
    shown = [name for name in FIRST_AREA_NAMES if name in text]
    assert not shown, f"{endpoint} shows the first area's {shown}"


@pytest.mark.parametrize(("endpoint", "role"), sorted(SEEN_AT_HOME))
def test_the_first_areas_own_callers_see_its_names_there(app, first_area, caller, endpoint, role):
    text = _page(caller(role, second=False), app, endpoint, LISTS[endpoint, "GET"], "text/html")
    assert SEEN_AT_HOME[endpoint, role] in text


@pytest.mark.parametrize(
    ("endpoint", "role"),
    [
        pytest.param(e, r, id=f"{e}-{r}")
        for (e, m) in sorted(set(QUERY_CASES) & set(WITHOUT_ID))
        for r in _roles(WITHOUT_ID[e, m])
    ],
)
def test_another_areas_caller_naming_this_area_in_a_query_gets_not_found(
    app, first_area, caller, endpoint, role
):
    with app.test_request_context():
        url = url_for(endpoint, **QUERY_CASES[endpoint, "GET"](first_area))
    response = caller(role).get(url, headers={"Accept": "application/json"})
    assert response.status_code == 404, (url, response.status_code)


@pytest.mark.parametrize("scope", sorted(BOARD_QUERIES))
@pytest.mark.parametrize(
    "role",
    _roles("rewards.leaderboards.view"),
)
def test_another_areas_caller_asking_for_this_areas_board_gets_not_found(
    app, first_area, caller, role, scope
):
    http = caller(role)
    group = BOARD_QUERIES[scope](first_area)
    response = http.get(
        f"/leaderboards?scope={scope}&id={group}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 404, response.get_json()
