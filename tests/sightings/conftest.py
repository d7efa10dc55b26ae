"""People with a logged-in HTTP client and socket, and small real photos, for sighting tests."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from app.extensions import socketio
from app.roles import Role
from app.uow import unit_of_work
from realtime import events
from tests.conftest import STAFF_PASSWORD
from volunteers import services

HERE = (33.3800, 120.1600)  # inside the test area (its centre)


@dataclass
class Someone:
    id: int
    role: Role
    http: FlaskClient
    sock: Any

    def events(self, name: str) -> list[Any]:
        """The ``name`` events this person's socket received since last asked."""
        namespace = events.CONSOLE_NS if self.role not in FIELD else events.FIELD_NS
        return [e["args"][0] for e in self.sock.get_received(namespace) if e["name"] == name]


FIELD = (Role.VOLUNTEER, Role.GUARD, Role.GRID_WORKER)


@pytest.fixture
def someone(app: Flask) -> Iterator[Callable[..., Someone]]:
    """``someone(role, community_id)``: a new person logged in over HTTP with a live socket
    (the console for police roles, the phone's for field roles)."""
    counter = iter(range(1, 1000))
    made: list[tuple[Any, str]] = []

    def make(role: Role, community_id: int) -> Someone:
        n = next(counter)
        with app.app_context(), unit_of_work() as uow:
            user = services.create_user(
                uow,
                name=f"{role}{n}",
                phone=f"1370000{n:04d}",
                password=STAFF_PASSWORD,
                role=role,
                placement=services.Placement(community_id),
                hash_method=app.config["PASSWORD_HASH_METHOD"],
            )
            uow.commit()
        http = app.test_client()
        answer = http.post("/login", json={"phone": user.phone, "password": STAFF_PASSWORD})
        assert answer.status_code == 200, answer.get_json()
        namespace = events.FIELD_NS if role in FIELD else events.CONSOLE_NS
        sock = socketio.test_client(app, namespace=namespace, flask_test_client=http)
        assert sock.is_connected(namespace)
        made.append((sock, namespace))
        return Someone(user.id, role, http, sock)

    yield make
    for sock, namespace in made:
        if sock.is_connected(namespace):
            sock.disconnect(namespace)


@pytest.fixture
def volunteer(someone: Callable[..., Someone], area: dict[str, Any]) -> Someone:
    return someone(Role.VOLUNTEER, area["community_id"])


@pytest.fixture
def officer(someone: Callable[..., Someone], area: dict[str, Any]) -> Someone:
    return someone(Role.OFFICER, area["community_id"])


def report_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "client_id": "c0ffee00-0000-4000-8000-000000000001",
        "category": "suspicious_person",
        "behaviour": "有人在逐个拉停着的电动车车门",
        "lat": HERE[0],
        "lon": HERE[1],
        "accuracy_m": 12,
        "photos": 1,
    }
    return body | overrides


def jpeg(width: int = 800, height: int = 600, *, gps: bool = True) -> bytes:
    """A real JPEG; with an EXIF GPS position (which must never reach anyone)."""
    image = Image.new("RGB", (width, height), (120, 160, 90))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (33.0, 22.0, 48.0), 3: "E", 4: (120.0, 9.0, 36.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(
    who: Someone, sighting_id: int, data: bytes, *, kind: str = "photo", part: int = 0
) -> Any:
    return who.http.post(
        f"/api/sightings/{sighting_id}/media",
        data={"kind": kind, "part": str(part), "file": (io.BytesIO(data), "x.jpg")},
        content_type="multipart/form-data",
    )
