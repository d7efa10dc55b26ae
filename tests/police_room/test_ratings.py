"""开门评警: a resident rates a meeting that took place, 1-5 with a comment, once; the public
sees only an average over at least five ratings."""

from __future__ import annotations

import pytest

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from police_room import appointments, ratings
from police_room.models import Appointment, Rating
from tests.police_room.appointment_fixtures import book, local, set_state
from volunteers.person import Person

AFTER = local(7, 9, 40)  # the 09:00 meeting ended at 09:30


def rate(app, who, appointment_id, stars=5, comment="", now=AFTER):
    with app.app_context(), unit_of_work() as uow:
        found = ratings.rate(uow, Person.of(who), appointment_id, stars, comment, now)
        uow.commit()
        return found.stars


@pytest.mark.parametrize(
    ("status", "now", "allowed"),
    [
        ("done", local(7, 9, 10), True),  # marked done while it ran
        ("confirmed", AFTER, True),  # ended while confirmed
        ("confirmed", local(7, 9, 10), False),  # still running
        ("requested", AFTER, False),  # never confirmed
        ("declined", AFTER, False),
        ("cancelled", AFTER, False),
    ],
)
def test_only_a_meeting_that_took_place_can_be_rated(app, room, status, now, allowed):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    set_state(app, appointment_id, status)
    if allowed:
        assert rate(app, room.resident, appointment_id, 4, "很耐心", now=now) == 4
    else:
        with pytest.raises(Invalid) as refused:
            rate(app, room.resident, appointment_id, now=now)
        assert refused.value.code == "not_met_yet"


@pytest.mark.both_databases
def test_a_meeting_is_rated_once(app, room):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    set_state(app, appointment_id, appointments.DONE)
    rate(app, room.resident, appointment_id, 5)
    with pytest.raises(Conflict) as refused:
        rate(app, room.resident, appointment_id, 1)
    assert refused.value.code == "rated_already"
    with app.app_context():
        assert [r.stars for r in db.session.query(Rating)] == [5]


def test_a_rating_without_an_appointment_or_of_anothers_is_not_found(app, room):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    set_state(app, appointment_id, appointments.DONE)
    with pytest.raises(NotFound):
        rate(app, room.second_resident, appointment_id)
    with pytest.raises(NotFound):
        rate(app, room.resident, appointment_id + 1000)


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_outside_one_to_five_are_refused(app, room, stars):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    set_state(app, appointment_id, appointments.DONE)
    with pytest.raises(Invalid):
        rate(app, room.resident, appointment_id, stars)


@pytest.mark.both_databases
def test_the_public_sees_an_average_only_over_five_ratings(app, room, make_user):
    residents = [make_user(Role.RESIDENT) for _ in range(5)]
    stars = [5, 4, 4, 3, 5]
    for n, (resident, given) in enumerate(zip(residents, stars, strict=True)):
        appointment_id = book(
            app, resident, room.officer, local(7 + n // 4, 9 + (n % 4) // 2, 30 * (n % 2))
        )
        set_state(app, appointment_id, appointments.DONE)
        rate(app, resident, appointment_id, given)
        with app.app_context():
            shown = ratings.public_rating(db.session(), room.officer.id)
        if n < 4:
            assert shown is None
    assert shown == (4.2, 5)
    with app.app_context():
        assert ratings.public_rating(db.session(), room.resident.id) is None
        assert db.session.query(Appointment).count() == 5


def test_the_area_page_shows_an_officers_average_from_the_fifth_rating(app, room, make_user):
    for n in range(5):
        if n == 4:
            page = app.test_client().get("/area/ceshi", headers={"Accept-Language": "zh-CN"})
            assert "居民评价" not in page.get_data(as_text=True)
        resident = make_user(Role.RESIDENT)
        appointment_id = book(app, resident, room.officer, local(8 + n // 4, 9, 30 * (n % 2)))
        set_state(app, appointment_id, appointments.DONE)
        rate(app, resident, appointment_id, 4 if n else 5, "谢谢")
    page = app.test_client().get("/area/ceshi", headers={"Accept-Language": "zh-CN"})
    assert "居民评价：4.2 分（满分 5 分，5 条评价）" in page.get_data(as_text=True)
    assert "谢谢" not in page.get_data(as_text=True)  # comments stay with the police room
