"""Logging in and out: sessions that really end, throttling, clear errors."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from tests.conftest import PASSWORD, log_in
from volunteers import logins
from volunteers.models import User
from volunteers.person import Person


def test_login_with_the_right_password_opens_a_session(client, make_user):
    user = make_user(Role.VOLUNTEER)
    response = client.post("/login", json={"phone": user.phone, "password": PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["user"]["role"] == "volunteer"
    assert client.get("/api/me").get_json()["user"]["id"] == user.id


@pytest.mark.both_databases
def test_wrong_password_is_refused_in_the_persons_language(client, make_user):
    user = make_user()
    zh = client.post(
        "/login",
        json={"phone": user.phone, "password": "nope-nope"},
        headers={"Accept-Language": "zh-CN"},
    )
    en = client.post(
        "/login",
        json={"phone": user.phone, "password": "nope-nope"},
        headers={"Accept-Language": "en"},
    )
    assert zh.status_code == en.status_code == 401
    assert zh.get_json() == {
        "error": {"code": "wrong_credentials", "message": "手机号或密码不正确。"}
    }
    assert en.get_json()["error"]["message"] == "The mobile number or the password is not right."
    assert client.get("/api/me").status_code == 401


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_logging_out_makes_the_old_cookies_useless(app, client, make_user):
    user = make_user()
    log_in(client, user)
    stolen = {name: _cookie(client, name) for name in ("session", "remember_token")}
    assert client.post("/logout", json={}).status_code == 200
    thief = app.test_client()
    for name, value in stolen.items():
        if value:
            thief.set_cookie(name, value)
    assert thief.get("/api/me").status_code == 401


def test_logging_out_everywhere_ends_every_device(app, client, make_user):
    user = make_user()
    other_phone = app.test_client()
    log_in(client, user)
    log_in(other_phone, user)
    client.post("/logout", json={"everywhere": True})
    assert other_phone.get("/api/me").status_code == 401


def test_logging_in_starts_a_fresh_session(app, client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "en"
    log_in(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en", "the language choice survives the login"


def test_session_cookies_are_httponly_and_samesite(client, make_user):
    user = make_user()
    response = log_in(client, user)
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for header in cookies:
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header


def test_a_disabled_account_is_logged_out_and_cannot_log_in(app, client, make_user):
    officer = make_user(Role.OFFICER)
    volunteer = make_user()
    volunteer_phone = app.test_client()
    log_in(volunteer_phone, volunteer)
    log_in(client, officer)
    response = client.post(f"/officer/people/{volunteer.id}/active", json={"active": False})
    assert response.status_code == 200
    assert volunteer_phone.get("/api/me").status_code == 401
    again = volunteer_phone.post("/login", json={"phone": volunteer.phone, "password": PASSWORD})
    assert again.status_code == 403
    assert again.get_json()["error"]["code"] == "account_disabled"


def test_the_login_page_shows_a_wrong_password_and_keeps_the_number(client, make_user):
    user = make_user()
    response = client.post(
        "/login",
        data={"phone": user.phone, "password": "wrong-one"},
        headers={"Accept-Language": "zh-CN"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "手机号或密码不正确。" in page
    assert f'value="{user.phone}"' in page


def test_after_login_the_person_goes_back_where_they_were_going(client, make_user):
    user = make_user()
    response = client.post(
        "/login", data={"phone": user.phone, "password": PASSWORD, "next": "/profile"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_login_never_redirects_to_another_site(client, make_user, target):
    user = make_user()
    response = client.post(
        "/login", data={"phone": user.phone, "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == "/"


def test_an_anonymous_browser_is_sent_to_login_and_brought_back(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/profile")


def test_an_officer_cannot_disable_police_accounts_or_other_communities(app, client, make_user):
    officer = make_user(Role.OFFICER)
    dispatcher = make_user(Role.DISPATCHER)
    log_in(client, officer)
    response = client.post(f"/officer/people/{dispatcher.id}/active", json={"active": False})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "person_not_yours"
    assert (
        app.test_client()
        .post("/login", json={"phone": dispatcher.phone, "password": PASSWORD})
        .status_code
        == 200
    )


def test_disabling_someone_on_duty_takes_them_off_the_console(app, client, make_user):
    from app.extensions import socketio
    from realtime import events

    officer = make_user(Role.OFFICER)
    guard = make_user(Role.GUARD, location_consent=True)
    guard_phone = app.test_client()
    log_in(guard_phone, guard)
    assert guard_phone.post("/api/me/duty", json={"on_duty": True}).get_json()["on_duty"] is True
    log_in(client, officer)
    console = socketio.test_client(app, namespace=events.CONSOLE_NS, flask_test_client=client)
    console.get_received(events.CONSOLE_NS)
    client.post(f"/officer/people/{guard.id}/active", json={"active": False})
    changes = [
        m["args"][0]
        for m in console.get_received(events.CONSOLE_NS)
        if m["name"] == events.DUTY_CHANGED
    ]
    assert changes == [{"user_id": guard.id, "name": guard.name, "role": "guard", "on_duty": False}]
    console.disconnect(events.CONSOLE_NS)


def test_the_duty_form_shows_a_refusal_on_the_profile_page(client, make_user):
    volunteer = make_user(Role.VOLUNTEER)
    log_in(client, volunteer)
    response = client.post("/duty", data={"on_duty": "1"}, headers={"Accept-Language": "zh-CN"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-code="location_consent_needed"' in page and "上岗前" in page
    assert client.post("/duty", data={"on_duty": "1", "share_location": "1"}).status_code == 302
    assert client.get("/api/me").get_json()["user"]["on_duty"] is True


def _logged_in(app, person: User) -> str:
    """A one-day login session of ``person``; its id is what the session cookie holds."""
    with app.app_context(), unit_of_work() as uow:
        login_id = logins.open_login_session(uow, person, days=1, user_agent="t", address="").id
        uow.commit()
    return login_id


@pytest.mark.both_databases
def test_the_person_behind_a_login_is_a_read_only_record_of_the_row(app, make_user):
    person = make_user(Role.GUARD)
    login_id = _logged_in(app, person)
    with app.app_context():
        caller = logins.person_for_login_session(db.session, login_id)
        row = db.session.get(User, person.id)
        assert caller == Person.of(row, login_id)
        assert (caller.id, caller.role, caller.get_id()) == (person.id, "guard", login_id)
        assert caller.is_authenticated and caller.is_active and not caller.is_anonymous
        with pytest.raises(dataclasses.FrozenInstanceError):
            caller.on_duty = True  # a change must go through the row, not be silently lost


@pytest.mark.both_databases
def test_no_person_behind_a_revoked_expired_or_disabled_login(app, make_user):
    person = make_user(Role.VOLUNTEER)
    login_id = _logged_in(app, person)
    with app.app_context():
        conn = db.session
        later = utcnow() + timedelta(days=2)
        assert logins.person_for_login_session(conn, login_id) is not None
        assert logins.person_for_login_session(conn, login_id, now=later) is None
        assert logins.person_for_login_session(conn, "no-such-login") is None
        db.session.rollback()
    with app.app_context(), unit_of_work() as uow:
        uow.session.get(User, person.id).active = False
        uow.commit()
    with app.app_context():
        assert logins.person_for_login_session(db.session, login_id) is None
        db.session.rollback()
    with app.app_context(), unit_of_work() as uow:
        uow.session.get(User, person.id).active = True
        logins.revoke_login_session(uow, login_id)
        uow.commit()
    with app.app_context():
        assert logins.person_for_login_session(db.session, login_id) is None
