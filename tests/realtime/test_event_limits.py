"""Unbounded calls (issue 17): every Socket.IO event spends the sender's budget for it
(SOCKET_RATE_LIMITS), per person across connections; over budget, an error the phone and the
console understand, in the person's language, and a connection over budget is refused."""

from __future__ import annotations

import os
import uuid

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.extensions import socketio
from app.roles import Role
from realtime import events
from realtime.namespaces import ConsoleNamespace, FieldNamespace

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "SOCKET_RATE_LIMITS": {"connect": "3 per minute", "ping": "2 per minute", "*": "1 per minute"},
}


@pytest.fixture
def app_settings():
    return LIMITS


def _events(namespace_class) -> list[str]:
    """The namespace's events but connect (and ping, which has its own budget here)."""
    names = {n[3:] for n in dir(namespace_class) if n.startswith("on_")}
    return sorted(names - {"connect", "disconnect", "ping"})


def _connect(app, client, namespace, lang="en"):
    return socketio.test_client(
        app, namespace=namespace, flask_test_client=client, headers={"Accept-Language": lang}
    )


def _code(answer) -> str | None:
    return answer.get("error", {}).get("code") if isinstance(answer, dict) else None


@pytest.mark.parametrize(
    ("lang", "text"),
    [("zh-CN", "您的账号短时间内发出的请求太多"), ("en", "Too many requests from your login")],
)
def test_an_event_over_its_budget_is_refused_in_the_persons_language(
    app, client, logged_in, lang, text
):
    logged_in(Role.GUARD)
    sock = _connect(app, client, events.FIELD_NS, lang)
    sock.get_received(events.FIELD_NS)
    for n in range(2):
        assert sock.emit("ping", n, namespace=events.FIELD_NS, callback=True) == {"pong": n}
    over = sock.emit("ping", 3, namespace=events.FIELD_NS, callback=True)
    assert over["error"]["code"] == "too_many_events" and text in over["error"]["message"]
    [error] = [m for m in sock.get_received(events.FIELD_NS) if m["name"] == events.ERROR]
    assert error["args"][0] == over
    sock.disconnect(events.FIELD_NS)


@pytest.mark.parametrize(
    ("role", "namespace", "event"),
    [(Role.GUARD, events.FIELD_NS, e) for e in _events(FieldNamespace)]
    + [(Role.DISPATCHER, events.CONSOLE_NS, e) for e in _events(ConsoleNamespace)],
)
def test_every_event_has_a_budget(app, client, logged_in, role, namespace, event):
    """With a budget of one a minute for events not named, the second of any event is refused
    before its handler runs, whatever the first answered (a bad payload, a refusal, or yes)."""
    logged_in(role)
    sock = _connect(app, client, namespace)
    first = sock.emit(event, {}, namespace=namespace, callback=True)
    assert _code(first) != "too_many_events"
    second = sock.emit(event, {}, namespace=namespace, callback=True)
    assert _code(second) == "too_many_events"
    sock.disconnect(namespace)


def test_the_budget_is_the_persons_across_connections_and_events_have_their_own(
    app, client, logged_in
):
    logged_in(Role.DISPATCHER)
    first = _connect(app, client, events.CONSOLE_NS)
    second = _connect(app, client, events.CONSOLE_NS)  # another tab, the same person
    for n in range(2):
        assert first.emit("ping", n, namespace=events.CONSOLE_NS, callback=True) == {"pong": n}
    over = second.emit("ping", 9, namespace=events.CONSOLE_NS, callback=True)
    assert _code(over) == "too_many_events"
    roster = second.emit("roster", {}, namespace=events.CONSOLE_NS, callback=True)
    assert "people" in roster  # another event, its own budget
    for sock in (first, second):
        sock.disconnect(events.CONSOLE_NS)


def test_connecting_too_often_is_refused(app, client, logged_in):
    logged_in(Role.GUARD)
    socks = [_connect(app, client, events.FIELD_NS) for _ in range(4)]
    assert [s.is_connected(events.FIELD_NS) for s in socks] == [True, True, True, False]
    for sock in socks[:3]:
        sock.disconnect(events.FIELD_NS)


def test_without_limits_enabled_nothing_is_counted(app, client, logged_in):
    app.config["RATELIMIT_ENABLED"] = False
    logged_in(Role.GUARD)
    sock = _connect(app, client, events.FIELD_NS)
    answers = [sock.emit("ping", n, namespace=events.FIELD_NS, callback=True) for n in range(5)]
    assert answers == [{"pong": n} for n in range(5)]
    sock.disconnect(events.FIELD_NS)


REDIS_URL = os.environ.get("WANJIA_TEST_REDIS", "redis://127.0.0.1:6379/0")
PREFIX = f"test-{uuid.uuid4().hex}"


class TestScaled:
    """With Redis as the limits' storage (the scaled mode), a budget is counted there, so the
    other server processes see it spent as well."""

    @pytest.fixture
    def app_settings(self):
        return {**LIMITS, "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": PREFIX}

    def test_another_process_sees_the_budget_spent(self, app, client, logged_in):
        user = logged_in(Role.GUARD)
        sock = _connect(app, client, events.FIELD_NS)
        for n in range(2):
            sock.emit("ping", n, namespace=events.FIELD_NS, callback=True)
        sock.disconnect(events.FIELD_NS)
        elsewhere = FixedWindowRateLimiter(storage_from_string(REDIS_URL))
        ping = parse(LIMITS["SOCKET_RATE_LIMITS"]["ping"])
        assert not elsewhere.test(ping, PREFIX, "socket", "ping", f"person:{user.id}")
        assert elsewhere.test(ping, PREFIX, "socket", "ping", f"person:{user.id + 1}")
