"""Reminders of confirmed meetings the day before and on the day, to both sides, each once:
the sweep stamps them, a second sweep (or two racing) stamps nothing more, and the pages show
what was stamped today."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.uow import unit_of_work
from police_room import appointment_reminders, appointments, tasks
from police_room.appointment_views import shown
from police_room.models import Appointment
from tests.police_room.appointment_fixtures import SHANGHAI, book, local, set_state

pytestmark = pytest.mark.both_databases


def sweep(app, now) -> int:
    with app.app_context(), unit_of_work() as uow:
        stamped = appointment_reminders.remind_due(uow, now)
        uow.commit()
    return stamped


def stamps(app, appointment_id):
    with app.app_context():
        found = db.session.get_one(Appointment, appointment_id)
        return found.resident_reminded_at, found.officer_reminded_at


def reminder_shown(app, appointment_id, now, officer_side):
    with app.app_context():
        found = db.session.get_one(Appointment, appointment_id)
        return shown(db.session(), [found], now, officer_side=officer_side)[0]["reminder"]


def test_each_side_is_reminded_the_day_before_and_on_the_day_once_each(app, room):
    wednesday = book(app, room.resident, room.officer, local(9, 10))
    set_state(app, wednesday, appointments.CONFIRMED)
    assert sweep(app, local(7, 20)) == 0  # Monday: two days off
    assert sweep(app, local(8, 0, 5)) == 2  # Tuesday just after midnight: the day before
    assert stamps(app, wednesday) == (local(8, 0, 5), local(8, 0, 5))
    assert sweep(app, local(8, 18)) == 0  # again on Tuesday: nothing more
    assert reminder_shown(app, wednesday, local(8, 18), officer_side=False) == "提醒：预约在明天"
    assert reminder_shown(app, wednesday, local(8, 18), officer_side=True) == "提醒：预约在明天"
    assert sweep(app, local(9, 7)) == 2  # Wednesday morning: on the day
    assert sweep(app, local(9, 8)) == 0
    assert reminder_shown(app, wednesday, local(9, 8), officer_side=False) == "提醒：预约就在今天"
    assert sweep(app, local(9, 11)) == 0  # it has begun
    assert reminder_shown(app, wednesday, local(9, 11), officer_side=False) == ""


def test_only_confirmed_meetings_are_reminded(app, room):
    requested = book(app, room.resident, room.officer, local(8, 9))
    cancelled = book(app, room.second_resident, room.officer, local(8, 10))
    set_state(app, cancelled, appointments.CANCELLED)
    assert sweep(app, local(7, 12)) == 0
    assert stamps(app, requested) == (None, None)


def test_a_booking_confirmed_on_the_day_is_reminded_once_that_day(app, room):
    today = book(app, room.resident, room.officer, local(7, 10, 30))
    set_state(app, today, appointments.CONFIRMED)
    assert sweep(app, local(7, 8, 30)) == 2
    assert sweep(app, local(7, 9)) == 0


def test_the_beats_task_opens_its_own_unit_on_the_real_clock(app, room, monkeypatch):
    tomorrow = book(app, room.resident, room.officer, local(8, 9))
    set_state(app, tomorrow, appointments.CONFIRMED)
    monkeypatch.setattr(tasks, "utcnow", lambda: local(7, 21))
    with app.app_context():
        assert tasks.remind_appointments.run() == 2
        assert tasks.remind_appointments.run() == 0
    assert stamps(app, tomorrow)[0].astimezone(SHANGHAI).hour == 21
