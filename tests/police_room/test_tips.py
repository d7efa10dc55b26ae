"""The tip box: a resident without an account leaves a tip and reads the reply by its code;
officers of the area see its age and reply; walls, bad input, the rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from police_room import tip_rules
from police_room.models import Tip
from tests.conftest import STAFF_PASSWORD, log_in
from tests.police_room import tip_fixtures
from tests.police_room.tip_fixtures import SLUG

public_area = tip_fixtures.public_area
pytestmark = pytest.mark.usefixtures("public_area")
SCRIPT = '<script>alert("x")</script>看到有人撬门'


def _send(client: Any, text: str = "小区东门有人撬电动车锁", slug: str = SLUG, **extra: Any) -> Any:
    return client.post(f"/api/areas/{slug}/tips", json={"text": text, **extra})


def _officer(make_user: Any, client: Any) -> Any:
    officer = make_user(Role.OFFICER, password=STAFF_PASSWORD)
    with client.application.app_context(), unit_of_work() as uow:
        from volunteers.models import User

        uow.session.get_one(User, officer.id).police_area_id = _area_id(client)
        uow.commit()
    log_in(client, officer, STAFF_PASSWORD)
    return officer


def _area_id(client: Any) -> int:
    from volunteers.models import PoliceArea

    return db.session.scalar(select(PoliceArea.id).where(PoliceArea.slug == SLUG))


@pytest.mark.both_databases
def test_a_resident_without_an_account_sends_a_tip_and_reads_the_reply_by_its_code(
    app, client, make_user
):
    sent = _send(client, contact="")
    assert sent.status_code == 201, sent.get_json()
    code = sent.get_json()["code"]
    assert tip_rules.typed_code(code) is not None and len(code) == 12  # K7QM-9XR-2TW
    waiting = client.get(f"/api/tips/{code}").get_json()
    assert waiting["status"] == "new" and waiting["reply"] is None
    with app.app_context():
        tip = db.session.scalar(select(Tip))
        assert tip.user_id is None and tip.police_area_id == _area_id(client)
        tip_id = tip.id
    _officer(make_user, client)
    listed = client.get("/api/officer/tips").get_json()["tips"]
    assert [t["id"] for t in listed] == [tip_id] and not listed[0]["overdue"]
    replied = client.post(f"/api/officer/tips/{tip_id}/reply", json={"reply": "已安排巡逻，谢谢。"})
    assert replied.status_code == 200
    client.post("/logout")
    typed = code.lower().replace("-", " ")  # however it is typed
    page = client.get("/tips", query_string={"code": typed})
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/tips/{code}")
    shown = client.get(f"/tips/{code}").get_data(as_text=True)
    assert "已安排巡逻，谢谢。" in shown and "小区东门有人撬电动车锁" in shown


def test_the_html_form_shows_the_code_and_keeps_what_was_typed_when_refused(client):
    page = client.get(f"/area/{SLUG}/tip")
    assert page.status_code == 200 and 'name="text"' in page.get_data(as_text=True)
    refused = client.post(f"/area/{SLUG}/tip", data={"text": "短", "contact": "王先生"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "王先生" in body and 'data-code="' in body
    sent = client.post(f"/area/{SLUG}/tip", data={"text": "夜里有陌生人在楼道徘徊"})
    assert sent.status_code == 201 and 'id="tip-code"' in sent.get_data(as_text=True)


def test_a_logged_in_residents_tip_is_linked_to_the_account(app, client, logged_in):
    resident = logged_in(Role.RESIDENT)
    assert _send(client).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(Tip.user_id)) == resident.id


def test_a_script_in_a_tip_shows_as_text_to_the_resident_and_the_officer(client, make_user):
    code = _send(client, text=SCRIPT).get_json()["code"]
    resident_page = client.get(f"/tips/{code}").get_data(as_text=True)
    assert "<script>alert" not in resident_page and "&lt;script&gt;alert" in resident_page
    _officer(make_user, client)
    for url in ("/officer/tips", "/officer"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;alert" in page


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": "四个字"},
        {"text": "x" * 1001},
        {"text": "正常的线索内容", "contact": "1" * 61},
        {"text": 12345},
        [],
    ],
)
def test_a_malformed_tip_is_refused(client, body):
    response = client.post(f"/api/areas/{SLUG}/tips", json=body)
    assert response.status_code in (400, 422) and "error" in response.get_json()


def test_an_unknown_area_address_is_a_clear_404(client):
    for url in (
        "/area/nowhere",
        "/area/NO..WHERE",
        "/area/nowhere/tip",
        "/area/nowhere/poster.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 404
    answer = _send(client, slug="nowhere")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "area_unknown"


@pytest.mark.parametrize("code", ["ABCD-EFG-HJK", "0000-000-000", "x" * 200, "<b>"])
def test_a_wrong_code_is_a_404_that_says_so(client, code):
    _send(client)
    response = client.get(f"/api/tips/{code}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "tip_code_unknown"


def test_codes_are_unambiguous_and_differ():
    codes = {tip_rules.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert not set("".join(codes)) & set("01OIL")


def test_a_tip_is_due_the_same_local_day_or_within_three_days_when_complex():
    zone = ZoneInfo("Asia/Shanghai")
    morning = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert tip_rules.due_at(morning, False, zone) == datetime(2026, 3, 3, tzinfo=zone)
    assert tip_rules.due_at(morning, True, zone) == datetime(2026, 3, 5, tzinfo=zone)
    assert tip_rules.age_parts(morning, morning + timedelta(days=1, hours=2, minutes=5)) == (
        1,
        2,
        5,
    )


def test_overdue_tips_lead_the_officers_list_and_stand_out(app, client, make_user):
    now = utcnow()
    with app.app_context(), unit_of_work() as uow:
        area_id = _area_id(client)
        for hours, is_complex, text in (
            (0, False, "刚来的"),  # due by the end of today, whatever the hour
            (60, False, "早就过期"),
            (30, True, "复杂的"),
        ):
            uow.session.add(
                Tip(
                    police_area_id=area_id,
                    code=tip_rules.new_code(),
                    text=text,
                    complex=is_complex,
                    created_at=now - timedelta(hours=hours),
                )
            )
        uow.commit()
    _officer(make_user, client)
    listed = client.get("/api/officer/tips").get_json()["tips"]
    assert listed[0]["text"] == "早就过期" and listed[0]["overdue"]
    assert {t["text"]: t["overdue"] for t in listed}["刚来的"] is False
    page = client.get("/officer").get_data(as_text=True)
    assert "pr-overdue" in page and "早就过期" in page


def test_an_officer_marks_a_tip_complex_and_replies_from_the_page(app, client, make_user):
    _send(client)
    with app.app_context():
        tip_id = db.session.scalar(select(Tip.id))
    _officer(make_user, client)
    marked = client.post(f"/officer/tips/{tip_id}/complex?next=/officer", data={"complex": "true"})
    assert marked.status_code == 303 and marked.headers["Location"] == "/officer"
    replied = client.post(f"/officer/tips/{tip_id}/reply", data={"reply": "已转交治安队。"})
    assert replied.status_code == 303
    with app.app_context():
        tip = db.session.get_one(Tip, tip_id)
        assert tip.complex and tip.status == "replied" and tip.reply == "已转交治安队。"


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.DISPATCHER, Role.RESIDENT])
def test_other_roles_may_not_read_or_answer_tips(client, make_user, role):
    _send(client)
    log_in(client, make_user(role, password=STAFF_PASSWORD), STAFF_PASSWORD)
    assert client.get("/api/officer/tips").status_code == 403
    assert client.post("/api/officer/tips/1/reply", json={"reply": "好的"}).status_code == 403


def test_nobody_logged_in_is_asked_to_log_in(client):
    assert client.get("/api/officer/tips").status_code == 401
    assert client.get("/officer/tips").status_code == 302


def test_another_areas_officer_sees_none_of_its_tips_and_cannot_reply(app, client, outsider):
    _send(client, text="甲区的秘密线索内容")
    with app.app_context():
        tip_id = db.session.scalar(select(Tip.id))
    log_in(client, outsider, STAFF_PASSWORD)
    assert client.get("/api/officer/tips").get_json()["tips"] == []
    assert "甲区的秘密线索内容" not in client.get("/officer").get_data(as_text=True)
    refused = client.post(f"/api/officer/tips/{tip_id}/reply", json={"reply": "越界回复"})
    assert refused.status_code == 404
    with app.app_context():
        assert db.session.get_one(Tip, tip_id).reply is None


def test_bad_reply_input_is_refused(client, make_user):
    _send(client)
    _officer(make_user, client)
    assert client.post("/api/officer/tips/1/reply", json={}).status_code == 422
    assert client.post("/api/officer/tips/1/reply", json={"reply": "x" * 1001}).status_code == 422
    assert (
        client.post(f"/api/officer/tips/{2**31}/reply", json={"reply": "好的"}).status_code == 404
    )
    assert client.post("/api/officer/tips/999/reply", json={"reply": "好的"}).status_code == 404


class TestLimits:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {
            "RATELIMIT_ENABLED": True,
            "TIP_RATE_LIMIT": "3 per hour",
            "TIP_READ_RATE_LIMIT": "4 per hour",
        }

    def test_a_tip_flood_from_one_address_is_refused(self, app, client):
        assert [_send(client).status_code for _ in range(4)] == [201, 201, 201, 429]
        refused = _send(client)
        assert refused.get_json()["error"]["code"] == "too_many_tips"
        with app.app_context():
            assert len(db.session.scalars(select(Tip)).all()) == 3

    def test_guessing_codes_from_one_address_is_refused(self, client):
        answers = [client.get(f"/api/tips/ABCD-EFG-HJ{c}").status_code for c in "23456"]
        assert answers == [404, 404, 404, 404, 429]
