"""Login throttling per account and per address, and CSRF on forms."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def app_settings():
    return {
        "RATELIMIT_ENABLED": True,
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 5 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "5 per 5 minutes",
    }


def _try(client, phone, password="wrong-password", address="10.0.0.1"):
    return client.post(
        "/login",
        json={"phone": phone, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers={"Accept-Language": "en"},
    )


def test_an_account_is_locked_for_a_while_after_repeated_failures(client, make_user):
    user = make_user()
    for _ in range(3):
        assert _try(client, user.phone).status_code == 401
    locked = _try(client, user.phone, password=PASSWORD)
    assert locked.status_code == 429
    assert locked.get_json()["error"]["code"] == "too_many_requests"
    assert "try again in 5 minutes" in locked.get_json()["error"]["message"]


def test_the_account_limit_holds_across_addresses(client, make_user):
    user = make_user()
    for i in range(3):
        _try(client, user.phone, address=f"10.0.1.{i}")
    assert _try(client, user.phone, password=PASSWORD, address="10.0.1.99").status_code == 429


def test_one_address_guessing_many_accounts_is_throttled(client, make_user):
    for i in range(5):
        assert _try(client, f"1391111000{i}").status_code == 401
    assert _try(client, "13911110009").status_code == 429


def test_successful_logins_do_not_count_against_the_limit(client, make_user):
    user = make_user()
    for _ in range(6):
        assert _try(client, user.phone, password=PASSWORD).status_code == 200


class TestCsrf:
    @pytest.fixture
    def app_settings(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_form_without_its_csrf_token_is_refused_in_chinese(self, client, make_user):
        user = make_user()
        response = client.post(
            "/login",
            data={"phone": user.phone, "password": PASSWORD},
            headers={"Accept-Language": "zh-CN"},
        )
        assert response.status_code == 400
        assert "表单已过期" in response.get_data(as_text=True)
        assert client.get("/api/me").status_code == 401

    def test_an_api_call_without_the_token_gets_the_json_error(self, client, make_user):
        user = make_user()
        response = client.post(
            "/login",
            json={"phone": user.phone, "password": PASSWORD},
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "csrf_failed"

    def test_the_token_from_the_page_lets_the_form_through(self, client, make_user):
        user = make_user()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        response = client.post(
            "/login", data={"phone": user.phone, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
