"""The safety barometer's public page and its JSON: no login, in Chinese, bands and trends per
community, the patrol coverage, never an address, a position or a count under 5; an unknown
address is a clear 404."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.roles import Role
from app.uow import unit_of_work
from police_room import barometer_routes
from police_room.public import NO_SUCH_AREA
from tests.conftest import STAFF_PASSWORD, log_in
from tests.police_room.barometer_data import (
    EAST,
    NOW,
    WEST,
    Places,
    check_in,
    incident,
    local,
    places,
    point,
    sighting,
)
from volunteers.models import PoliceArea

PAGE = "/area/ceshi/barometer"
API = "/api/area/ceshi/barometer"
ADDRESS = "幸福路12号3单元"  # every planted incident's description


@pytest.fixture
def planted(
    app: Flask,
    area: dict[str, Any],
    make_user: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Places:
    """West: 7 thefts in the latest week (Nov 27 - Dec 3), 2 the week before; East: 3 confirmed
    sightings of a suspicious person; West's gate patrolled on Dec 3, of its two points."""
    monkeypatch.setattr(barometer_routes, "utcnow", lambda: NOW)
    found = places(app, area)
    by = make_user(Role.OFFICER).id
    walker = make_user(Role.GUARD).id
    with app.app_context(), unit_of_work() as uow:
        s = uow.session
        area_row = s.get(PoliceArea, found.area_id)
        assert area_row is not None
        area_row.slug = "ceshi"
        for month, day in ((11, 27), (11, 28), (11, 29), (11, 30), (12, 1), (12, 2), (12, 3)):
            incident(s, found, by, "theft", WEST, local(month, day))
        incident(s, found, by, "theft", WEST, local(11, 21))
        incident(s, found, by, "theft", WEST, local(11, 22))
        for day in (28, 29, 30):
            sighting(s, found, by, "suspicious_person", EAST, local(11, day))
        gate = point(s, found.west_grid, "一号门")
        point(s, found.west_grid, "二号门")
        check_in(s, walker, gate, local(12, 3, 9))
        uow.commit()
    return found


def test_the_page_reads_in_chinese_without_a_login(client: FlaskClient, planted: Places) -> None:
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "治安晴雨表" in html and "测试警务区" in html
    assert (
        html.index("整个警务区")
        < html.index("测试社区")
        < html.index("东园社区")
        < html.index("南苑社区")
    )  # the whole area first, then the communities in their fixed order
    assert "少于5起" in html  # East's 3 sightings, West's 2 thefts the week before
    assert "5至9起" in html  # West's 7 thefts
    assert "12月3日" in html  # the last day shown
    assert "1 / 2" in html  # West's coverage on Dec 3
    assert "边界尚未划定" in html  # 南苑社区 has no boundary
    assert "110" in html  # not an emergency line
    assert ADDRESS not in html
    assert 'href="/area/ceshi"' in html  # back to the police room's page


def test_the_figures_as_json_in_bands_without_an_address_or_a_position(
    client: FlaskClient, planted: Places
) -> None:
    answer = client.get(API)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] in ("public, max-age=600", "max-age=600, public")
    body = answer.get_json()["barometer"]
    assert body["last_day"] == "2026-12-03" and body["last_day_label"] == "12月3日"
    assert body["bands"][0] == "少于5起" and len(body["weeks"]) == 12
    assert body["weeks"][-1] == {
        "from": "2026-11-27",
        "to": "2026-12-03",
        "label": "11月27日",
        "to_label": "12月3日",
    }
    whole, west, east, plain = body["places"]
    assert [p["name"] for p in body["places"]] == ["整个警务区", "测试社区", "东园社区", "南苑社区"]
    theft = next(r for r in west["rows"] if r["label"] == "盗窃")
    assert (theft["latest"], theft["previous"]) == ("5至9起", "少于5起")
    assert theft["trend"] == {"direction": "up", "percent": None, "text": "上升"}
    seen = next(
        r for r in east["rows"] if r["group"] == "sightings" and r["label"] != "全部已核实线索"
    )
    assert seen["latest"] == "少于5起" and seen["trend"]["text"] == "数量少"
    assert west["weekly"]["incidents"][-2:] == [0, 1]  # bands, never counts
    assert west["coverage"][-1] == {
        "day": "2026-12-03",
        "label": "12月3日",
        "patrolled": 1,
        "points": 2,
        "percent": 50,
    }
    assert not plain["has_boundary"] and whole["has_boundary"]
    text = json.dumps(body, ensure_ascii=False)
    assert ADDRESS not in text
    assert not re.search(r"33\.3|120\.1", text)  # no position of any event or point
    assert '"lat"' not in text and '"lon"' not in text


def test_a_count_under_5_never_shows_as_a_number(client: FlaskClient, planted: Places) -> None:
    """Every figure of the incidents and sightings is a band's words; the only numbers are band
    levels (0-4) for the chart and the coverage, which counts patrol points, not events."""
    body = client.get(API).get_json()["barometer"]
    for place in body["places"]:
        for row in place["rows"]:
            assert row["latest"] in body["bands"] and row["previous"] in body["bands"]
            assert row["trend"]["percent"] is None or "%" in row["trend"]["text"]
        for series in place["weekly"].values():
            assert set(series) <= set(range(len(body["bands"])))


def test_a_logged_in_officer_of_another_area_sees_the_same_public_page(
    client: FlaskClient, planted: Places, outsider: Any
) -> None:
    anonymous = client.get(API).get_json()
    log_in(client, outsider, STAFF_PASSWORD)
    assert client.get(API).get_json() == anonymous


@pytest.mark.parametrize(
    "slug",
    [
        "nowhere",
        "CESHI",
        "ceshi.",
        "-ceshi",
        "a" * 61,
        "%E6%B5%8B%E8%AF%95",
        "ceshi%20",
        "2147483648",
    ],
)
def test_an_unknown_area_address_is_a_clear_404(
    app: Flask, client: FlaskClient, planted: Places, slug: str
) -> None:
    page = client.get(f"/area/{slug}/barometer")
    assert page.status_code == 404
    with app.test_request_context():
        words = str(NO_SUCH_AREA)  # the police room page's own words, in Chinese
    assert words in page.get_data(as_text=True)
    api = client.get(f"/api/area/{slug}/barometer")
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "area_unknown"


def test_only_reading_is_allowed(client: FlaskClient, planted: Places) -> None:
    assert client.post(API, json={}).status_code in (400, 405)  # the CSRF check may come first
    assert client.delete(API).status_code in (400, 405)


@pytest.mark.both_databases
def test_an_area_with_nothing_yet_still_has_its_page(
    app: Flask, client: FlaskClient, area: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(barometer_routes, "utcnow", lambda: NOW)
    with app.app_context(), unit_of_work() as uow:
        found = uow.session.get(PoliceArea, area["police_area_id"])
        assert found is not None
        found.slug = "ceshi"
        uow.commit()
    html = client.get(PAGE).get_data(as_text=True)
    assert "数量少" in html and "没有巡逻点" in html
    body = client.get(API).get_json()["barometer"]
    assert [len(p["rows"]) for p in body["places"]] == [2, 2]  # the two totals only
