"""Booking an officer's reception slot and the officer's answer, through the services: free
slots in the area's time zone, bad times, double booking (the partial unique index on both
databases), another area's officer, and the resident's acceptance or cancellation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.uow import unit_of_work
from police_room import appointment_slots, appointments
from police_room.models import Appointment
from tests.police_room.appointment_fixtures import (
    MONDAY_8AM,
    SHANGHAI,
    book,
    local,
    set_state,
    shift,
)
from volunteers.areas import Areas, areas_of
from volunteers.person import Person


def decide(app, officer, appointment_id, action, **kwargs):
    with app.app_context(), unit_of_work() as uow:
        areas = areas_of(uow.session, Person.of(officer))
        found = appointments.decide(
            uow, areas, appointment_id, action, now=kwargs.pop("now", MONDAY_8AM), **kwargs
        )
        uow.commit()
        return found.status


def test_free_slots_are_the_weekday_mornings_of_the_next_two_weeks_in_local_time(app, room):
    with app.app_context():
        officer = appointment_slots.bookable(db.session(), room.officer.id)
        slots = appointment_slots.reception_slots(officer, MONDAY_8AM)
    assert slots[0].starts_at == local(7, 9)  # today 09:00 in Shanghai, 01:00 UTC
    assert slots[0].ends_at == local(7, 9, 30)
    assert [s.starts_at for s in slots[:4]] == [
        local(7, 9),
        local(7, 9, 30),
        local(7, 10),
        local(7, 10, 30),
    ]
    assert len(slots) == 10 * 4  # two working weeks, four half hours each morning
    assert all(s.starts_at.astimezone(officer.zone).weekday() < 5 for s in slots)


def test_a_slot_that_began_is_no_longer_offered(app, room):
    with app.app_context():
        officer = appointment_slots.bookable(db.session(), room.officer.id)
        slots = appointment_slots.reception_slots(officer, local(7, 9, 10))
    assert slots[0].starts_at == local(7, 9, 30)


@pytest.mark.both_databases
def test_a_booked_slot_is_taken_for_others_until_cancelled(app, room):
    first = book(app, room.resident, room.officer, local(7, 9))
    with pytest.raises(Conflict) as refused:
        book(app, room.second_resident, room.officer, local(7, 9))
    assert refused.value.code == "slot_taken"
    with app.app_context(), unit_of_work() as uow:
        appointments.cancel(uow, Person.of(room.resident), first)
        uow.commit()
    assert book(app, room.second_resident, room.officer, local(7, 9)) != first


@pytest.mark.both_databases
def test_two_residents_at_once_one_gets_the_slot_by_the_unique_index(app, room, monkeypatch):
    """Both pass the free-slot check (as two requests at the same moment would); the partial
    unique index lets only the first insert in, and the second is told the slot was taken."""
    book(app, room.resident, room.officer, local(8, 10))
    monkeypatch.setattr(appointment_slots, "taken", lambda *_args: set())
    with pytest.raises(Conflict) as refused:
        book(app, room.second_resident, room.officer, local(8, 10))
    assert refused.value.code == "slot_taken"
    with app.app_context():
        assert db.session.query(Appointment).count() == 1


@pytest.mark.both_databases
def test_the_index_allows_a_slot_again_once_the_booking_is_no_longer_active(app, room):
    first = book(app, room.resident, room.officer, local(8, 10))
    set_state(app, first, appointments.DECLINED)
    book(app, room.second_resident, room.officer, local(8, 10))
    with app.app_context(), unit_of_work() as uow, pytest.raises(IntegrityError):
        starts = local(8, 10)
        uow.session.add(
            Appointment(
                police_area_id=room.area_id,
                officer_id=room.officer.id,
                resident_id=room.resident.id,
                starts_at=starts,
                ends_at=shift(starts, minutes=30),
                status=appointments.CONFIRMED,
            )
        )
        uow.session.flush()


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        (local(7, 7), "slot_past"),  # an hour before now
        (local(7, 12), "slot_outside_hours"),  # after the morning's reception
        (local(7, 9, 15), "slot_outside_hours"),  # between two slots
        (local(12, 9), "slot_outside_hours"),  # a Saturday
        (local(28, 9), "slot_outside_hours"),  # three weeks ahead
    ],
)
def test_a_time_in_the_past_or_outside_reception_hours_is_refused(app, room, starts_at, code):
    with pytest.raises(Invalid) as refused:
        book(app, room.resident, room.officer, starts_at)
    assert refused.value.code == code


def test_only_a_shown_officer_of_this_police_room_can_be_booked(app, room, outsider):
    with pytest.raises(NotFound):
        book(app, room.resident, outsider, local(7, 9))  # no public profile
    with app.app_context(), unit_of_work() as uow, pytest.raises(NotFound):
        appointments.book(
            uow,
            Person.of(room.resident),
            room.officer.id,
            local(7, 9),
            "",
            MONDAY_8AM,
            area_id=room.area_id + 1,
        )


@pytest.mark.both_databases
def test_the_officer_confirms_and_another_areas_officer_cannot_decide(app, room, outsider):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    with pytest.raises(NotFound):
        decide(app, outsider, appointment_id, "confirm")
    assert decide(app, room.officer, appointment_id, "confirm") == appointments.CONFIRMED
    with pytest.raises(Conflict):
        decide(app, room.officer, appointment_id, "confirm")


@pytest.mark.both_databases
def test_a_proposed_time_moves_the_booking_and_the_resident_accepts_it(app, room):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    status = decide(
        app, room.officer, appointment_id, "propose", starts_at=local(9, 15), note="周三下午"
    )
    assert status == appointments.PROPOSED
    # the original slot is free again, the proposed time is held
    assert book(app, room.second_resident, room.officer, local(7, 9))
    with app.app_context(), unit_of_work() as uow:
        found = appointments.accept(uow, Person.of(room.resident), appointment_id, MONDAY_8AM)
        uow.commit()
        assert (found.status, found.starts_at, found.note) == (
            "confirmed",
            local(9, 15),
            "周三下午",
        )
        assert found.ends_at == local(9, 15, 30)


def test_a_naive_proposed_time_is_the_areas_wall_clock(app, room):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    naive = local(9, 15).astimezone(SHANGHAI).replace(tzinfo=None)
    decide(app, room.officer, appointment_id, "propose", starts_at=naive)
    with app.app_context():
        assert db.session.get(Appointment, appointment_id).starts_at == local(9, 15)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, "time_missing"),
        ({"starts_at": local(7, 7)}, "slot_past"),
        ({"starts_at": local(7, 9) + timedelta(days=90)}, "slot_too_far"),
    ],
)
def test_a_proposal_needs_a_coming_time(app, room, kwargs, code):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    with pytest.raises(Invalid) as refused:
        decide(app, room.officer, appointment_id, "propose", **kwargs)
    assert refused.value.code == code


def test_a_proposal_onto_another_booking_is_refused(app, room):
    taken = local(7, 10)
    book(app, room.second_resident, room.officer, taken)
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    with pytest.raises(Conflict):
        decide(app, room.officer, appointment_id, "propose", starts_at=taken)


def test_a_meeting_is_done_only_once_it_began_and_was_confirmed(app, room):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    with pytest.raises(Conflict):
        decide(app, room.officer, appointment_id, "done", now=local(7, 9, 10))  # not confirmed
    decide(app, room.officer, appointment_id, "confirm")
    with pytest.raises(Invalid):
        decide(app, room.officer, appointment_id, "done")  # not begun
    assert decide(app, room.officer, appointment_id, "done", now=local(7, 9, 10)) == "done"


def test_residents_reach_only_their_own_appointments(app, room):
    appointment_id = book(app, room.resident, room.officer, local(7, 9))
    with app.app_context(), unit_of_work() as uow, pytest.raises(NotFound):
        appointments.cancel(uow, Person.of(room.second_resident), appointment_id)
    with app.app_context(), unit_of_work() as uow, pytest.raises(Conflict):
        appointments.accept(uow, Person.of(room.resident), appointment_id, MONDAY_8AM)


def test_the_officers_list_holds_only_their_areas_appointments(app, room, outsider):
    book(app, room.resident, room.officer, local(7, 9))
    with app.app_context():
        mine = appointments.of_areas(
            db.session(), areas_of(db.session(), Person.of(room.officer)), MONDAY_8AM
        )
        theirs = appointments.of_areas(
            db.session(), areas_of(db.session(), Person.of(outsider)), MONDAY_8AM
        )
        nobody = appointments.of_areas(db.session(), Areas(frozenset()), MONDAY_8AM)
    assert len(mine) == 1 and theirs == [] and nobody == []
