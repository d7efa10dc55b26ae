"""Real Socket.IO test clients for the realtime tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from app.extensions import socketio
from app.roles import Role
from app.uow import unit_of_work
from realtime import events
from realtime.presence_backend import presence_for
from tests.checkins.conftest import offset
from tests.conftest import STAFF_PASSWORD
from volunteers import services
from volunteers.duty import CONSENT_LOCATION, record_consent
from volunteers.models import User

SPOT = (33.3800, 120.1600)


@pytest.fixture
def spot() -> tuple[float, float]:
    """Where ``connect``'s people stand (a module overrides it to stand elsewhere)."""
    return SPOT


@pytest.fixture
def connect(app: Flask, spot: tuple[float, float]) -> Iterator[Callable[..., tuple[User, Any]]]:
    """``connect(role, community_id, metres=None)``: a new person of ``role`` in that community
    with a logged-in socket (the console for the police room, the phone for field roles), on
    duty ``metres`` north of ``spot`` if given. Returns (user, socket)."""
    made: list[tuple[Any, str]] = []
    counter = iter(range(1, 1000))

    def person(role: Role, community_id: int, metres: float | None = None) -> tuple[User, Any]:
        n = next(counter)
        with app.app_context(), unit_of_work() as uow:
            user = services.create_user(
                uow,
                name=f"{role}{n}",
                phone=f"1360000{n:04d}",
                password=STAFF_PASSWORD,
                role=role,
                placement=services.Placement(community_id),
                hash_method=app.config["PASSWORD_HASH_METHOD"],
            )
            record_consent(uow, user.id, CONSENT_LOCATION, granted=True)
            uow.commit()
        http = app.test_client()
        answer = http.post("/login", json={"phone": user.phone, "password": STAFF_PASSWORD})
        assert answer.status_code == 200, answer.get_json()
        ns = events.CONSOLE_NS if role in (Role.DISPATCHER, Role.OFFICER) else events.FIELD_NS
        sock = socketio.test_client(app, namespace=ns, flask_test_client=http)
        assert sock.is_connected(ns)
        made.append((sock, ns))
        if metres is not None:
            sock.emit(events.SET_DUTY, {"on_duty": True}, namespace=ns, callback=True)
            lat, lon = offset(*spot, metres)
            reply = sock.emit(
                events.POSITION,
                {"lat": lat, "lon": lon, "accuracy": 10},
                namespace=ns,
                callback=True,
            )
            assert reply == {"ok": True}, reply
        return user, sock

    yield person
    for sock, ns in made:
        if sock.is_connected(ns):
            sock.disconnect(ns)
    presence_for(app).clear()
