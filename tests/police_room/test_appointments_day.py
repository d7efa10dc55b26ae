"""The officer's day shows the area's appointment requests to answer and today's reminders,
and links the appointments page; another area's officer sees none of them."""

from __future__ import annotations

from datetime import timedelta

from app.types import utcnow
from app.uow import unit_of_work
from police_room import appointment_reminders, appointments
from police_room.models import OfficerProfile
from tests.conftest import STAFF_PASSWORD, log_in
from tests.police_room.appointment_fixtures import SHANGHAI, add_profile, book, set_state

ZH = {"Accept-Language": "zh-CN"}


def test_the_officers_day_lists_requests_and_reminders(app, room, outsider):
    everyday = [{"weekday": d, "start": "00:00", "end": "23:30"} for d in range(7)]
    with app.app_context(), unit_of_work() as uow:
        uow.session.get_one(OfficerProfile, room.officer.id).reception = everyday
        uow.commit()
    now = utcnow()
    tomorrow = (now.astimezone(SHANGHAI) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    asked = book(app, room.resident, room.officer, tomorrow, now=now)
    met = book(app, room.second_resident, room.officer, tomorrow + timedelta(hours=1), now=now)
    set_state(app, met, appointments.CONFIRMED)
    with app.app_context(), unit_of_work() as uow:
        appointment_reminders.remind_due(uow, now)
        uow.commit()
    http = app.test_client()
    log_in(http, room.officer)
    page = http.get("/officer", headers=ZH).get_data(as_text=True)
    assert "居民预约" in page and "1 个待答复" in page and "/officer/appointments" in page
    assert "李阿姨" in page  # the request
    assert "提醒：预约在明天" in page and "赵大爷" in page  # the reminder
    other = app.test_client()
    add_profile(app, outsider)
    log_in(other, outsider, STAFF_PASSWORD)
    theirs = other.get("/officer", headers=ZH).get_data(as_text=True)
    assert "李阿姨" not in theirs and "赵大爷" not in theirs
    assert asked
