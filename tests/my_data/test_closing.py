"""A person closes their own account: name, number, password, logins and last position go;
what waited on them is ended through each domain (orders, dispatch requests, appointments);
their check-ins, points and reports stay under "已注销用户"; the number can register again."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from app.errors import Forbidden
from app.extensions import db, socketio
from app.roles import Role
from app.uow import unit_of_work
from checkins import services as checkin_services
from checkins.models import CheckIn
from checkins.policy import current_policy
from my_data import closing
from police_room.models import Appointment
from realtime import events
from realtime.dispatch_states import ACCEPTED, ARRIVED, DECLINED, OFFERED, WITHDRAWN
from realtime.models import Incident, LastPosition, Offer
from realtime.presence_backend import presence_for
from rewards import store
from rewards.models import Gift, LedgerEntry, Order, ScoreBucket, ScoreEvent
from tests.checkins.conftest import make_point, offset, token_for  # noqa: F401 - fixtures
from tests.conftest import PASSWORD, log_in
from tests.police_room.appointment_fixtures import MONDAY_8AM, add_profile, book, local
from tests.rewards.conftest import give_points, make_gift  # noqa: F401 - fixtures
from volunteers import services
from volunteers.models import Consent, User
from volunteers.person import Person

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
NOW = MONDAY_8AM  # the appointment fixtures' Monday: the 09:00 reception is still ahead
SPOT = (33.3800, 120.1600)


def _on_patrol(app, socket_client):
    """The logged-in client's phone: on duty, its position shared (and so saved)."""
    sock = socket_client(events.FIELD_NS)
    assert sock.emit(events.SET_DUTY, {"on_duty": True}, namespace=events.FIELD_NS, callback=True)[
        "on_duty"
    ]
    lat, lon = offset(*SPOT, 30)
    shared = sock.emit(
        events.POSITION,
        {"lat": lat, "lon": lon, "accuracy": 10},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert shared == {"ok": True}, shared
    return sock


def _check_in(app, user, point, token):
    lat, lon = offset(point.lat, point.lon, 5)
    request = checkin_services.CheckInRequest(token, lat, lon, 10)
    with app.test_request_context(), unit_of_work() as uow:
        person = Person.of(uow.session.get_one(User, user.id))
        outcome = checkin_services.check_in(uow, person, request, current_policy(), now=None)
        uow.commit()
    assert outcome.valid, outcome.error


def _offers(app, volunteer, dispatcher, area):
    """Two open incidents: one asks the volunteer (waiting for an answer), one they accepted;
    a third they arrived at."""
    made = []
    with app.app_context(), unit_of_work() as uow:
        for status in (OFFERED, ACCEPTED, ARRIVED):
            incident = Incident(
                kind="theft",
                lat=SPOT[0],
                lon=SPOT[1],
                status="open",
                created_by_id=dispatcher.id,
                police_area_id=area["police_area_id"],
                round=1,
                offer_deadline=NOW + timedelta(seconds=60),
            )
            uow.session.add(incident)
            uow.session.flush()
            offer = Offer(
                incident_id=incident.id,
                user_id=volunteer.id,
                status=status,
                distance_m=30,
                offered_at=NOW,
                expires_at=NOW + timedelta(seconds=60),
            )
            uow.session.add(offer)
            uow.session.flush()
            made.append(offer.id)
        uow.commit()
    return made


def _close(app, user, now=NOW):
    with app.app_context(), unit_of_work() as uow:
        done = closing.close_account(uow, Person.of(uow.session.get_one(User, user.id)), now)
        uow.commit()
    return done


def _invite(app, make_user, area):
    officer = Person.of(make_user(Role.OFFICER))
    with app.app_context(), unit_of_work() as uow:
        code = services.issue_invite(uow, officer, community_id=area["community_id"]).code
        uow.commit()
    return code


@pytest.mark.both_databases
def test_closing_removes_the_person_ends_what_waited_and_keeps_their_work(
    app,
    client,
    area,
    make_user,
    socket_client,
    make_point,  # noqa: F811
    token_for,  # noqa: F811
    make_gift,  # noqa: F811
    give_points,  # noqa: F811
):
    me = make_user(Role.VOLUNTEER, name="王阿姨", location_consent=True)
    officer = make_user(Role.OFFICER, name="张警官")
    dispatcher = make_user(Role.DISPATCHER)
    point = make_point(name="菜市场入口")
    _check_in(app, me, point, token_for(point))
    give_points(me, 200)
    gift = make_gift(stock=5)
    with app.app_context(), unit_of_work() as uow:
        ordered = store.place_order(uow, Person.of(me), gift.id, "k1", pickup_days=7, now=NOW)
        uow.commit()
    add_profile(app, officer)
    meeting = book(app, me, officer, local(7, 9))
    offered, accepted, arrived = _offers(app, me, dispatcher, area)

    log_in(client, me)
    sock = _on_patrol(app, socket_client)
    elsewhere = app.test_client()  # the same person logged in on another phone
    log_in(elsewhere, me)
    with app.app_context():
        assert db.session.get(LastPosition, me.id) is not None
    assert presence_for(app).get(me.id) is not None
    console_client = app.test_client()
    log_in(console_client, dispatcher)
    console = socketio.test_client(
        app, namespace=events.CONSOLE_NS, flask_test_client=console_client
    )
    console.get_received(events.CONSOLE_NS)  # the state replay

    done = _close(app, me)

    assert done == closing.Closed(
        orders_cancelled=1, offers_declined=1, offers_withdrawn=1, appointments_cancelled=1
    )
    # Logged out everywhere, the socket closed, off the live map and its saved position gone.
    assert not sock.is_connected(events.FIELD_NS)
    assert client.get("/api/me").status_code == 401
    assert elsewhere.get("/api/me").status_code == 401
    assert presence_for(app).get(me.id) is None
    # The console is told they went off duty, without their name.
    told = console.get_received(events.CONSOLE_NS)
    console.disconnect(events.CONSOLE_NS)
    [duty] = [m["args"][0] for m in told if m["name"] == events.DUTY_CHANGED]
    assert (duty["user_id"], duty["on_duty"], duty["name"]) == (me.id, False, "已注销用户")
    assert "王阿姨" not in repr(told)
    with app.app_context():
        session = db.session
        assert session.get(LastPosition, me.id) is None
        user = session.get_one(User, me.id)
        assert (user.name, user.active, user.on_duty) == ("已注销用户", False, False)
        assert user.phone == f"closed-{me.id}" and user.on_duty_since is None
        assert me.phone not in user.password_hash and "$" not in user.password_hash
        # Ended through each domain: stock back, points back, declined, withdrawn, cancelled.
        order = session.get_one(Order, ordered.order.id)
        assert order.status == store.CANCELLED
        assert session.get_one(Gift, gift.id).stock == 5
        statuses = {o.id: o.status for o in session.scalars(select(Offer))}
        assert statuses == {offered: DECLINED, accepted: WITHDRAWN, arrived: ARRIVED}
        assert session.get_one(Appointment, meeting).status == "cancelled"
        # Their work stays, under the anonymised row: check-in, ledger, consents.
        assert session.scalar(select(func.count()).where(CheckIn.user_id == me.id)) == 1
        reasons = set(
            session.scalars(select(LedgerEntry.reason).where(LedgerEntry.user_id == me.id))
        )
        assert {"redemption", "redemption_refund"} <= reasons
        assert session.scalar(select(func.count()).where(Consent.user_id == me.id)) >= 1
        # Off the leaderboards: no standing, and nothing queued to count later.
        for table in (ScoreBucket, ScoreEvent):
            assert session.scalar(select(func.count()).where(table.user_id == me.id)) == 0

    # The old number and password no longer log in; the number registers afresh.
    refused = app.test_client().post("/login", json={"phone": me.phone, "password": PASSWORD})
    assert refused.status_code == 401
    again = app.test_client().post(
        "/register",
        json={
            "invite_code": _invite(app, make_user, area),
            "name": "王阿姨",
            "phone": me.phone,
            "password": "new-pass-2027",
            "agree": True,
        },
    )
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["user"]["id"] != me.id


def test_a_resident_closes_and_an_appointment_already_past_stays(app, make_user):
    resident = make_user(Role.RESIDENT, name="李阿姨")
    officer = make_user(Role.OFFICER)
    add_profile(app, officer)
    ahead = book(app, resident, officer, local(8, 9))
    earlier = book(app, resident, officer, local(7, 9))
    done = _close(app, resident, now=local(7, 9, 10))  # the first meeting is under way
    assert done.appointments_cancelled == 1
    with app.app_context():
        statuses = {a.id: a.status for a in db.session.scalars(select(Appointment))}
    assert statuses == {ahead: "cancelled", earlier: "requested"}


@pytest.mark.parametrize("role", [Role.OFFICER, Role.DISPATCHER, Role.ADMIN])
def test_the_service_refuses_police_accounts(app, make_user, role):
    with pytest.raises(Forbidden):
        _close(app, make_user(role))


# The edge -----------------------------------------------------------------------------------


def _post(client, body, headers=ZH):
    return client.post("/me/close", json=body, headers=headers)


def _still_open(app, user) -> bool:
    with app.app_context():
        return db.session.get_one(User, user.id).active


@pytest.mark.parametrize(
    ("headers", "message"),
    [(ZH, "密码不正确，请重新输入。"), (EN, "That is not your password. Please type it again.")],
)
def test_a_wrong_password_is_refused_naming_the_field(app, client, logged_in, headers, message):
    me = logged_in(Role.VOLUNTEER)
    answer = _post(client, {"password": "not-mine-1", "understood": True}, headers)
    assert answer.status_code == 422
    assert answer.get_json()["error"] == {
        "code": "password_wrong",
        "field": "password",
        "message": message,
    }
    assert _still_open(app, me)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"password": PASSWORD}, "not_understood", "understood"),
        ({"password": PASSWORD, "understood": False}, "not_understood", "understood"),
        ({"understood": True}, "password_missing", "password"),
        ({"password": PASSWORD, "understood": "maybe"}, "invalid_input", "understood"),
        ({"password": 12, "understood": True}, "invalid_input", "password"),
    ],
)
def test_a_missing_tick_or_password_is_refused_naming_it(app, client, logged_in, body, code, field):
    me = logged_in(Role.GUARD)
    answer = _post(client, body)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert _still_open(app, me)


def test_the_tick_missing_is_named_in_chinese_and_english(client, logged_in):
    logged_in(Role.RESIDENT)
    zh = _post(client, {"password": PASSWORD}).get_json()["error"]["message"]
    en = _post(client, {"password": PASSWORD}, EN).get_json()["error"]["message"]
    assert zh == "请勾选“我明白”，表示您知道注销后无法恢复。"
    assert en == "Please tick the box to say you understand that this cannot be undone."


@pytest.mark.parametrize("raw", [b"{", b"[1, 2]", b'"close"', b"null"])
def test_a_malformed_body_is_refused_and_changes_nothing(app, client, logged_in, raw):
    me = logged_in(Role.VOLUNTEER)
    answer = client.post("/me/close", data=raw, content_type="application/json", headers=ZH)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "body_malformed"
    assert _still_open(app, me)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.DISPATCHER, Role.ADMIN])
def test_police_accounts_are_closed_by_an_administrator_not_here(app, client, logged_in, role):
    me = logged_in(role)
    assert client.get("/me/close", headers=ZH).status_code == 403
    answer = _post(client, {"password": PASSWORD, "understood": True})
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden_role"
    assert _still_open(app, me)
    page = client.get("/me/data", headers=ZH).get_data(as_text=True)
    assert "/me/close" not in page


def test_strangers_are_sent_to_log_in(client):
    page = client.get("/me/close")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    form = client.post("/me/close", data={"password": PASSWORD, "understood": "1"})
    assert form.status_code == 302 and "/login" in form.headers["Location"]
    assert _post(client, {"password": PASSWORD, "understood": True}).status_code == 401


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True}])
def test_wrong_passwords_are_limited_per_person(app, client, logged_in, make_user, app_settings):
    me = logged_in(Role.VOLUNTEER)
    # A missing tick is no password attempt: it does not count.
    assert _post(client, {"password": PASSWORD}).status_code == 422
    wrong = [_post(client, {"password": f"guess-{n}", "understood": True}) for n in range(6)]
    assert [a.status_code for a in wrong] == [422] * 5 + [429]
    assert wrong[-1].get_json()["error"]["message"] == "密码错误次数过多，请等 15 分钟后再试。"
    # Even the right password waits now; the account stays open.
    right = _post(client, {"password": PASSWORD, "understood": True}, EN)
    assert right.status_code == 429
    assert right.get_json()["error"]["message"] == (
        "The password was wrong several times. Please wait 15 minutes and try again."
    )
    assert _still_open(app, me)
    # Another person is not held up by it.
    other = app.test_client()
    log_in(other, make_user(Role.GUARD))
    assert _post(other, {"password": PASSWORD, "understood": True}).status_code == 200


def test_the_form_closes_logs_out_and_lands_on_the_closed_page(app, client, logged_in):
    me = logged_in(Role.VOLUNTEER)
    form = client.get("/me/close", headers=ZH).get_data(as_text=True)
    assert "注销账号" in form and "/me/data.xlsx" in form and 'name="understood"' in form
    answer = client.post("/me/close", data={"password": PASSWORD, "understood": "1"}, headers=ZH)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/me/closed")
    assert answer.headers["Clear-Site-Data"] == '"storage"'
    landed = client.get("/me/closed", headers=ZH).get_data(as_text=True)
    assert "您的账号已注销" in landed and 'class="who"' not in landed  # nobody logged in
    assert not _still_open(app, me)
    # Logged out: a second try is sent to log in, never a 500.
    again = client.post("/me/close", data={"password": PASSWORD, "understood": "1"})
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert _post(client, {"password": PASSWORD, "understood": True}).status_code == 401


def test_the_form_shows_the_error_and_keeps_the_tick(client, logged_in):
    logged_in(Role.VOLUNTEER)
    answer = client.post("/me/close", data={"password": "nope-123", "understood": "1"}, headers=ZH)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'data-code="password_wrong"' in page and "密码不正确，请重新输入。" in page
    assert 'value="1" checked' in page
    assert "nope-123" not in page  # the password is never echoed back


def test_json_callers_get_closed_true(client, logged_in):
    logged_in(Role.RESIDENT)
    answer = _post(client, {"password": PASSWORD, "understood": True})
    assert answer.status_code == 200 and answer.get_json() == {"closed": True}
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.GRID_WORKER, Role.RESIDENT])
def test_my_data_links_to_closing_for_the_roles_that_may(client, logged_in, role):
    logged_in(role)
    page = client.get("/me/data", headers=ZH).get_data(as_text=True)
    assert 'href="/me/close"' in page
    close = client.get("/me/close", headers=ZH).get_data(as_text=True)
    field = role != Role.RESIDENT
    assert ("调派请求" in close) == field  # dispatch requests are the field roles' only


def test_an_officer_cannot_enable_a_closed_account_again(app, client, make_user):
    officer = make_user(Role.OFFICER)
    me = make_user(Role.VOLUNTEER)
    _close(app, me)
    log_in(client, officer)
    answer = client.post(
        f"/officer/people/{me.id}/active",
        json={"active": True},
        headers={"Accept-Language": "zh-CN"},
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "account_closed"
    with app.app_context():
        assert db.session.get_one(User, me.id).active is False
    listed = client.get("/officer/people?status=disabled", headers={"Accept-Language": "zh-CN"})
    page = listed.get_data(as_text=True)
    [row] = [tr for tr in page.split("<tr")[1:] if "已注销用户" in tr]
    assert "本人已注销" in row and "启用" not in row  # no button that cannot work
    assert "closed-" not in page  # the placeholder in the phone column is not a number to show
    export = client.get("/officer/people/export.xlsx?status=disabled")
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    assert sheet is not None
    closed = [r for r in sheet.iter_rows(values_only=True) if r[0] == "已注销用户"]
    assert [r[1] for r in closed] == [None]  # no number, not the placeholder
