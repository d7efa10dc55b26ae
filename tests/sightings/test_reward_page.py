"""The officers' page for what a confirmed sighting pays (一事一奖): six kinds in Chinese, each
with the amount the caller's own area pays now, saved through the console's API; volunteers
and dispatchers are refused, and another area's officer sees only their own area's amounts."""

from __future__ import annotations

import json
import re

import pytest

from app.roles import Role
from tests.conftest import STAFF_PASSWORD, log_in

PAGE = "/officer/sighting-rewards"
API = "/api/console/sighting-rewards"
KINDS = {
    "suspicious_person": "可疑人员",
    "suspicious_vehicle": "可疑车辆",
    "suspicious_situation": "可疑情况",
    "fire_risk": "火灾隐患",
    "blocked_fire_lane": "消防通道堵塞",
    "fraud_attempt": "诈骗",
}


def _shown(html: str) -> dict[str, int]:
    """The amount in each kind's number field, as the page renders it."""
    found = re.findall(r'<input id="points-(\w+)" name="points"[^>]* value="(\d+)"', html)
    return {kind: int(points) for kind, points in found}


def test_an_officer_sees_six_kinds_in_chinese_with_the_areas_current_amounts(client, make_user):
    log_in(client, make_user(Role.OFFICER))
    assert client.put(API, json={"category": "fire_risk", "points": 55}).status_code == 200
    assert client.put(API, json={"category": "fraud_attempt", "points": 0}).status_code == 200
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _shown(html) == dict.fromkeys(KINDS, 20) | {"fire_risk": 55, "fraud_attempt": 0}
    labels = re.findall(r'<label class="reward-name" for="points-\w+">([^<]+)</label>', html)
    assert labels == [KINDS[kind] for kind in KINDS]
    assert "线索奖励" in html and "测试警务区" in html
    data = json.loads(
        re.search(r'id="reward-data" type="application/json">(.*?)</script>', html)[1]
    )
    assert data["url"] == API and data["labels"]["saved"] == "已保存：{n} 分。"


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.GRID_WORKER, Role.DISPATCHER])
def test_field_people_and_dispatchers_are_refused(client, make_user, role):
    log_in(client, make_user(role))
    answer = client.get(PAGE)
    assert answer.status_code == 403
    assert "reward-row" not in answer.get_data(as_text=True)


def test_nobody_logged_in_is_sent_to_log_in(client, area):
    answer = client.get(PAGE)
    assert answer.status_code in (302, 401)
    assert "reward-row" not in answer.get_data(as_text=True)


def test_another_areas_officer_sees_their_own_areas_amounts_only(app, client, make_user, outsider):
    log_in(client, make_user(Role.OFFICER))
    assert client.put(API, json={"category": "fire_risk", "points": 55}).status_code == 200
    north = app.test_client()
    log_in(north, outsider, password=STAFF_PASSWORD)
    html = north.get(PAGE).get_data(as_text=True)
    assert _shown(html) == dict.fromkeys(KINDS, 20)
    assert "城北警务区" in html and "测试警务区" not in html
    assert north.put(API, json={"category": "fire_risk", "points": 70}).status_code == 200
    assert _shown(north.get(PAGE).get_data(as_text=True))["fire_risk"] == 70
    assert _shown(client.get(PAGE).get_data(as_text=True))["fire_risk"] == 55


def test_the_home_page_offers_the_tile_and_it_opens(client, make_user):
    log_in(client, make_user(Role.ADMIN))
    home = client.get("/").get_data(as_text=True)
    assert f'href="{PAGE}"' in home and "线索奖励" in home
    assert client.get(PAGE).status_code == 200
