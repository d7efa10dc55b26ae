"""Setting up a server without the demo: the one-time link, the set-up form, all or nothing."""

from __future__ import annotations

import threading
import time

import pytest
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from app.errors import Conflict
from app.extensions import db
from app.uow import unit_of_work
from volunteers import setup
from volunteers.admin_areas import AreaDetails
from volunteers.areas import areas_of
from volunteers.models import PoliceArea, Station, User
from volunteers.person import Person

ADMIN_PASSWORD = "Ma-2026-anquan-shouwei"


def _link(app) -> str:
    return f"/setup/{setup.new_link_token(app.config['SECRET_KEY'])}"


def _link_made_ago(app, monkeypatch, seconds: int) -> str:
    """A link signed ``seconds`` ago: the signer's clock is set back while it signs."""
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda _: int(time.time()) - seconds)
        return _link(app)


def _form(**overrides):
    """What a browser sends: the admin, the station, two filled area rows and a blank one."""
    form = {
        "name": "马所长",
        "phone": "139 0000 7777",
        "password": ADMIN_PASSWORD,
        "station_name": "城西派出所",
        "station_phone": "0515-86660000",
        "area_name": ["西湖警务区", "西关警务区", ""],
        "area_police_room": ["西湖路 8 号", "西关街 2 号", ""],
        "area_phone": ["0515-86660110", "0515-86660120", ""],
        "area_timezone": ["Asia/Shanghai", "Asia/Urumqi", "Asia/Shanghai"],
    }
    form.update(overrides)
    return form


def _json(**overrides):
    body = {
        "name": "马所长",
        "phone": "13900007777",
        "password": ADMIN_PASSWORD,
        "station_name": "城西派出所",
        "station_phone": "0515-86660000",
        "areas": [
            {"name": "西湖警务区", "police_room": "西湖路 8 号", "phone": "0515-86660110"},
            {"name": "西关警务区", "phone": "0515-86660120", "timezone": "Asia/Urumqi"},
        ],
    }
    body.update(overrides)
    return body


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Station, PoliceArea, User)
        )


@pytest.mark.both_databases
def test_the_link_sets_up_admin_station_and_areas_and_logs_the_admin_in(app, client):
    link = _link(app)
    page = client.get(link)
    assert page.status_code == 200 and 'name="area_name"' in page.get_data(as_text=True)

    answer = client.post(link, data=_form())
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/admin/areas")
    assert client.get("/admin/areas").status_code == 200  # logged in, as the admin
    with app.app_context():
        station = db.session.scalars(select(Station)).one()
        areas = db.session.scalars(select(PoliceArea).order_by(PoliceArea.id)).all()
        admin = db.session.scalars(select(User)).one()
        assert (station.name, station.duty_phone) == ("城西派出所", "0515-86660000")
        assert [(a.name, a.police_room, a.phone, a.timezone, a.station_id) for a in areas] == [
            ("西湖警务区", "西湖路 8 号", "0515-86660110", "Asia/Shanghai", station.id),
            ("西关警务区", "西关街 2 号", "0515-86660120", "Asia/Urumqi", station.id),
        ]  # the blank third row is no area
        assert (admin.role, admin.phone, admin.station_id) == ("admin", "13900007777", station.id)
        assert areas_of(db.session(), Person.of(admin)).everywhere


@pytest.mark.both_databases
def test_a_used_link_is_refused_and_changes_nothing(app, client):
    link = _link(app)
    assert client.post(link, json=_json()).status_code == 201
    before = _counts(app)
    again = app.test_client()
    for answer in (
        again.get(link, headers={"Accept-Language": "en"}),
        again.post(link, json=_json(phone="13900008888", station_name="另一个派出所")),
        again.get(_link(app)),  # a fresh link too: the server is set up
    ):
        assert answer.status_code == 409
    assert "already set up" in again.get(link, headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert _counts(app) == before == (1, 2, 1)


@pytest.mark.both_databases
def test_two_set_ups_at_once_make_one_station(app):
    """The second waits for the first (SQLite's one writer; the stations table locked on
    PostgreSQL), then sees its station and is refused."""
    details = {
        "name": "马所长",
        "password": ADMIN_PASSWORD,
        "station_name": "城西派出所",
        "station_phone": "0515-86660000",
        "areas": [AreaDetails("西湖警务区", "", "0515-86660110", "Asia/Shanghai")],
        "hash_method": app.config["PASSWORD_HASH_METHOD"],
    }
    written, release, outcome = threading.Event(), threading.Event(), {}

    def first() -> None:
        with app.app_context(), unit_of_work() as uow:
            setup.set_up(uow, phone="13900007777", **details)
            written.set()
            release.wait(10)
            uow.commit()

    def second() -> None:
        written.wait(10)
        with app.app_context():
            try:
                with unit_of_work() as uow:
                    setup.set_up(uow, phone="13900008888", **details)
                    uow.commit()
                outcome["second"] = "set up"
            except Conflict:
                outcome["second"] = "refused"

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    written.wait(10)
    time.sleep(0.5)  # the second is now waiting on the first's lock
    release.set()
    for thread in threads:
        thread.join(20)
    assert outcome == {"second": "refused"}
    assert _counts(app) == (1, 1, 1)


def test_an_expired_link_is_refused_with_a_page_that_says_what_to_do(app, client, monkeypatch):
    link = _link_made_ago(app, monkeypatch, int(setup.LINK_MAX_AGE.total_seconds()) + 60)
    page = client.get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 410
    assert "wanjia setup-link" in page.get_data(as_text=True)
    assert client.post(link, json=_json()).status_code == 410
    assert _counts(app) == (0, 0, 0)
    fresh_enough = _link_made_ago(app, monkeypatch, int(setup.LINK_MAX_AGE.total_seconds()) - 60)
    assert client.get(fresh_enough).status_code == 200


@pytest.mark.parametrize(
    "forge",
    [
        lambda link: link[:-2] + ("AA" if not link.endswith("AA") else "BB"),  # altered signature
        lambda link: "/setup/" + setup.new_link_token("another-servers-secret-key-0123456789"),
        lambda link: "/setup/not-a-token",
        lambda link: "/setup/" + "x" * 5000,
    ],
    ids=["altered", "other-secret", "garbage", "huge"],
)
def test_a_forged_link_is_refused_and_creates_nothing(app, client, forge):
    link = forge(_link(app))
    assert client.get(link).status_code == 404
    answer = client.post(link, json=_json())
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "setup_link_unknown"
    assert _counts(app) == (0, 0, 0)


def test_a_token_signed_for_another_purpose_is_refused(app, client):
    other = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="first-login").dumps("setup")
    assert client.get(f"/setup/{other}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([1, 2], None),  # not an object
        (_json(areas="西湖警务区"), "areas"),
        (_json(areas=[]), "areas"),
        (_json(areas=[{"name": "西湖"}] * 51), "areas"),
        (_json(areas=["西湖警务区"]), "areas.0"),
        (_json(station_name=""), "station_name"),
        (_json(station_phone="call us"), "station_phone"),
        (_json(station_name="派" * 121), "station_name"),
        (_json(password="1234567890"), None),  # a common police password
        (_json(phone="12345"), None),
        (_json(name=["马"]), "name"),
        (
            _json(areas=[{"name": "西湖警务区", "phone": "0515-1"}, {"name": "", "phone": "110"}]),
            "areas.1.name",
        ),
        (
            _json(areas=[{"name": "西湖", "phone": "0515-86660110", "timezone": "Mars/Olympus"}]),
            "areas.0.timezone",
        ),
        (
            _json(
                areas=[{"name": "西湖", "phone": "0515-86660110", "timezone": "../../etc/passwd"}]
            ),
            "areas.0.timezone",
        ),
        (_json(areas=[{"name": "西湖", "phone": 110}]), "areas.0.phone"),
        (_json(areas=[{"name": "西湖", "phone": "0515-86660110"}] * 2), "areas"),
    ],
)
def test_a_malformed_set_up_is_a_4xx_naming_the_field_and_creates_nothing(app, client, body, field):
    answer = client.post(_link(app), json=body, headers={"Accept-Language": "en"})
    assert 400 <= answer.status_code < 500, answer.get_data(as_text=True)
    error = answer.get_json()["error"]
    assert error.get("field") == field, error
    assert _counts(app) == (0, 0, 0)


def test_a_wrong_area_row_is_named_by_its_number_in_both_languages(app, client):
    link = _link(app)
    form = _form(area_timezone=["Asia/Shanghai", "Mars/Olympus", "Asia/Shanghai"])
    english = client.post(link, data=form, headers={"Accept-Language": "en"})
    assert english.status_code == 422
    page = english.get_data(as_text=True)
    assert "Police area 2 · Time zone" in page
    assert "西关警务区" in page and ADMIN_PASSWORD not in page  # kept, but not the password
    chinese = client.post(link, data=form, headers={"Accept-Language": "zh-CN"})
    assert "警务区 2 · 时区" in chinese.get_data(as_text=True)
    assert _counts(app) == (0, 0, 0)
