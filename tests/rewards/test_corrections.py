"""Points corrections with a second pair of eyes: a reason, a daily cap per officer, approval
above a threshold by someone else, and the audit list."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from rewards import corrections, ledger
from rewards.models import LedgerEntry, PointCorrection
from tests.conftest import log_in
from volunteers.person import Person

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def app_settings():
    return {"CORRECTION_DAILY_CAP": 1000, "CORRECTION_APPROVAL_ABOVE": 200}


def _entries(app, user_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.user_id == user_id)
        )


def _balance(app, user_id):
    with app.app_context():
        balance = ledger.balance(db.session, user_id)
        assert balance == ledger.ledger_sum(db.session, user_id)
        return balance


def _ask(client, person, delta, note="重复计分，已核对", key=None, headers=EN):
    body = {"user_id": person.id, "delta": delta, "note": note}
    if key:
        body["key"] = key
    return client.post("/api/corrections", json=body, headers=headers)


@pytest.mark.both_databases
def test_a_small_correction_is_paid_at_once_and_listed_as_applied(app, client, make_user):
    volunteer, officer = make_user(), make_user(Role.OFFICER, name="王警官")
    log_in(client, officer)
    answer = _ask(client, volunteer, 50, key="k1")
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["balance"] == 50 and body["correction"]["status"] == "applied"
    assert body["correction"]["requested_by"] == "王警官"
    assert body["correction"]["ledger_entry_id"] is not None
    replay = _ask(client, volunteer, 50, key="k1")
    assert replay.status_code == 200 and replay.get_json()["replayed"] is True
    assert _ask(client, volunteer, 60, key="k1").get_json()["error"]["code"] == (
        "idempotency_mismatch"
    )
    assert _balance(app, volunteer.id) == 50 and _entries(app, volunteer.id) == 1
    listed = client.get("/officer/corrections", headers={"Accept": "application/json"})
    assert [c["status"] for c in listed.get_json()["corrections"]] == ["applied"]


@pytest.mark.parametrize(
    ("note", "headers", "message"),
    [
        (None, EN, "Reason is required."),
        ("   ", EN, "Reason is too short (at least 4 characters)."),
        (" 补 分 ", ZH, "原因 太短（至少 4 个字）。"),
    ],
)
def test_a_correction_without_a_reason_pays_nothing(app, client, make_user, note, headers, message):
    volunteer = make_user()
    log_in(client, make_user(Role.OFFICER))
    body = {"user_id": volunteer.id, "delta": 10}
    if note is not None:
        body["note"] = note
    answer = client.post("/api/corrections", json=body, headers=headers)
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["field"] == "note"
    assert error["message"] == message
    assert _entries(app, volunteer.id) == 0


def test_the_service_refuses_a_blank_reason_too(app, make_user):
    volunteer, officer = make_user(), make_user(Role.OFFICER)
    rules = corrections.Rules(daily_cap=1000, approval_above=200, tz=ZoneInfo("UTC"))
    with app.test_request_context(headers=ZH), unit_of_work() as uow:
        with pytest.raises(corrections.Invalid) as refused:
            corrections.request(
                uow,
                Person.of(officer),
                user_id=volunteer.id,
                delta=5,
                reason=" \n ",
                key="k",
                rules=rules,
            )
    assert refused.value.code == "reason_missing"
    with app.test_request_context(headers=ZH):
        assert "原因" in refused.value.text()


@pytest.mark.both_databases
def test_an_officer_moves_at_most_the_daily_cap_and_rejected_ones_give_it_back(
    app, client, make_user
):
    volunteer, officer, other = make_user(), make_user(Role.OFFICER), make_user(Role.OFFICER)
    log_in(client, officer)
    assert _ask(client, volunteer, 200).status_code == 201
    assert _ask(client, volunteer, -150).status_code == 201  # either sign counts: 350 used
    pending = _ask(client, volunteer, 600)  # waits, and counts: 950 used
    assert pending.status_code == 202
    over = _ask(client, volunteer, 100)
    assert over.status_code == 409
    assert over.get_json()["error"] == {
        "code": "correction_daily_cap",
        "message": "You may move at most 1000 points a day; 50 are left for today.",
    }
    zh = _ask(client, volunteer, 100, headers=ZH).get_json()["error"]["message"]
    assert "1000" in zh and "50" in zh and "更正" in zh
    assert _ask(client, volunteer, 50).status_code == 201  # exactly at the cap
    log_in(client, other)  # another officer's day is their own
    assert _ask(client, volunteer, 100).status_code == 201
    rejected = client.post(
        f"/api/corrections/{pending.get_json()['correction']['id']}/reject",
        json={"reason": "没有依据"},
    )
    assert rejected.status_code == 200
    log_in(client, officer)
    assert _ask(client, volunteer, 100).status_code == 201  # the rejected 600 came back
    assert _balance(app, volunteer.id) == 200 - 150 + 50 + 100 + 100


def test_the_day_is_the_police_rooms_day(app, make_user):
    """Shanghai's day starts at 16:00 UTC: 23:30 and 00:30 local are two days."""
    volunteer, officer = make_user(), make_user(Role.OFFICER)
    with app.app_context():
        from app.times import local_zone

        rules = corrections.Rules(daily_cap=100, approval_above=200, tz=local_zone())
    late = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    early = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 00:30 the next day
    for key, at in (("a", late), ("b", early)):
        with app.app_context(), unit_of_work() as uow:
            corrections.request(
                uow,
                Person.of(officer),
                user_id=volunteer.id,
                delta=100,
                reason="夜里补记",
                key=key,
                rules=rules,
                now=at,
            )
            uow.commit()
    assert _balance(app, volunteer.id) == 200


@pytest.mark.both_databases
def test_above_the_threshold_nothing_is_paid_until_a_second_officer_approves_once(
    app, client, make_user
):
    volunteer = make_user()
    asker, second = make_user(Role.OFFICER), make_user(Role.OFFICER, name="李警官")
    log_in(client, asker)
    answer = _ask(client, volunteer, 500, note="活动奖励漏记")
    assert answer.status_code == 202
    correction = answer.get_json()["correction"]
    assert correction["status"] == "pending" and correction["ledger_entry_id"] is None
    assert _balance(app, volunteer.id) == 0 and _entries(app, volunteer.id) == 0
    approve = f"/api/corrections/{correction['id']}/approve"
    own = client.post(approve, json={}, headers=EN)
    assert own.status_code == 403 and own.get_json()["error"]["code"] == "correction_own"
    assert "另一位民警" in client.post(approve, json={}, headers=ZH).get_json()["error"]["message"]
    assert _entries(app, volunteer.id) == 0
    log_in(client, second)
    approved = client.post(approve, json={})
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["balance"] == 500
    assert body["correction"]["status"] == "approved"
    assert body["correction"]["decided_by"] == "李警官"
    again = client.post(approve, json={}, headers=EN)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "correction_decided"
    reject = f"/api/corrections/{correction['id']}/reject"
    assert client.post(reject, json={"reason": "再想想看"}).status_code == 409
    assert _balance(app, volunteer.id) == 500 and _entries(app, volunteer.id) == 1
    with app.app_context():
        entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == volunteer.id))
        assert (entry.source_type, entry.source_id) == ("correction", str(correction["id"]))
        assert entry.note == "活动奖励漏记"


@pytest.mark.both_databases
def test_an_admin_may_approve_and_a_taking_away_waits_too(app, client, make_user, give_points):
    volunteer = make_user()
    give_points(volunteer, 400)
    log_in(client, make_user(Role.OFFICER))
    answer = _ask(client, volunteer, -300)
    assert answer.status_code == 202 and _balance(app, volunteer.id) == 400
    log_in(client, make_user(Role.ADMIN))
    approved = client.post(
        f"/api/corrections/{answer.get_json()['correction']['id']}/approve", json={}
    )
    assert approved.status_code == 200 and _balance(app, volunteer.id) == 100


def test_taking_away_more_than_the_person_has_is_refused_before_waiting(
    app, client, make_user, give_points
):
    volunteer = make_user()
    give_points(volunteer, 100)
    log_in(client, make_user(Role.OFFICER))
    answer = _ask(client, volunteer, -300)
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "insufficient_points"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PointCorrection)) == 0


@pytest.mark.both_databases
def test_a_rejection_needs_a_reason_and_pays_nothing(app, client, make_user):
    volunteer = make_user()
    log_in(client, make_user(Role.OFFICER))
    correction_id = _ask(client, volunteer, 300).get_json()["correction"]["id"]
    log_in(client, make_user(Role.OFFICER, name="赵警官"))
    reject = f"/api/corrections/{correction_id}/reject"
    missing = client.post(reject, json={}, headers=EN)
    assert missing.status_code == 422 and missing.get_json()["error"]["field"] == "reason"
    assert (
        client.post(reject, json={"reason": "不"}, headers=ZH)
        .get_json()["error"]["message"]
        .startswith("原因")
    )
    rejected = client.post(reject, json={"reason": "  没有 依据  "})
    assert rejected.status_code == 200
    body = rejected.get_json()["correction"]
    assert body["status"] == "rejected" and body["decision_note"] == "没有 依据"
    assert body["decided_by"] == "赵警官" and body["decided_at"]
    assert _entries(app, volunteer.id) == 0
    assert client.post(f"/api/corrections/{correction_id}/approve", json={}).status_code == 409


@pytest.mark.both_databases
@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("correction_id", ["999999", str(2**31), str(10**12)])
def test_a_correction_that_does_not_exist_is_404(client, logged_in, action, correction_id):
    logged_in(Role.OFFICER)
    answer = client.post(
        f"/api/corrections/{correction_id}/{action}", json={"reason": "不存在的"}, headers=EN
    )
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/officer/corrections"),
        ("POST", "/api/corrections"),
        ("POST", "/api/corrections/1/approve"),
        ("POST", "/api/corrections/1/reject"),
    ],
)
@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.DISPATCHER])
def test_only_officers_and_admins_correct_and_decide(client, logged_in, method, path, role):
    logged_in(role)
    answer = client.open(
        path,
        method=method,
        json={"reason": "理由充分"} if method == "POST" else None,
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 403


@pytest.mark.both_databases
def test_the_audit_page_shows_every_correction_and_buttons_only_for_others(app, client, make_user):
    volunteer = make_user(name="张三")
    me, colleague = make_user(Role.OFFICER, name="我自己"), make_user(Role.OFFICER, name="同事")
    log_in(client, colleague)
    theirs = _ask(client, volunteer, 300, note="<b>夜巡</b> 补记").get_json()["correction"]["id"]
    log_in(client, me)
    mine = _ask(client, volunteer, 400, note="活动奖励").get_json()["correction"]["id"]
    _ask(client, volunteer, 20, note="漏扫一次")
    page = client.get("/officer/corrections", headers=ZH)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "积分更正" in html and "等待审批" in html and "已直接入账" in html
    assert f"/api/corrections/{theirs}/approve" in html
    assert f"/api/corrections/{mine}/approve" not in html  # one's own: no buttons
    assert "&lt;b&gt;夜巡&lt;/b&gt;" in html and "<b>夜巡" not in html  # typed text stays text
    assert "张三" in html and "同事" in html and "+300" in html
    english = client.get("/officer/corrections", headers=EN).get_data(as_text=True)
    assert "Points corrections" in english and "Paid at once" in english


def test_the_pages_form_finds_the_person_by_mobile_number(app, client, make_user):
    make_user(name="张三", phone="13512345678")
    log_in(client, make_user(Role.OFFICER))
    form = {"phone": "135 1234 5678", "delta": "300", "note": "活动奖励漏记", "key": "f1"}
    sent = client.post("/officer/corrections", data=form, headers=ZH)
    assert sent.status_code == 302
    page = client.get(sent.headers["Location"], headers=ZH).get_data(as_text=True)
    assert "已提交：张三 的 +300 分须由另一位民警审批后入账。" in page
    assert client.post("/officer/corrections", data=form).status_code == 302  # resent: once
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PointCorrection)) == 1
    unknown = client.post("/officer/corrections", data=form | {"phone": "13000000000", "key": "f2"})
    assert unknown.status_code == 404
    html = unknown.get_data(as_text=True)
    assert "查无此人。" in html
    assert 'value="活动奖励漏记"' in html  # the form keeps what was typed
    short = client.post("/officer/corrections", data=form | {"note": "补", "key": "f3"}, headers=EN)
    assert short.status_code == 422 and "Reason is too short" in short.get_data(as_text=True)
