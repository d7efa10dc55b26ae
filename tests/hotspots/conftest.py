"""Planted events in the test area (incidents and confirmed sightings over 16 weeks), an
officer of the area, and a helper that runs the analysis as the nightly job does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from hotspots import tasks
from realtime.models import Incident
from sightings.models import Sighting
from tests.conftest import STAFF_PASSWORD
from tests.hotspots import planted
from volunteers.models import User

SHIFT = (0.07, 0.05)  # the synthetic area moved onto the test area (centre 33.38, 120.16)


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.OFFICER, password=STAFF_PASSWORD)


@pytest.fixture
def planted_events(app: Flask, area: dict[str, Any], officer: User) -> int:
    """25 events a week for 16 weeks, every fifth one a confirmed sighting; how many."""
    events = planted.planted(25)
    now = utcnow()
    with app.app_context(), unit_of_work() as uow:
        for i, (lat, lon, week) in enumerate(zip(events.lat, events.lon, events.week, strict=True)):
            at = now - timedelta(weeks=16 - int(week)) + timedelta(days=3, minutes=i)
            place = {"lat": float(lat) + SHIFT[0], "lon": float(lon) + SHIFT[1]}
            if i % 5:
                uow.session.add(
                    Incident(kind="theft", status="closed", created_by_id=officer.id,
                             police_area_id=area["police_area_id"], created_at=at, **place)
                )  # fmt: skip
            else:
                uow.session.add(
                    Sighting(client_id=f"s-{i}", reporter_id=officer.id, category="fire_risk",
                             behaviour="x", police_area_id=area["police_area_id"],
                             status="confirmed", created_at=at, **place)
                )  # fmt: skip
        uow.commit()
    return len(events.lat)


@pytest.fixture
def analysed(app: Flask, area: dict[str, Any], planted_events: int) -> int:
    """The area analysed once, as the worker does; the run's id."""
    with app.app_context():
        return tasks.run_area(area["police_area_id"])
