"""Login cookies are Flask's own signed-cookie sessions: a login lasts across requests, a cookie
signed with a rotated-out key still opens, and a tampered cookie opens an empty session."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from tests.conftest import log_in


def test_the_session_interface_is_flasks_own(app):
    assert type(app.session_interface) is SecureCookieSessionInterface


def test_a_login_lasts_across_requests(client, make_user):
    user = make_user()
    log_in(client, user)
    for _ in range(3):
        assert client.get("/api/me").get_json()["user"]["id"] == user.id


def test_a_cookie_signed_with_a_rotated_out_key_still_opens(app, client, make_user):
    user = make_user()
    log_in(client, user)
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = "a rotated secret that is long enough to pass"
    assert client.get("/api/me").get_json()["user"]["id"] == user.id


def test_a_tampered_cookie_opens_no_login(app, client, make_user):
    log_in(client, make_user())
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    client.set_cookie(name, cookie.value[:-2] + ("AA" if cookie.value[-2:] != "AA" else "BB"))
    client.delete_cookie("remember_token")  # Flask-Login's; it would log the phone back in
    assert client.get("/api/me").status_code == 401
