"""Gifts and orders are walled by police area (issue 18): field people see and order only their
own area's gifts; officers manage, and hand over at the desk, only their own areas' gifts and
orders; to anyone else a gift, a picture or a pickup code answers as one that does not exist,
and nothing changes."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from rewards import ledger
from rewards.models import Gift, Order
from tests.conftest import PASSWORD, STAFF_PASSWORD, log_in
from volunteers import services
from volunteers.models import PoliceArea, Station, User

PAST_INT32 = 2**31


@pytest.fixture
def north_volunteer(app, second_area):
    """A volunteer of the second area's community."""
    with app.app_context(), unit_of_work() as uow:
        person = services.create_user(
            uow,
            name="北湖队员",
            phone="13900000202",
            password=PASSWORD,
            role=Role.VOLUNTEER,
            placement=services.Placement(second_area["community_id"]),
            hash_method=app.config["PASSWORD_HASH_METHOD"],
        )
        uow.commit()
    return person


@pytest.fixture
def placed(app, make_user, make_gift, give_points):
    """A first-area gift with a picture and a pending order of a first-area volunteer."""
    buyer = make_user(Role.VOLUNTEER)
    gift = make_gift(name="甲区保温杯", price=100, stock=5, picture="p.jpg")
    give_points(buyer, 300)
    folder = Path(app.instance_path) / "gifts"
    folder.mkdir()
    Image.new("RGB", (4, 4)).save(folder / "p.jpg", "JPEG")
    own = app.test_client()
    log_in(own, buyer)
    answer = own.post("/api/orders", json={"gift_id": gift.id, "client_key": "k-1"})
    assert answer.status_code == 201, answer.get_json()
    return {"buyer": buyer, "gift": gift, "order": answer.get_json()["order"], "client": own}


def _state(app, gift_id):
    """Everything a refused call must leave as it was: the gift, its orders, all balances."""
    with app.app_context():
        gift = db.session.get(Gift, gift_id)
        orders = db.session.execute(
            select(Order.id, Order.status, Order.collected_by_id).order_by(Order.id)
        ).all()
        balances = [ledger.balance(db.session, u) for u in db.session.scalars(select(User.id))]
        return (gift.name, gift.price, gift.stock, gift.picture, orders, balances)


def _gift_count(app):
    with app.app_context():
        return len(db.session.scalars(select(Gift.id)).all())


@pytest.mark.both_databases
def test_a_volunteer_of_another_area_neither_sees_nor_orders_this_areas_gifts(
    app, client, make_gift, give_points, second_area, north_volunteer
):
    here = make_gift(name="甲区保温杯")
    there = make_gift(name="北湖环保袋", price=50, police_area_id=second_area["police_area_id"])
    give_points(north_volunteer, 500)
    log_in(client, north_volunteer)
    listed = client.get("/store", headers={"Accept": "application/json"}).get_json()["gifts"]
    assert [g["name"] for g in listed] == ["北湖环保袋"]
    page = client.get("/store").get_data(as_text=True)
    assert "北湖环保袋" in page and "甲区保温杯" not in page
    before = _state(app, here.id)
    refused = client.post("/api/orders", json={"gift_id": here.id, "client_key": "k-x"})
    assert refused.status_code == 404
    assert refused.get_json()["error"]["code"] == "gift_unavailable"
    form = client.post("/store/order", data={"gift_id": here.id, "client_key": "k-y"})
    assert form.status_code == 404
    assert _state(app, here.id) == before
    own = client.post("/api/orders", json={"gift_id": there.id, "client_key": "k-z"})
    assert own.status_code == 201


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/gifts/{gift}", {"price": 1, "stock": 0, "retired": True}),
        ("POST", "/api/gifts/{gift}/picture", "picture"),
        ("GET", "/gifts/{gift}/picture", None),
        ("POST", "/officer/desk", {"code": "{code}"}),
    ],
)
def test_an_officer_of_another_area_gets_not_found_and_nothing_changes(
    app, client, placed, outsider, method, path, body
):
    gift_id, code = placed["gift"].id, placed["order"]["pickup_code"]
    log_in(client, outsider, password=STAFF_PASSWORD)
    before = _state(app, gift_id)
    url = path.format(gift=gift_id)
    headers = {"Accept": "application/json"}
    if body == "picture":
        picture = BytesIO()
        Image.new("RGB", (8, 8), "red").save(picture, "PNG")
        response = client.post(
            url, data={"picture": (BytesIO(picture.getvalue()), "p.png")}, headers=headers
        )
    elif body is None:
        response = client.open(url, method=method, headers=headers)
    else:
        payload = {k: v.format(code=code) if isinstance(v, str) else v for k, v in body.items()}
        response = client.open(url, method=method, json=payload, headers=headers)
    assert response.status_code == 404, response.get_data(as_text=True)
    assert _state(app, gift_id) == before


@pytest.mark.both_databases
def test_the_desk_of_another_area_does_not_find_the_code_and_the_own_desk_hands_it_over(
    app, client, placed, outsider, make_user
):
    code = placed["order"]["pickup_code"]
    stranger = app.test_client()
    log_in(stranger, outsider, password=STAFF_PASSWORD)
    answer = stranger.post("/officer/desk", json={"code": code})
    assert answer.get_json()["error"]["code"] == "pickup_unknown"
    page = stranger.post("/officer/desk", data={"code": code})
    assert page.status_code == 404
    log_in(client, make_user(Role.OFFICER))
    handed = client.post("/officer/desk", json={"code": code})
    assert handed.status_code == 200 and handed.get_json()["order"]["status"] == "collected"


def test_the_catalog_page_of_another_area_shows_none_of_this_areas_gifts_or_orders(
    app, client, placed, outsider, make_user
):
    log_in(client, outsider, password=STAFF_PASSWORD)
    page = client.get("/officer/gifts").get_data(as_text=True)
    assert "甲区保温杯" not in page and placed["order"]["pickup_code"] not in page
    own = app.test_client()
    log_in(own, make_user(Role.OFFICER))
    page = own.get("/officer/gifts").get_data(as_text=True)
    assert "甲区保温杯" in page and placed["order"]["pickup_code"] in page


def test_the_picture_shows_to_the_areas_people_only(app, client, placed, north_volunteer):
    url = f"/gifts/{placed['gift'].id}/picture"
    assert placed["client"].get(url).status_code == 200
    log_in(client, north_volunteer)
    assert client.get(url).status_code == 404
    assert app.test_client().get(url).status_code == 404  # nobody logged in


@pytest.mark.both_databases
def test_a_new_gift_goes_into_the_officers_own_area(app, client, area, make_user):
    log_in(client, make_user(Role.OFFICER))
    made = client.post("/api/gifts", json={"name": "雨伞", "price": 150})
    assert made.status_code == 201
    with app.app_context():
        gift = db.session.get(Gift, made.get_json()["gift"]["id"])
        assert gift.police_area_id == area["police_area_id"]


@pytest.mark.both_databases
def test_an_officer_cannot_put_a_gift_into_another_area(app, client, area, outsider):
    log_in(client, outsider, password=STAFF_PASSWORD)
    refused = client.post(
        "/api/gifts",
        json={"name": "雨伞", "price": 150, "police_area_id": area["police_area_id"]},
    )
    assert refused.status_code == 404
    assert _gift_count(app) == 0


@pytest.fixture
def station_officer(app, area, second_area, make_user):
    """An officer of the whole station: both areas."""
    officer = make_user(Role.OFFICER)
    with app.app_context(), unit_of_work() as uow:
        row = uow.session.get_one(User, officer.id)
        row.police_area_id, row.station_id = None, area["station_id"]
        uow.commit()
    return officer


@pytest.mark.both_databases
def test_a_station_officer_names_one_of_the_stations_areas_for_a_new_gift(
    app, client, second_area, station_officer
):
    log_in(client, station_officer)
    unnamed = client.post("/api/gifts", json={"name": "雨伞", "price": 150})
    assert unnamed.status_code == 422
    assert unnamed.get_json()["error"]["field"] == "police_area_id"
    with app.app_context(), unit_of_work() as uow:
        elsewhere = PoliceArea(
            station=Station(name="外所"), name="外所警务区", center_lat=30.0, center_lon=120.0
        )
        uow.session.add(elsewhere)
        uow.commit()
        elsewhere_id = elsewhere.id
    other_station = client.post(
        "/api/gifts", json={"name": "雨伞", "price": 150, "police_area_id": elsewhere_id}
    )
    assert other_station.status_code == 404
    assert _gift_count(app) == 0
    north = second_area["police_area_id"]
    made = client.post("/api/gifts", json={"name": "雨伞", "price": 150, "police_area_id": north})
    assert made.status_code == 201
    with app.app_context():
        assert db.session.get(Gift, made.get_json()["gift"]["id"]).police_area_id == north
    page = client.get("/officer/gifts").get_data(as_text=True)
    assert 'name="police_area_id"' in page and "城北警务区" in page


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.VOLUNTEER, "GET", "/officer/gifts"),
        (Role.VOLUNTEER, "POST", "/api/gifts"),
        (Role.GUARD, "PATCH", "/api/gifts/1"),
        (Role.DISPATCHER, "POST", "/officer/desk"),
        (Role.OFFICER, "POST", "/api/orders"),
    ],
)
def test_a_role_without_the_permission_is_refused(client, logged_in, role, method, path):
    logged_in(role)
    response = client.open(path, method=method, json={}, headers={"Accept": "application/json"})
    assert response.status_code == 403


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/gifts", {"name": "伞", "price": 5, "police_area_id": "north"}, "police_area_id"),
        ("/api/gifts", {"name": "伞", "price": 5, "police_area_id": PAST_INT32}, "police_area_id"),
        ("/api/gifts", {"name": ["伞"], "price": 5}, "name"),
        ("/officer/desk", {"code": {"x": 1}}, "code"),
    ],
)
def test_a_malformed_body_names_its_field_and_changes_nothing(
    app, client, make_user, path, body, field
):
    log_in(client, make_user(Role.OFFICER))
    response = client.post(path, json=body)
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field
    assert _gift_count(app) == 0


@pytest.mark.both_databases
def test_an_order_for_a_gift_id_past_the_columns_range_is_refused(app, client, make_user):
    log_in(client, make_user(Role.VOLUNTEER))
    response = client.post("/api/orders", json={"gift_id": PAST_INT32, "client_key": "k"})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "gift_id"
    with app.app_context():
        assert db.session.scalars(select(Order.id)).all() == []


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", f"/api/gifts/{PAST_INT32}"),
        ("POST", f"/api/gifts/{PAST_INT32}/picture"),
        ("GET", f"/gifts/{PAST_INT32}/picture"),
    ],
)
def test_a_gift_id_past_the_columns_range_is_not_found(client, make_user, method, path):
    log_in(client, make_user(Role.OFFICER))
    response = client.open(path, method=method, json={}, headers={"Accept": "application/json"})
    assert response.status_code == 404
