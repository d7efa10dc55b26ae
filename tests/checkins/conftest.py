"""Fixtures for check-ins: a patrol point, its genuine token, a positioned submit helper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from geopy.distance import geodesic

from app.uow import unit_of_work
from checkins import tokens
from checkins.models import PatrolPoint
from checkins.policy import signing_key

POINT_LAT, POINT_LON = 33.3800, 120.1600


def offset(lat: float, lon: float, metres: float, bearing: float = 90.0) -> tuple[float, float]:
    """The position ``metres`` away from (lat, lon) on ``bearing`` degrees."""
    there = geodesic(meters=metres).destination((lat, lon), bearing)
    return there.latitude, there.longitude


@pytest.fixture
def make_point(app, area):
    def make(**fields: Any) -> PatrolPoint:
        values = {
            "name": "菜市场入口",
            "lat": POINT_LAT,
            "lon": POINT_LON,
            "radius_m": 50,
            "points": 10,
            "grid_id": area["grid_ids"][0],
        }
        values.update(fields)
        with app.app_context(), unit_of_work() as uow:
            point = PatrolPoint(**values)
            uow.session.add(point)
            uow.commit()
        return point

    return make


@pytest.fixture
def token_for(app):
    def sign(point: PatrolPoint, version: int | None = None) -> str:
        with app.app_context():
            return tokens.sign(signing_key(), point.id, version or point.poster_version)

    return sign


@pytest.fixture
def submit(client, token_for):
    """POST a check-in as the logged-in client; ``metres`` away from the point, ``ago`` late
    (sent from the page's offline queue, as the page marks it, unless ``queued_offline=False``)."""

    def post(
        point: PatrolPoint,
        *,
        metres: float = 5,
        accuracy: float = 10,
        bearing: float = 90,
        ago: timedelta | None = None,
        token: str | None = None,
        lang: str = "en",
        **extra: Any,
    ) -> Any:
        lat, lon = offset(point.lat, point.lon, metres, bearing)
        body = {
            "token": token if token is not None else token_for(point),
            "lat": lat,
            "lon": lon,
            "accuracy": accuracy,
        }
        if ago is not None:
            body["device_time"] = (datetime.now(UTC) - ago).isoformat()
            body["queued_offline"] = True
        body.update(extra)
        return client.post("/api/checkins", json=body, headers={"Accept-Language": lang})

    return post
