"""Thin routes of appointments: the resident's booking page and list, the officer's list and
decisions, the rating. Browsers' forms get the page back (or the error above the form); API
callers get JSON."""

from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, render_template, url_for
from flask_login import current_user

import police_room.appointment_permissions  # noqa: F401 - registers the permissions
from app.edge import accepts, parse, submitted
from app.errors import DomainError, wants_json
from app.extensions import db
from app.permissions import requires
from app.times import local_zone
from app.types import utcnow
from app.uow import unit_of_work
from app.web import form_error
from police_room import appointment_slots as slots
from police_room import appointments, bp, ratings
from police_room.appointment_reminders import local_day_start
from police_room.appointment_schemas import BookBody, BookQuery, DecideBody, RateBody
from police_room.appointment_views import days_of, shown
from police_room.public import area_by_slug
from volunteers.areas import callers_areas

MINE = "police_room.mine"


def _book_context(slug: str) -> dict[str, Any]:
    session = db.session()
    area = area_by_slug(session, slug)
    now = utcnow()
    officers = []
    for officer_id in slots.officer_ids(session, area.id):
        found = slots.bookable(session, officer_id)
        officers.append(
            {
                "id": officer_id,
                "name": found.user.name,
                "title": found.profile.title,
                "days": days_of(slots.free_slots(session, found, now), found.zone),
            }
        )
    return {"area": area, "officers": officers, "form": {}}


@bp.get("/area/<slug>/book")
@requires("police_room.appointments.book")
@accepts(query=BookQuery, answers={200: None})
def book(slug: str, query: BookQuery) -> Any:
    """The officers of this police room and their free reception slots of the next two weeks."""
    context = _book_context(slug)
    if wants_json():
        return jsonify(officers=context["officers"])
    return render_template("police_room/appointment_book.html", chosen=query.officer, **context)


@bp.post("/area/<slug>/book")
@requires("police_room.appointments.book")
@accepts(BookBody, answers={201: None}, inject=False)
def request_slot(slug: str) -> Any:
    """Book a free slot of one of this police room's officers; the officer then decides."""
    area = area_by_slug(db.session(), slug)
    data = submitted()
    try:
        body = parse(BookBody, data)
        with unit_of_work() as uow:
            appointment = appointments.book(
                uow,
                current_user,
                body.officer_id,
                body.starts_at,
                body.topic,
                utcnow(),
                area_id=area.id,
            )
            uow.commit()
    except DomainError as error:
        return form_error("police_room/appointment_book.html", error, **_book_context(slug))
    if wants_json():
        listed = shown(db.session(), [appointment], utcnow(), officer_side=False)
        return jsonify(appointment=listed[0]), 201
    return redirect(url_for(MINE), code=303)


def _mine_context() -> dict[str, Any]:
    session = db.session()
    found = appointments.of_resident(session, current_user.id)
    return {"appointments": shown(session, found, utcnow(), officer_side=False)}


@bp.get("/appointments")
@requires("police_room.appointments.book")
@accepts(answers={200: None})
def mine() -> Any:
    """My appointments with their state, today's reminder and what I may do next."""
    context = _mine_context()
    if wants_json():
        return jsonify(**context)
    return render_template("police_room/appointment_mine.html", **context)


def _resident_done(appointment_id: int) -> Any:
    if wants_json():
        session = db.session()
        found = appointments.residents_own(session, current_user, appointment_id)
        return jsonify(appointment=shown(session, [found], utcnow(), officer_side=False)[0])
    return redirect(url_for(MINE), code=303)


@bp.post("/appointments/<id:appointment_id>/accept")
@requires("police_room.appointments.book")
@accepts(answers={200: None})
def accept(appointment_id: int) -> Any:
    """Take the time the officer proposed: the meeting is confirmed."""
    try:
        with unit_of_work() as uow:
            appointments.accept(uow, current_user, appointment_id, utcnow())
            uow.commit()
    except DomainError as error:
        return form_error("police_room/appointment_mine.html", error, **_mine_context())
    return _resident_done(appointment_id)


@bp.post("/appointments/<id:appointment_id>/cancel")
@requires("police_room.appointments.book")
@accepts(answers={200: None})
def cancel(appointment_id: int) -> Any:
    """Withdraw my booking; its slot is free again."""
    try:
        with unit_of_work() as uow:
            appointments.cancel(uow, current_user, appointment_id)
            uow.commit()
    except DomainError as error:
        return form_error("police_room/appointment_mine.html", error, **_mine_context())
    return _resident_done(appointment_id)


@bp.post("/appointments/<id:appointment_id>/rating")
@requires("police_room.appointments.book")
@accepts(RateBody, answers={201: None}, inject=False)
def rate(appointment_id: int) -> Any:
    """开门评警: rate the meeting 1-5 with a comment, once, after it took place."""
    try:
        body = parse(RateBody, submitted())
        with unit_of_work() as uow:
            ratings.rate(uow, current_user, appointment_id, body.stars, body.comment, utcnow())
            uow.commit()
    except DomainError as error:
        return form_error("police_room/appointment_mine.html", error, **_mine_context())
    answer = _resident_done(appointment_id)
    return (answer, 201) if wants_json() else answer


def _desk_context() -> dict[str, Any]:
    session = db.session()
    now = utcnow()
    found = appointments.of_areas(session, callers_areas(), local_day_start(now, local_zone()))
    listed = shown(session, found, now, officer_side=True)
    return {
        "waiting": [a for a in listed if a["can_change"] and not a["past"]],
        "reminders": [a for a in listed if a["reminder"]],
        "others": [a for a in listed if not (a["can_change"] and not a["past"])],
    }


@bp.get("/officer/appointments")
@requires("police_room.appointments.decide")
@accepts(answers={200: None})
def desk() -> Any:
    """The police room's appointments: requests to answer, today's reminders, the rest."""
    context = _desk_context()
    if wants_json():
        return jsonify(**context)
    return render_template("police_room/appointment_desk.html", **context)


@bp.post("/officer/appointments/<id:appointment_id>/decide")
@requires("police_room.appointments.decide")
@accepts(DecideBody, answers={200: None}, inject=False)
def decide(appointment_id: int) -> Any:
    """Confirm, decline, propose another time, or mark the meeting done."""
    try:
        body = parse(DecideBody, submitted())
        with unit_of_work() as uow:
            found = appointments.decide(
                uow,
                callers_areas(),
                appointment_id,
                body.action,
                starts_at=body.starts_at,
                note=body.note,
                now=utcnow(),
            )
            uow.commit()
    except DomainError as error:
        return form_error("police_room/appointment_desk.html", error, **_desk_context())
    if wants_json():
        return jsonify(appointment=shown(db.session(), [found], utcnow(), officer_side=True)[0])
    return redirect(url_for("police_room.desk"), code=303)
