"""Fixtures for the store: gifts and people with points."""

from __future__ import annotations

import pytest

from app.uow import unit_of_work
from rewards import ledger
from rewards.models import Gift


@pytest.fixture
def make_gift(app, area):
    """``make_gift(**fields)``: a gift of the first area unless ``police_area_id`` says."""

    def make(**fields):
        values = {
            "police_area_id": area["police_area_id"],
            "name": "保温杯",
            "price": 100,
            "stock": 5,
            "per_person_limit": 1,
            "pickup_place": "新河社区警务室",
            "description": "",
        }
        values.update(fields)
        with app.app_context(), unit_of_work() as uow:
            gift = Gift(**values)
            uow.session.add(gift)
            uow.commit()
        return gift

    return make


@pytest.fixture
def give_points(app):
    counter = iter(range(1_000_000))

    def give(user, points):
        with app.app_context(), unit_of_work() as uow:
            ledger.award(
                uow,
                user_id=user.id,
                delta=points,
                reason="officer_award",
                source_type="test",
                source_id=f"seed-{next(counter)}",
            )
            uow.commit()

    return give
