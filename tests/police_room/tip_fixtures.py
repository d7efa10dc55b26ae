"""The first test area with a page address, for the public page and tip box tests."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.uow import unit_of_work
from volunteers.models import PoliceArea, Station

SLUG = "ceshi"
OTHER_SLUG = "chengbei"


@pytest.fixture
def public_area(app: Flask, area: dict[str, Any], second_area: dict[str, Any]) -> dict[str, Any]:
    """Both test areas with page addresses, reception hours and the station's duty number."""
    with app.app_context(), unit_of_work() as uow:
        first = uow.session.get_one(PoliceArea, area["police_area_id"])
        first.slug, first.police_room = SLUG, "测试社区警务室（测试路 1 号）"
        first.reception_hours, first.phone = "周一至周五 9:00–17:00", "0515-1234567"
        uow.session.get_one(PoliceArea, second_area["police_area_id"]).slug = OTHER_SLUG
        uow.session.get_one(Station, area["station_id"]).duty_phone = "0515-88880000"
        uow.commit()
    return {**area, "slug": SLUG, "second": second_area}
