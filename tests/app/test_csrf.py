"""CSRF protection for the pages' JSON calls is Flask-WTF's own: the page's token in the header
lets calls through, and a forged, foreign, missing or expired token, or a foreign referrer over
HTTPS, is refused."""

from __future__ import annotations

import re
import time

import pytest
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer

from app.extensions import csrf
from tests.conftest import PASSWORD

META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


def page_token(client, base_url: str = "http://localhost") -> str:
    return META.search(client.get("/login", base_url=base_url).get_data(as_text=True)).group(1)


def json_login(client, phone: str, token: str | None, **kwargs):
    headers = {"Accept-Language": "en", **({"X-CSRFToken": token} if token else {})}
    headers.update(kwargs.pop("headers", {}))
    return client.post(
        "/login", json={"phone": phone, "password": PASSWORD}, headers=headers, **kwargs
    )


def refused(response) -> bool:
    return response.status_code == 400 and response.get_json()["error"]["code"] == "csrf_failed"


def logged_in(client, user, base_url: str = "http://localhost", **kwargs) -> str:
    """Log in as a phone does; the token of the fresh session (a login starts a new one)."""
    response = json_login(
        client, user.phone, page_token(client, base_url), base_url=base_url, **kwargs
    )
    assert response.status_code == 200
    return META.search(client.get("/", base_url=base_url).get_data(as_text=True)).group(1)


def duty(client, token: str, on: bool, **kwargs):
    headers = {"Accept-Language": "en", "X-CSRFToken": token, **kwargs.pop("headers", {})}
    return client.post("/api/me/duty", json={"on_duty": on}, headers=headers, **kwargs)


def test_the_pages_token_in_the_header_lets_json_calls_through_again_and_again(client, make_user):
    token = logged_in(client, make_user(location_consent=True))
    for on in (True, False, True):
        response = duty(client, token, on)
        assert response.status_code == 200
        assert response.get_json()["on_duty"] is on


def test_a_token_signed_with_another_key_is_refused(client, make_user):
    user = make_user()
    page_token(client)
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    forged = URLSafeTimedSerializer("not-our-key", salt="wtf-csrf-token").dumps(raw)
    assert refused(json_login(client, user.phone, forged))


def test_a_token_of_another_session_is_refused(app, make_user):
    owner, stranger = app.test_client(), app.test_client()
    token = logged_in(owner, make_user(location_consent=True))
    assert duty(owner, token, True).status_code == 200
    logged_in(stranger, make_user(location_consent=True))  # a session with a token of its own
    assert refused(duty(stranger, token, True))


def test_a_session_without_a_token_is_refused(app, make_user):
    owner, stranger = app.test_client(), app.test_client()
    token = logged_in(owner, make_user(location_consent=True))
    assert duty(owner, token, True).status_code == 200
    assert refused(stranger.post("/login", json={}, headers={"X-CSRFToken": token}))


def test_over_https_a_token_needs_our_referrer(client, make_user):
    https, own = "https://localhost", {"Referer": "https://localhost/login"}
    token = logged_in(client, make_user(location_consent=True), https, headers=own)
    assert duty(client, token, True, base_url=https, headers=own).status_code == 200
    foreign = {"Referer": "https://elsewhere.example/profile"}
    assert refused(duty(client, token, False, base_url=https, headers=foreign))
    assert refused(duty(client, token, False, base_url=https))
    assert duty(client, token, False, base_url=https, headers=own).status_code == 200


def test_the_protection_is_flask_wtfs_own_class():
    assert type(csrf) is CSRFProtect  # no override of its private API to review at each upgrade


class TestExpiringTokens:
    @pytest.fixture
    def app_settings(self):
        return {"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": 3600}

    def test_flask_wtf_checks_them_every_time(self, client, make_user, monkeypatch):
        token = logged_in(client, make_user(location_consent=True))
        assert duty(client, token, True).status_code == 200
        late = time.time() + 7200
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: late)
        assert refused(duty(client, token, False))
