"""Patrol points are walled by police area: an officer of another area cannot see, move,
retire, reprint or print them (404, as for a point that does not exist), and nothing changes;
an officer placed in no area sees nothing at all."""

from __future__ import annotations

import pytest

from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from checkins.models import PatrolPoint
from tests.conftest import STAFF_PASSWORD, log_in
from volunteers import services


def _point(app, point_id):
    with app.app_context(), unit_of_work(write=False) as uow:
        point = uow.session.get(PatrolPoint, point_id)
        return (point.name, point.lat, point.retired_at, point.poster_version)


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/points/{point}", {"name": "改名", "lat": 33.5, "lon": 120.2}),
        ("POST", "/api/points/{point}/retire", {}),
        ("POST", "/api/points/{point}/reprint", {}),
        ("GET", "/officer/points/{point}", None),
        ("GET", "/officer/points/{point}/poster.pdf", None),
        ("GET", "/officer/grids/{grid}/posters.pdf", None),
    ],
)
def test_an_officer_of_ansecond_area_gets_not_found_and_nothing_changes(
    app, client, make_user, second_area, method, path, body
):
    before = _point(app, second_area["point_id"])
    log_in(client, make_user(Role.OFFICER))  # an officer of the first area
    url = path.format(point=second_area["point_id"], grid=second_area["grid_id"])
    response = client.open(url, method=method, json=body, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert _point(app, second_area["point_id"]) == before


@pytest.mark.both_databases
def test_ansecond_areas_points_are_not_listed_and_its_grids_take_no_new_points(
    app, client, make_user, area, second_area
):
    log_in(client, make_user(Role.OFFICER))
    listed = client.get("/api/points").get_json()["points"]
    assert second_area["point_id"] not in {p["id"] for p in listed}
    placed = client.post(
        "/api/points",
        json={"name": "越界点", "lat": 33.41, "lon": 120.16, "grid_id": second_area["grid_id"]},
    )
    assert placed.status_code == 404
    own = client.post(
        "/api/points",
        json={"name": "本区点", "lat": 33.38, "lon": 120.16, "grid_id": area["grid_ids"][0]},
    )
    assert own.status_code == 201


def test_an_officer_placed_in_no_area_sees_nothing(app, client, area, second_area):
    with app.app_context(), unit_of_work() as uow:
        nowhere = services.create_user(
            uow,
            name="无区警官",
            phone="13911112222",
            password=STAFF_PASSWORD,
            role=Role.OFFICER,
            hash_method=app.config["PASSWORD_HASH_METHOD"],
        )
        uow.commit()
    log_in(client, nowhere, password=STAFF_PASSWORD)
    assert client.get("/api/points").get_json()["points"] == []
    assert client.get(f"/officer/points/{second_area['point_id']}").status_code == 404


def test_a_station_officer_sees_every_area_of_the_station(app, client, area, second_area):
    with app.app_context(), unit_of_work() as uow:
        chief = services.create_user(
            uow,
            name="所长",
            phone="13922223333",
            password=STAFF_PASSWORD,
            role=Role.OFFICER,
            hash_method=app.config["PASSWORD_HASH_METHOD"],
        )
        chief.station_id = area["station_id"]
        uow.commit()
    log_in(client, chief, password=STAFF_PASSWORD)
    listed = {p["id"] for p in client.get("/api/points").get_json()["points"]}
    assert second_area["point_id"] in listed


@pytest.mark.both_databases
def test_the_map_shows_only_the_callers_areas(app, client, make_user, area, second_area):
    log_in(client, make_user(Role.OFFICER))
    with app.app_context(), unit_of_work() as uow:
        own = PatrolPoint(name="本区点", lat=33.38, lon=120.16, grid_id=area["grid_ids"][0])
        uow.session.add(own)
        uow.commit()
    features = client.get("/api/map").get_json()["features"]
    shown = {f["properties"].get("id") for f in features if f["properties"]["kind"] == "point"}
    assert own.id in shown and second_area["point_id"] not in shown
    grids = {f["properties"].get("id") for f in features if f["properties"]["kind"] == "grid"}
    assert second_area["grid_id"] not in grids


def test_an_officer_placed_in_no_area_gets_no_people_page(app, client, area):
    with app.app_context(), unit_of_work() as uow:
        nowhere = services.create_user(
            uow,
            name="无区警官",
            phone="13911113333",
            password=STAFF_PASSWORD,
            role=Role.OFFICER,
            hash_method=app.config["PASSWORD_HASH_METHOD"],
        )
        uow.commit()
    log_in(client, nowhere, password=STAFF_PASSWORD)
    assert client.get("/officer/people").status_code == 404  # never "the first community"


@pytest.mark.both_databases
def test_ansecond_areas_officer_neither_sees_nor_decides_a_held_scan(
    app, client, make_user, second_area
):
    """A held scan at another area's point: not in the queue, and approving it is a 404 that
    pays nothing."""
    from sqlalchemy import func, select

    from checkins.models import HELD, CheckIn
    from rewards.models import LedgerEntry

    walker = make_user(Role.GUARD)
    with app.app_context(), unit_of_work() as uow:
        held = CheckIn(
            user_id=walker.id,
            point_id=second_area["point_id"],
            token="t",
            status=HELD,
            lat=33.41,
            lon=120.16,
            accuracy_m=40,
            distance_m=70,
            points=10,
            server_time=utcnow(),
            observed_at=utcnow(),
        )
        uow.session.add(held)
        uow.commit()
    admin = app.test_client()
    log_in(admin, make_user(Role.ADMIN))  # the whole server: sees it
    assert walker.name in admin.get("/officer/held").get_data(as_text=True)
    log_in(client, make_user(Role.OFFICER))  # an officer of the first area: does not
    assert walker.name not in client.get("/officer/held").get_data(as_text=True)
    answer = client.post(f"/api/officer/held/{held.id}/approve", json={})
    assert answer.status_code == 404
    with app.app_context(), unit_of_work(write=False) as uow:
        assert uow.session.get(CheckIn, held.id).status == HELD
        paid = select(func.count()).select_from(LedgerEntry)
        assert uow.session.scalar(paid) == 0


@pytest.mark.both_databases
def test_a_route_takes_only_the_officers_own_areas_points_and_people(
    app, client, make_user, area, second_area
):
    log_in(client, make_user(Role.OFFICER))
    walker = make_user(Role.GUARD)
    with app.app_context(), unit_of_work() as uow:
        own = [
            PatrolPoint(name=f"本区{i}", lat=33.38, lon=120.16, grid_id=area["grid_ids"][0])
            for i in (1, 2)
        ]
        uow.session.add_all(own)
        uow.commit()
    body = {"name": "夜巡", "starts_at": "21:00", "ends_at": "23:00", "bonus_points": 30}
    mixed = client.post(
        "/api/routes",
        json={**body, "point_ids": [own[0].id, second_area["point_id"]], "user_ids": [walker.id]},
    )
    assert mixed.status_code == 422 and mixed.get_json()["error"]["code"] == "route_points_invalid"
    made = client.post(
        "/api/routes",
        json={**body, "point_ids": [p.id for p in own], "user_ids": [walker.id]},
    )
    assert made.status_code == 201
    page = client.get("/officer/routes").get_data(as_text=True)
    assert "夜巡" in page and "北门" not in page  # another area's point is not offered
