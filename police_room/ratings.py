"""开门评警: after a meeting the resident rates it 1-5 with a comment, once. Residents see an
officer's ratings only as an average over at least ``PUBLIC_MINIMUM`` of them, so no single
resident's mark can be picked out."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, Invalid
from app.uow import UnitOfWork
from police_room import appointments
from police_room.models import Appointment, Rating
from volunteers.person import Person

PUBLIC_MINIMUM = 5


def can_rate(appointment: Appointment, now: datetime) -> bool:
    """The meeting took place: the officer marked it done, or it ended while confirmed."""
    return appointment.status == appointments.DONE or (
        appointment.status == appointments.CONFIRMED and appointment.ends_at <= now
    )


def rate(
    uow: UnitOfWork,
    resident: Person,
    appointment_id: int,
    stars: int,
    comment: str,
    now: datetime,
) -> Rating:
    """Rate one's own meeting once it took place; a second rating is refused."""
    appointment = appointments.residents_own(uow.session, resident, appointment_id)
    if not can_rate(appointment, now):
        raise Invalid("not_met_yet", _l("You can rate a meeting only after it has taken place."))
    if not 1 <= stars <= 5:
        raise Invalid("stars_range", _l("Choose from 1 to 5 stars."), field="stars")
    rating = Rating(
        appointment_id=appointment_id,
        officer_id=appointment.officer_id,
        stars=stars,
        comment=comment,
        created_at=now,
    )
    try:
        with uow.session.begin_nested():
            uow.session.add(rating)
    except IntegrityError as exc:  # its key is the appointment's: a second one cannot go in
        raise Conflict("rated_already", _l("You have already rated this meeting.")) from exc
    return rating


def public_rating(session: Session, officer_id: int) -> tuple[float, int] | None:
    """(average stars rounded to one decimal, how many) when at least five residents rated
    the officer; None otherwise."""
    average, count = session.execute(
        select(func.avg(Rating.stars), func.count()).where(Rating.officer_id == officer_id)
    ).one()
    if count < PUBLIC_MINIMUM:
        return None
    return round(float(average), 1), int(count)


def public_ratings(session: Session, officer_ids: list[int]) -> dict[int, tuple[float, int]]:
    """``public_rating`` of several officers in one query (an area page's cards)."""
    rows = session.execute(
        select(Rating.officer_id, func.avg(Rating.stars), func.count())
        .where(Rating.officer_id.in_(officer_ids))
        .group_by(Rating.officer_id)
        .having(func.count() >= PUBLIC_MINIMUM)
    )
    return {officer: (round(float(average), 1), int(count)) for officer, average, count in rows}


def rated(session: Session, appointment_ids: list[int]) -> dict[int, Rating]:
    """The ratings given to these appointments, by appointment."""
    if not appointment_ids:
        return {}
    found = session.scalars(select(Rating).where(Rating.appointment_id.in_(appointment_ids)))
    return {r.appointment_id: r for r in found}
