"""A person downloads what the platform keeps about them: every kind on a sheet of its own, in
their language, with names and local times; nobody else's rows; typed text stays text."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from checkins import services
from checkins.policy import current_policy
from tests.checkins.conftest import make_point, offset, token_for  # noqa: F401 - fixtures
from tests.conftest import log_in
from tests.sightings.conftest import report_body
from volunteers.models import User
from volunteers.person import Person

pytestmark = pytest.mark.both_databases
ZH = {"Accept-Language": "zh-CN"}
HOSTILE = '=HYPERLINK("http://evil.example/","点我") 有人逐个拉电动车车门'


@pytest.fixture
def scan(app, make_point, token_for):  # noqa: F811 - the imported fixtures
    point = make_point(name="菜市场入口")
    lat, lon = offset(point.lat, point.lon, 5)

    def check_in(user_id: int) -> datetime:
        request = services.CheckInRequest(token_for(point), lat, lon, 10)
        now = utcnow()
        with app.test_request_context(), unit_of_work() as uow:
            person = Person.of(uow.session.get_one(User, user_id), login_session_id=None)
            outcome = services.check_in(uow, person, request, current_policy(), now=now)
            uow.commit()
        assert outcome.valid, outcome.error
        return now

    return check_in


def _book(answer) -> dict[str, list[tuple]]:
    assert answer.status_code == 200, answer.data[:300]
    assert answer.mimetype.endswith("spreadsheetml.sheet")
    assert answer.headers["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(answer.data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_a_volunteer_downloads_their_check_ins_points_and_sightings(app, client, make_user, scan):
    me, other = make_user(Role.VOLUNTEER, name="王阿姨"), make_user(Role.VOLUNTEER, name="李叔")
    scanned_at = scan(me.id)
    scan(other.id)
    log_in(client, me)
    sent = client.post("/api/sightings", json=report_body(behaviour=HOSTILE, photos=0))
    assert sent.status_code == 201, sent.get_json()

    sheets = _book(client.get("/me/data.xlsx", headers=ZH))

    assert list(sheets)[:5] == ["账户", "同意记录", "登录记录", "最后位置", "打卡"]
    account = dict(sheets["账户"][1:])
    assert (account["姓名"], account["手机号"], account["身份"]) == ("王阿姨", me.phone, "志愿者")
    [header, row] = sheets["打卡"]
    assert header[:3] == ("时间", "巡逻点", "状态")
    local = scanned_at.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs((row[0] - local).total_seconds()) < 1  # local wall-clock time, not UTC
    assert row[1:3] == ("菜市场入口", "有效")
    [_header, earned] = sheets["积分"]
    assert earned[1] == 10
    [_header, sighting] = sheets["线索"]
    assert sighting[1:3] == ("可疑人员", HOSTILE)
    assert len(sheets["登录记录"]) == 2  # this login only


def test_typed_text_is_a_string_cell_not_a_formula(app, client, make_user):
    me = make_user(Role.VOLUNTEER)
    log_in(client, me)
    assert client.post("/api/sightings", json=report_body(behaviour=HOSTILE)).status_code == 201
    answer = client.get("/me/data.xlsx", headers=ZH)
    sheet = load_workbook(io.BytesIO(answer.data))["线索"]
    cell = sheet["C2"]
    assert (cell.value, cell.data_type) == (HOSTILE, "s")


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OFFICER, Role.GUARD])
def test_every_role_reads_its_own_and_the_page_counts_it(client, make_user, role):
    person = make_user(role)
    log_in(client, person)
    page = client.get("/me/data", headers=ZH).get_data(as_text=True)
    assert "下载我的数据" in page and "账户" in page and "保存 90 天" in page
    sheets = _book(client.get("/me/data.xlsx", headers={"Accept-Language": "en"}))
    assert dict(sheets["Account"][1:])["Mobile number"] == person.phone


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True}])
def test_strangers_are_sent_to_log_in_and_downloads_are_limited(client, make_user, app_settings):
    assert client.get("/me/data.xlsx").status_code in (302, 401)
    assert client.get("/me/data.xlsx", headers={"Accept": "application/json"}).status_code == 401
    log_in(client, make_user(Role.VOLUNTEER))
    codes = [client.get("/me/data.xlsx", headers=ZH).status_code for _ in range(7)]
    assert codes == [200] * 6 + [429]
    refused = client.get("/me/data.xlsx", headers={**ZH, "Accept": "application/json"})
    assert refused.get_json()["error"]["message"] == "您已多次下载数据，请稍后再试。"
