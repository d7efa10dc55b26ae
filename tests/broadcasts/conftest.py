"""Broadcast tests: real Socket.IO clients (the realtime tests' ``connect``), an officer's HTTP
client, and a helper to send a broadcast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.roles import Role
from tests.conftest import log_in
from tests.realtime.conftest import SPOT, connect, spot  # noqa: F401 - fixtures used here

MISSING = {
    "kind": "missing_person",
    "title": "走失老人",
    "look_for": "男，80岁左右，灰色外套，拄拐杖",
    "what_to_do": "不要靠近，立即报告",
    "urgent": True,
}


def circle(radius_m: float = 500, later: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A circle round SPOT, ``radius_m`` now and ``later`` stages after."""
    return {
        "center_lat": SPOT[0],
        "center_lon": SPOT[1],
        "stages": [{"after_min": 0, "radius_m": radius_m}, *(later or [])],
    }


@pytest.fixture
def officer_client(app: Flask, make_user: Callable[..., Any]) -> FlaskClient:
    """An HTTP client logged in as an officer of the first area."""
    http = app.test_client()
    log_in(http, make_user(Role.OFFICER))
    return http


def send(http: FlaskClient, **fields: Any) -> Any:
    return http.post(
        "/officer/broadcasts", json=MISSING | fields, headers={"Accept": "application/json"}
    )
