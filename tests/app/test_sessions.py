"""Signed-cookie sessions keep one serializer per set of keys, rotating keys still works, and a
cookie checked once is remembered without loosening what is refused."""

from __future__ import annotations

import time

from itsdangerous import URLSafeTimedSerializer


def test_one_serializer_per_key_and_a_new_one_when_the_key_rotates(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    old_key = app.secret_key
    app.secret_key = "a rotated secret"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    rotated = interface.get_signing_serializer(app)
    assert rotated is not first
    cookie = first.dumps({"lang": "zh"})
    assert rotated.loads(cookie) == {"lang": "zh"}  # a cookie signed with the old key still opens


def test_a_login_survives_requests_with_the_shared_serializer(client, make_user):
    from tests.conftest import PASSWORD

    user = make_user()
    assert (
        client.post("/login", json={"phone": user.phone, "password": PASSWORD}).status_code == 200
    )
    for _ in range(3):
        assert client.get("/api/me").get_json()["user"]["id"] == user.id


def _open(app, cookie):
    """What the session interface opens for a request carrying ``cookie``."""
    name = app.config["SESSION_COOKIE_NAME"]
    request = app.test_request_context(headers={"Cookie": f"{name}={cookie}"}).request
    return app.session_interface.open_session(app, request)


def _counting_loads(app, monkeypatch):
    serializer = app.session_interface.get_signing_serializer(app)
    calls = []
    real_loads = serializer.loads

    def loads(*args, **kwargs):
        calls.append(args[0])
        return real_loads(*args, **kwargs)

    monkeypatch.setattr(serializer, "loads", loads)
    return serializer, calls


def test_a_cookie_is_checked_once_then_opens_the_same_contents(app, monkeypatch):
    serializer, calls = _counting_loads(app, monkeypatch)
    cookie = serializer.dumps({"_user_id": "abc", "csrf_token": "t"})
    opened = [dict(_open(app, cookie)) for _ in range(3)]
    assert opened == [{"_user_id": "abc", "csrf_token": "t"}] * 3
    assert len(calls) == 1


def test_a_forged_or_altered_cookie_opens_an_empty_session(app, monkeypatch):
    serializer, _ = _counting_loads(app, monkeypatch)
    cookie = serializer.dumps({"_user_id": "abc"})
    assert dict(_open(app, cookie)) == {"_user_id": "abc"}
    payload, _, signature = cookie.rpartition(".")
    altered = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert dict(_open(app, altered)) == {}
    forged = URLSafeTimedSerializer("not our key", salt="cookie-session").dumps({"_user_id": "x"})
    assert dict(_open(app, forged)) == {}


def test_a_remembered_cookie_still_expires(app, monkeypatch):
    import app.sessions as sessions

    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": "abc"})
    assert dict(_open(app, cookie)) == {"_user_id": "abc"}
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    assert dict(_open(app, cookie)) == {}


def test_changing_an_opened_session_does_not_change_what_the_cookie_opens_next(app):
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"lang": "zh"})
    first = _open(app, cookie)
    first["lang"] = "en"
    first["_user_id"] = "someone"
    assert dict(_open(app, cookie)) == {"lang": "zh"}


def test_a_session_holding_a_list_is_checked_every_time(app, monkeypatch):
    serializer, calls = _counting_loads(app, monkeypatch)
    cookie = serializer.dumps({"_flashes": [["message", "saved"]]})
    first = _open(app, cookie)
    first["_flashes"].append(["message", "again"])
    assert _open(app, cookie)["_flashes"] == [["message", "saved"]]
    assert len(calls) == 2
