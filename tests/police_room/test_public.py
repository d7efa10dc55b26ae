"""The police room's public page (no login): address, hours, duty number, officers, notices,
the 110 banner; light enough for a slow link; its QR poster; unknown addresses; notices that
officers post and take down, walled to their own area."""

from __future__ import annotations

import gzip
import io
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode
from sqlalchemy import select

from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from police_room.models import Notice, OfficerProfile
from tests.conftest import STAFF_PASSWORD, log_in
from tests.police_room import tip_fixtures
from tests.police_room.tip_fixtures import OTHER_SLUG, SLUG
from volunteers.models import PoliceArea, User

public_area = tip_fixtures.public_area
pytestmark = pytest.mark.usefixtures("public_area")
BUDGET = 30 * 1024


def _officer(app: Any, make_user: Any, area_id: int, name: str, **profile: Any) -> User:
    officer = make_user(Role.OFFICER, name=name, password=STAFF_PASSWORD)
    with app.app_context(), unit_of_work() as uow:
        uow.session.get_one(User, officer.id).police_area_id = area_id
        if profile:
            uow.session.add(OfficerProfile(user_id=officer.id, **profile))
        uow.commit()
    return officer


@pytest.mark.both_databases
def test_the_page_shows_the_room_its_hours_officers_notices_and_the_110_banner(
    app, client, make_user, public_area
):
    area_id = public_area["police_area_id"]
    slots = [{"weekday": 0, "start": "09:00", "end": "11:30"}]
    _officer(
        app,
        make_user,
        area_id,
        "陈警官",
        title="社区民警",
        public_phone="0515-111",
        reception=slots,
    )
    _officer(app, make_user, area_id, "隐身警官", shown=False)
    with app.app_context(), unit_of_work() as uow:
        author = uow.session.scalar(select(User.id).where(User.name == "陈警官"))
        now = utcnow()
        uow.session.add_all(
            [
                Notice(
                    police_area_id=area_id, kind="fraud", title="谨防冒充客服", created_by_id=author
                ),
                Notice(
                    police_area_id=area_id,
                    title="已过期的公告",
                    created_by_id=author,
                    expires_at=now - timedelta(hours=1),
                ),
            ]
        )
        uow.commit()
    page = client.get(f"/area/{SLUG}", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for seen in (
        "测试警务区",
        "测试社区警务室",
        "周一至周五 9:00–17:00",
        "0515-88880000",
        "陈警官",
        "社区民警",
        "0515-111",
        "周一 09:00–11:30",
        "谨防冒充客服",
        'href="tel:110"',
        "这里不是报警电话",
        f"/area/{SLUG}/tip",
    ):
        assert seen in html, seen
    assert "隐身警官" not in html and "已过期的公告" not in html
    assert len(gzip.compress(page.get_data())) < BUDGET // 3  # the HTML; the CSS is shared


def test_another_areas_officers_and_notices_are_not_on_this_page(
    app, client, make_user, public_area
):
    _officer(app, make_user, public_area["second"]["police_area_id"], "北区警官")
    assert "北区警官" not in client.get(f"/area/{SLUG}").get_data(as_text=True)
    assert "北区警官" in client.get(f"/area/{OTHER_SLUG}").get_data(as_text=True)


def test_the_poster_is_an_a4_pdf_with_the_pages_address(app, client, tmp_path):
    app.config["PUBLIC_URL"] = "https://wanjia.example"
    response = client.get(f"/area/{SLUG}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"https://wanjia.example/area/{SLUG}" in text and "测试警务区 网上警务室" in text
    assert "110" in text and "0515-88880000" in text
    found = decode(Image.open(io.BytesIO(_page_png(pdf))), symbols=[ZBarSymbol.QRCODE])
    assert [code.data.decode() for code in found] == [f"https://wanjia.example/area/{SLUG}"]


def _page_png(pdf: Any) -> bytes:
    return subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf)], capture_output=True, check=True
    ).stdout


def test_an_unknown_address_is_a_404_page_in_chinese(client):
    page = client.get("/area/no-such-room", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 404 and "没有对应的网上警务室" in page.get_data(as_text=True)


def test_officers_post_and_take_down_notices_for_their_area(app, client, make_user, public_area):
    officer = _officer(app, make_user, public_area["police_area_id"], "陈警官")
    log_in(client, officer, STAFF_PASSWORD)
    posted = client.post(
        "/officer/notices",
        data={"kind": "fraud", "title": "谨防<b>刷单</b>诈骗", "body": "不要转账"},
    )
    assert posted.status_code == 303
    html = client.get(f"/area/{SLUG}").get_data(as_text=True)
    assert "谨防&lt;b&gt;刷单&lt;/b&gt;诈骗" in html
    with app.app_context():
        notice_id = db.session.scalar(select(Notice.id))
    assert client.post(f"/officer/notices/{notice_id}/end").status_code == 303
    assert "刷单" not in client.get(f"/area/{SLUG}").get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "x" * 121},
        {"title": "公告", "kind": "ad"},
        {"title": "公告", "expires_at": "2020-01-01T00:00"},
        {"title": "公告", "expires_at": "明天"},
    ],
)
def test_bad_notices_are_refused(app, client, make_user, public_area, body):
    officer = _officer(app, make_user, public_area["police_area_id"], "陈警官")
    log_in(client, officer, STAFF_PASSWORD)
    assert client.post("/officer/notices", json=body).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Notice.id)) is None


def test_another_areas_officer_cannot_post_to_or_end_this_areas_notices(
    app, client, make_user, outsider, public_area
):
    with app.app_context(), unit_of_work() as uow:
        author = uow.session.scalar(select(User.id))
        uow.session.add(
            Notice(
                police_area_id=public_area["police_area_id"], title="甲区公告", created_by_id=author
            )
        )
        uow.commit()
        notice_id = db.session.scalar(select(Notice.id))
    log_in(client, outsider, STAFF_PASSWORD)
    area = public_area["police_area_id"]
    assert client.post("/officer/notices", json={"area": area, "title": "越区"}).status_code == 404
    assert client.post(f"/officer/notices/{notice_id}/end").status_code == 404
    assert client.post(f"/officer/notices/{2**31}/end").status_code == 404
    assert "甲区公告" not in client.get("/officer/notices").get_data(as_text=True)
    assert "甲区公告" in client.get(f"/area/{SLUG}").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.DISPATCHER, Role.RESIDENT])
def test_other_roles_may_not_post_notices(client, make_user, role):
    log_in(client, make_user(role, password=STAFF_PASSWORD), STAFF_PASSWORD)
    assert client.post("/officer/notices", json={"title": "公告"}).status_code == 403
    assert client.get("/officer/notices", headers={"Accept": "application/json"}).status_code == 403


def test_a_new_area_gets_its_page_address_from_its_name(app, client, make_user, public_area):
    log_in(client, make_user(Role.ADMIN, password=STAFF_PASSWORD), STAFF_PASSWORD)
    for expected in ("chengdong", "chengdong-2"):
        added = client.post(
            "/admin/areas",
            json={
                "station_id": public_area["station_id"],
                "name": "城东警务室" if expected.endswith("2") else "城东警务区",
                "police_room": "东湖路 1 号",
                "phone": "0515-88880130",
            },
        )
        assert added.status_code == 201, added.get_json()
        with app.app_context():
            area = db.session.get_one(PoliceArea, added.get_json()["id"])
            assert area.slug == expected
    client.post("/logout")
    assert client.get("/area/chengdong-2").status_code == 200


@pytest.mark.both_databases
def test_broadcasts_marked_public_show_on_the_page_while_open(app, client, make_user, public_area):
    officer = _officer(app, make_user, public_area["police_area_id"], "陈警官")
    log_in(client, officer, STAFF_PASSWORD)
    grid = public_area["grid_ids"][0]
    sent = {}
    for title, public in (("寻找走失老人", True), ("内部布控通报", False)):
        answer = client.post(
            "/officer/broadcasts",
            json={
                "kind": "missing_person",
                "title": title,
                "look_for": "灰色外套，戴<b>帽子</b>",
                "what_to_do": "看到请拨打 110",
                "grid_ids": [grid],
                "public": public,
            },
        )
        assert answer.status_code == 201, answer.get_json()
        sent[title] = answer.get_json()["id"]
    client.post("/logout")
    html = client.get(f"/area/{SLUG}").get_data(as_text=True)
    assert "寻找走失老人" in html and "灰色外套，戴&lt;b&gt;帽子&lt;/b&gt;" in html
    assert "内部布控通报" not in html
    assert "寻找走失老人" not in client.get(f"/area/{OTHER_SLUG}").get_data(as_text=True)
    log_in(client, officer, STAFF_PASSWORD)
    closed = client.post(
        f"/officer/broadcasts/{sent['寻找走失老人']}/close", json={"outcome": "found"}
    )
    assert closed.status_code == 200
    assert "寻找走失老人" not in client.get(f"/area/{SLUG}").get_data(as_text=True)
