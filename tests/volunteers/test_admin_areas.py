"""The admin's areas page: police areas, communities, officers and dispatchers; admins only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.errors import Forbidden
from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from tests.conftest import STAFF_PASSWORD, log_in
from volunteers import admin_areas
from volunteers.admin_areas import AreaDetails
from volunteers.areas import areas_of
from volunteers.models import Community, PoliceArea, User
from volunteers.person import Person

EN = {"Accept-Language": "en"}
NEW_AREA = {"name": "城东警务区", "police_room": "东湖路 1 号", "phone": "0515-88880130"}


def _area_rows(app):
    with app.app_context():
        return db.session.execute(
            select(
                PoliceArea.name, PoliceArea.police_room, PoliceArea.phone, PoliceArea.timezone
            ).order_by(PoliceArea.id)
        ).all()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.ADMIN}))
def test_only_an_admin_reaches_the_areas_page(app, client, logged_in, area, role):
    logged_in(role)
    assert client.get("/admin/areas").status_code == 403
    answer = client.post("/admin/areas", json=NEW_AREA | {"station_id": area["station_id"]})
    assert answer.status_code == 403
    assert len(_area_rows(app)) == 1


def test_an_officer_cannot_add_areas_or_communities_even_through_the_services(app, logged_in, area):
    officer = logged_in(Role.OFFICER)
    with app.app_context(), unit_of_work() as uow:
        actor = Person.of(uow.session.get(User, officer.id))
        with pytest.raises(Forbidden):
            admin_areas.add_area(
                uow, actor, area["station_id"], AreaDetails("城东", "", "110", "Asia/Shanghai")
            )
        with pytest.raises(Forbidden):
            admin_areas.add_community(uow, actor, area["police_area_id"], "东湖社区")
    assert len(_area_rows(app)) == 1 and _count(app, Community) == 1


def test_anonymous_browsers_are_sent_to_log_in(client):
    answer = client.get("/admin/areas")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.both_databases
def test_an_admin_adds_and_changes_an_area_and_gives_it_a_community(app, client, logged_in, area):
    logged_in(Role.ADMIN)
    page = client.get("/admin/areas").get_data(as_text=True)
    assert "测试警务区" in page and "测试社区" in page and "/officer/boundaries" in page

    added = client.post("/admin/areas", json=NEW_AREA | {"station_id": area["station_id"]})
    assert added.status_code == 201
    new_id = added.get_json()["id"]
    changed = client.post(
        f"/admin/areas/{new_id}",
        data={
            "name": " 城东 警务区 ",
            "police_room": "",
            "phone": "(0515) 8888 0131",
            "timezone": "Asia/Urumqi",
        },
    )
    assert changed.status_code == 302 and changed.headers["Location"].endswith(f"#area-{new_id}")
    assert _area_rows(app)[1] == ("城东 警务区", "", "(0515) 8888 0131", "Asia/Urumqi")

    community = client.post("/admin/communities", data={"area_id": new_id, "name": "东湖社区"})
    assert community.status_code == 302
    with app.app_context():
        made = db.session.scalars(select(Community).where(Community.name == "东湖社区")).one()
        assert (made.police_area_id, made.boundary) == (new_id, None)
    assert "东湖社区" in client.get("/admin/areas").get_data(as_text=True)


@pytest.mark.both_databases
def test_an_admin_creates_officers_in_an_area_and_dispatchers_for_the_station(
    app, client, logged_in, area, second_area
):
    logged_in(Role.ADMIN)
    account = {"password": STAFF_PASSWORD, "station_id": area["station_id"]}
    officer = client.post(
        "/admin/police-accounts",
        json=account
        | {
            "name": "北警官",
            "phone": "13900000301",
            "role": "officer",
            "area_id": second_area["police_area_id"],
        },
    )
    dispatcher = client.post(
        "/admin/police-accounts",
        json=account | {"name": "站调度", "phone": "13900000302", "role": "dispatcher"},
    )
    assert officer.status_code == dispatcher.status_code == 201
    with app.app_context():
        north = db.session.get_one(User, officer.get_json()["id"])
        station = db.session.get_one(User, dispatcher.get_json()["id"])
        assert areas_of(db.session(), Person.of(north)).ids == {second_area["police_area_id"]}
        assert areas_of(db.session(), Person.of(station)).ids == {
            area["police_area_id"],
            second_area["police_area_id"],
        }
    fresh = app.test_client()
    log_in(fresh, north, STAFF_PASSWORD)  # the new officer can log in with the first password
    assert fresh.get("/admin/areas").status_code == 403


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/admin/areas", [1], 422, None),
        ("/admin/areas", {"name": "城东", "phone": "110"}, 422, "station_id"),
        ("/admin/areas", NEW_AREA | {"station_id": 2**31}, 422, "station_id"),
        ("/admin/areas", NEW_AREA | {"station_id": 999}, 404, None),
        (
            "/admin/areas",
            NEW_AREA | {"station_id": "1", "timezone": "Mars/Olympus"},
            422,
            "timezone",
        ),
        ("/admin/areas", NEW_AREA | {"station_id": "1", "phone": "call the room"}, 422, "phone"),
        ("/admin/areas", NEW_AREA | {"station_id": "1", "name": "  "}, 422, "name"),
        ("/admin/areas", NEW_AREA | {"station_id": "1", "name": "测试警务区"}, 409, "name"),
        (
            "/admin/areas",
            NEW_AREA | {"station_id": "1", "police_room": "路" * 201},
            422,
            "police_room",
        ),
        ("/admin/areas/1", {"name": "城东", "phone": ["110"]}, 422, "phone"),
        ("/admin/areas/999", NEW_AREA, 404, None),
        (f"/admin/areas/{2**31}", NEW_AREA, 404, None),
        ("/admin/communities", {"area_id": 2**31, "name": "东湖社区"}, 422, "area_id"),
        ("/admin/communities", {"area_id": 999, "name": "东湖社区"}, 404, None),
        ("/admin/communities", {"area_id": 1, "name": ""}, 422, "name"),
        ("/admin/communities", {"area_id": 1, "name": "测试社区"}, 409, "name"),
        ("/admin/communities", {"area_id": "one", "name": "东湖社区"}, 422, "area_id"),
        (
            "/admin/police-accounts",
            {
                "name": "王",
                "phone": "13900000303",
                "password": STAFF_PASSWORD,
                "role": "admin",
                "station_id": 1,
            },
            422,
            "role",
        ),
        (
            "/admin/police-accounts",
            {
                "name": "王",
                "phone": "13900000303",
                "password": STAFF_PASSWORD,
                "role": "officer",
                "station_id": 1,
                "area_id": 2**31,
            },
            422,
            "area_id",
        ),
        (
            "/admin/police-accounts",
            {
                "name": "王",
                "phone": "13900000303",
                "password": STAFF_PASSWORD,
                "role": "officer",
                "station_id": 1,
                "area_id": 999,
            },
            404,
            None,
        ),
        (
            "/admin/police-accounts",
            {
                "name": "王",
                "phone": "13900000303",
                "password": "qwertyuiop",
                "role": "officer",
                "station_id": 1,
            },
            422,
            None,
        ),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field_and_changes_nothing(
    app, client, logged_in, area, path, body, status, field
):
    assert area["station_id"] == area["police_area_id"] == area["community_id"] == 1
    logged_in(Role.ADMIN)
    before = (_area_rows(app), _count(app, Community), _count(app, User))
    answer = client.post(path, json=body, headers=EN)
    assert answer.status_code == status, answer.get_json()
    assert answer.get_json()["error"].get("field") == field
    assert (_area_rows(app), _count(app, Community), _count(app, User)) == before


def test_a_form_error_shows_beside_its_form_in_both_languages(app, client, logged_in, area):
    logged_in(Role.ADMIN)
    form = {"station_id": area["station_id"], "name": "城东", "phone": "110", "timezone": "x"}
    english = client.post("/admin/areas", data=form, headers=EN)
    assert english.status_code == 422
    assert "Time zone: please choose a time zone from the list." in english.get_data(as_text=True)
    chinese = client.post("/admin/areas", data=form, headers={"Accept-Language": "zh-CN"})
    page = chinese.get_data(as_text=True)
    assert "时区：请从列表中选择时区。" in page and 'value="城东"' in page  # the form keeps it
    assert len(_area_rows(app)) == 1
