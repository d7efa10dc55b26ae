"""Shared by the appointment, resident and rating tests: an officer of the first area with
reception hours every weekday morning, a resident, and a fixed Monday morning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from app.roles import Role
from app.uow import unit_of_work
from police_room import appointments
from police_room.models import Appointment, OfficerProfile
from volunteers.models import PoliceArea, User
from volunteers.person import Person

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 7 December 2026, 08:00 in Shanghai: the morning's reception (09:00-11:00) is ahead.
MONDAY_8AM = datetime(2026, 12, 7, 8, 0, tzinfo=SHANGHAI).astimezone(UTC)
MORNINGS = [{"weekday": d, "start": "09:00", "end": "11:00"} for d in range(5)]


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A time on December ``day`` 2026 in Shanghai, as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@dataclass(frozen=True)
class Room:
    slug: str
    area_id: int
    officer: User
    resident: User
    second_resident: User


def add_profile(app: Flask, officer: User, reception: list[dict[str, Any]] = MORNINGS) -> None:
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(
            OfficerProfile(
                user_id=officer.id, title="社区民警", reception=reception, slot_minutes=30
            )
        )
        uow.commit()


@pytest.fixture
def room(app: Flask, area: dict[str, Any], make_user: Callable[..., User]) -> Room:
    with app.app_context(), unit_of_work() as uow:
        police_area = uow.session.get_one(PoliceArea, area["police_area_id"])
        police_area.slug = "ceshi"
        uow.commit()
    officer = make_user(Role.OFFICER, name="张警官")
    add_profile(app, officer)
    return Room(
        "ceshi",
        area["police_area_id"],
        officer,
        make_user(Role.RESIDENT, name="李阿姨"),
        make_user(Role.RESIDENT, name="赵大爷"),
    )


def book(app: Flask, who: User, officer: User, starts_at: datetime, now: datetime = MONDAY_8AM):
    """Book through the service; answers the appointment's id."""
    with app.app_context(), unit_of_work() as uow:
        found = appointments.book(uow, Person.of(who), officer.id, starts_at, "", now)
        uow.commit()
        return found.id


def set_state(app: Flask, appointment_id: int, status: str) -> None:
    with app.app_context(), unit_of_work() as uow:
        uow.session.get_one(Appointment, appointment_id).status = status
        uow.commit()


def shift(moment: datetime, **delta: float) -> datetime:
    return moment + timedelta(**delta)
