"""Failed logins back off per account and per address; strangers cannot lock the owner out."""

from __future__ import annotations

import flask_limiter._extension
import limits.storage.memory
import pytest

import volunteers.login_limits
from tests.conftest import PASSWORD, log_in
from volunteers.login_limits import KNOWN_DEVICE_COOKIE


@pytest.fixture
def app_settings():
    return {
        "RATELIMIT_ENABLED": True,
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 5 minutes; 6 per hour",
        "LOGIN_LIMIT_PER_ADDRESS": "5 per 5 minutes; 8 per hour",
    }


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """The limiter's counts (in-memory storage), its headers and our messages read this clock."""
    fake = Clock()
    for module in (limits.storage.memory, flask_limiter._extension, volunteers.login_limits):
        monkeypatch.setattr(module, "time", fake)
    return fake


def _try(client, phone, password="wrong-password", address="10.0.0.1", lang="en", **kwargs):
    return client.post(
        "/login",
        json={"phone": phone, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers={"Accept-Language": lang},
        **kwargs,
    )


def _message(response) -> str:
    return response.get_json()["error"]["message"]


def _stranger_locks_out(app, phone: str) -> None:
    stranger = app.test_client()
    for i in range(6):
        _try(stranger, phone, address=f"203.0.113.{i}")
    assert _try(stranger, phone, password=PASSWORD, address="203.0.113.99").status_code == 429


@pytest.mark.both_databases
def test_a_strangers_failures_do_not_lock_out_the_owners_known_device(
    app, client, make_user, clock
):
    dispatcher = make_user("dispatcher")
    log_in(client, dispatcher)
    assert client.get_cookie(KNOWN_DEVICE_COOKIE, path="/login") is not None
    client.post("/logout", json={})  # the device stays known after logging out

    _stranger_locks_out(app, dispatcher.phone)

    typo = _try(client, dispatcher.phone, address="192.0.2.10")
    assert typo.status_code == 401  # the owner's own typo is a plain refusal, not a lock-out
    assert (
        _try(client, dispatcher.phone, password=PASSWORD, address="192.0.2.10").status_code == 200
    )
    assert client.get("/api/me").get_json()["user"]["id"] == dispatcher.id


@pytest.mark.both_databases
def test_a_device_logged_in_to_the_account_is_not_locked_out(app, client, make_user, clock):
    officer = make_user("officer")
    log_in(client, officer)
    client.delete_cookie(KNOWN_DEVICE_COOKIE, path="/login")  # logged in before the cookie existed
    _stranger_locks_out(app, officer.phone)
    assert _try(client, officer.phone, password=PASSWORD, address="192.0.2.10").status_code == 200


@pytest.mark.both_databases
def test_the_account_limit_still_holds_for_unknown_devices(app, client, make_user, clock):
    owner, neighbour = make_user("dispatcher"), make_user()
    log_in(client, neighbour)  # known for another account only
    _stranger_locks_out(app, owner.phone)

    refused = _try(client, owner.phone, password=PASSWORD, address="192.0.2.10")
    assert refused.status_code == 429
    assert "Too many wrong passwords for this number" in _message(refused)
    fresh = app.test_client()
    assert _try(fresh, owner.phone, password=PASSWORD, address="192.0.2.11").status_code == 429

    forged = app.test_client()
    forged.set_cookie(KNOWN_DEVICE_COOKIE, "WyJhYmMiXQ.forged.signature", path="/login")
    assert _try(forged, owner.phone, password=PASSWORD, address="192.0.2.12").status_code == 429


def test_a_known_device_still_counts_against_its_address(client, make_user, clock):
    owner = make_user()
    log_in(client, owner)
    for _ in range(5):
        assert _try(client, owner.phone).status_code == 401
    refused = _try(client, owner.phone, password=PASSWORD)
    assert refused.status_code == 429
    assert _message(refused) == (
        "Too many failed logins from this network. Please try again in 5 minutes."
    )


def test_repeated_failures_from_one_address_back_off(client, clock):
    numbers = iter(f"1391111{i:04d}" for i in range(100))
    for _ in range(5):
        assert _try(client, next(numbers)).status_code == 401
    first = _try(client, next(numbers))
    assert first.status_code == 429
    assert "try again in 5 minutes" in _message(first)
    assert 0 < int(first.headers["Retry-After"]) <= 301  # Flask-Limiter rounds its reset up

    clock.advance(301)  # the first wait is over; the hour still holds five failures
    for _ in range(3):
        assert _try(client, next(numbers)).status_code == 401
    second = _try(client, next(numbers))
    assert second.status_code == 429
    assert "try again in 55 minutes" in _message(second)
    assert int(second.headers["Retry-After"]) > 3000

    clock.advance(300)  # the 5-minute window passed again, but the hour's wait is not over
    assert _try(client, next(numbers)).status_code == 429
    clock.advance(3000)
    assert _try(client, next(numbers)).status_code == 401


def test_the_account_backs_off_and_throttled_retries_do_not_push_the_wait_out(
    app, make_user, clock
):
    owner, stranger = make_user(), app.test_client()
    for i in range(3):
        assert _try(stranger, owner.phone, address=f"198.51.100.{i}").status_code == 401
    for i in range(10):  # refused while throttled: these are not counted
        assert _try(stranger, owner.phone, address=f"198.51.100.{i}").status_code == 429

    clock.advance(301)
    assert _try(app.test_client(), owner.phone, password=PASSWORD).status_code == 200
    for i in range(3):
        assert _try(stranger, owner.phone, address=f"198.51.100.{i}").status_code == 401
    longer = _try(stranger, owner.phone, address="198.51.100.9")
    assert longer.status_code == 429
    assert "try again in 55 minutes" in _message(longer)


@pytest.mark.parametrize(
    ("lang", "account", "address"),
    [
        (
            "zh-CN",
            "该手机号密码错误次数过多，请5分钟后再试，或在以前用这个号码登录过的手机或电脑上登录。",
            "此网络登录失败次数过多，请5分钟后再试。",
        ),
        (
            "en",
            "Too many wrong passwords for this number. Please try again in 5 minutes, or log in on "
            "a phone or computer that has logged in with this number before.",
            "Too many failed logins from this network. Please try again in 5 minutes.",
        ),
    ],
)
def test_the_throttling_messages_are_in_the_persons_language(
    client, make_user, clock, lang, account, address
):
    owner = make_user()
    for i in range(3):
        _try(client, owner.phone, address=f"198.51.100.{i}")
    assert _message(_try(client, owner.phone, address="198.51.100.9", lang=lang)) == account
    for i in range(5):
        _try(client, f"1391111000{i}", address="192.0.2.77")
    assert _message(_try(client, "13911110009", address="192.0.2.77", lang=lang)) == address


def test_a_browser_sees_the_login_form_again_with_the_wait(client, make_user, clock):
    owner = make_user()
    for _ in range(3):
        _try(client, owner.phone)
    page = client.post(
        "/login?next=/profile",
        data={"phone": owner.phone, "password": PASSWORD},
        headers={"Accept-Language": "zh-CN", "Accept": "text/html"},
    )
    assert page.status_code == 429
    html = page.get_data(as_text=True)
    assert "请5分钟后再试" in html and 'name="password"' in html
    assert 'value="/profile"' in html and f'value="{owner.phone}"' in html
