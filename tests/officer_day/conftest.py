"""Fixtures for the officer's day: points and check-ins placed at chosen instants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from app.uow import unit_of_work
from checkins.models import VALID, CheckIn, PatrolPoint

LAT, LON = 33.38, 120.16


@pytest.fixture
def add_points(app: Any, area: dict[str, Any]) -> Callable[..., list[int]]:
    """``add_points(n, grid=0)``: n points in the area's grid ``grid``; their ids."""

    def add(count: int, grid: int = 0, **fields: Any) -> list[int]:
        with app.app_context(), unit_of_work() as uow:
            points = [
                PatrolPoint(
                    name=f"点位{i}",
                    lat=LAT + i * 1e-4,
                    lon=LON,
                    grid_id=area["grid_ids"][grid],
                    **fields,
                )
                for i in range(count)
            ]
            uow.session.add_all(points)
            uow.commit()
            return [p.id for p in points]

    return add


@pytest.fixture
def add_checkin(app: Any, make_user: Any) -> Callable[..., int]:
    """``add_checkin(point_id, at, status="valid")``: a check-in observed at ``at``; its id."""
    walker = make_user()

    def add(point_id: int, at: datetime, status: str = VALID) -> int:
        with app.app_context(), unit_of_work() as uow:
            row = CheckIn(
                user_id=walker.id,
                point_id=point_id,
                token="t",
                status=status,
                observed_at=at,
                server_time=at,
                points=10,
            )
            uow.session.add(row)
            uow.commit()
            return row.id

    return add
