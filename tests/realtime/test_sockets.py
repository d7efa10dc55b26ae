"""Live channels: only the right logged-in people connect, and every event checks the role."""

from __future__ import annotations

import pytest

from app.roles import ALL_ROLES, FIELD_ROLES, Role
from realtime import events

NAMESPACE_ROLES = {
    events.FIELD_NS: FIELD_ROLES,
    events.CONSOLE_NS: {Role.DISPATCHER, Role.OFFICER, Role.ADMIN},
}


@pytest.mark.parametrize("namespace", sorted(NAMESPACE_ROLES))
def test_an_anonymous_socket_is_refused(socket_client, namespace):
    sock = socket_client(namespace)
    assert not sock.is_connected(namespace)


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
@pytest.mark.parametrize("namespace", sorted(NAMESPACE_ROLES))
def test_each_namespace_admits_exactly_its_roles(logged_in, socket_client, namespace, role):
    logged_in(Role(role))
    sock = socket_client(namespace)
    assert sock.is_connected(namespace) == (Role(role) in NAMESPACE_ROLES[namespace])


def test_the_field_socket_sends_the_persons_state_on_connect(logged_in, socket_client):
    user = logged_in(Role.GUARD)
    sock = socket_client(events.FIELD_NS)
    state = [m for m in sock.get_received(events.FIELD_NS) if m["name"] == events.STATE]
    assert state[0]["args"][0]["user_id"] == user.id
    assert state[0]["args"][0]["on_duty"] is False


def test_going_on_duty_needs_location_consent_and_reaches_the_console(
    app, client, logged_in, socket_client, make_user
):
    volunteer = logged_in(Role.VOLUNTEER)
    field = socket_client(events.FIELD_NS)
    refused = field.emit(
        events.SET_DUTY, {"on_duty": True}, namespace=events.FIELD_NS, callback=True
    )
    assert refused["error"]["code"] == "location_consent_needed"

    dispatcher_http = app.test_client()
    dispatcher_http.post(
        "/login", json={"phone": make_user(Role.DISPATCHER).phone, "password": "secret-pass-1"}
    )
    from app.extensions import socketio

    console = socketio.test_client(
        app, namespace=events.CONSOLE_NS, flask_test_client=dispatcher_http
    )
    console.get_received(events.CONSOLE_NS)
    state = field.emit(
        events.SET_DUTY,
        {"on_duty": True, "share_location": True},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert state["on_duty"] is True and state["location_consent"] is True
    changes = [
        m for m in console.get_received(events.CONSOLE_NS) if m["name"] == events.DUTY_CHANGED
    ]
    assert changes and changes[0]["args"][0] == {
        "user_id": volunteer.id,
        "name": volunteer.name,
        "role": "volunteer",
        "on_duty": True,
    }
    roster = console.emit(events.ROSTER, None, namespace=events.CONSOLE_NS, callback=True)
    assert [p["user_id"] for p in roster["people"]] == [volunteer.id]
    console.disconnect(events.CONSOLE_NS)


@pytest.mark.parametrize("payload", [None, "on", {"on_duty": "yes"}, {}])
def test_a_malformed_event_gets_an_error_and_changes_nothing(
    logged_in, socket_client, client, payload
):
    logged_in(Role.VOLUNTEER, location_consent=True)
    sock = socket_client(events.FIELD_NS)
    reply = sock.emit(events.SET_DUTY, payload, namespace=events.FIELD_NS, callback=True)
    assert reply["error"]["code"] in ("body_malformed", "invalid_input")
    assert client.get("/api/me").get_json()["user"]["on_duty"] is False


def test_logging_out_closes_the_persons_open_sockets(logged_in, socket_client, client):
    logged_in(Role.GUARD)
    sock = socket_client(events.FIELD_NS)
    assert sock.is_connected(events.FIELD_NS)
    client.post("/logout", json={})
    assert not sock.is_connected(events.FIELD_NS)


def test_a_socket_whose_login_was_revoked_elsewhere_cannot_act(
    app, logged_in, socket_client, client
):
    user = logged_in(Role.VOLUNTEER, location_consent=True)
    sock = socket_client(events.FIELD_NS)
    other = app.test_client()
    other.post("/login", json={"phone": user.phone, "password": "secret-pass-1"})
    other.post("/logout", json={"everywhere": True})
    assert not sock.is_connected(events.FIELD_NS)
