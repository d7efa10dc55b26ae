"""Offers, the responder's side: accepting or declining a request, then reporting en route,
arrived and done. Arrival pays only when the phone's live position shows it (the state machine's
statuses are in realtime.dispatch_states)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import metrics
from app.errors import Conflict, NotFound
from app.uow import UnitOfWork
from realtime.dispatch import DispatchSettings, distance_to, get_incident, withdraw_open_offers
from realtime.dispatch_announce import announce, announce_offer
from realtime.dispatch_states import (
    ACCEPTED,
    ARRIVED,
    DECLINED,
    DONE,
    EN_ROUTE,
    ENGAGED,
    EXPIRED,
    NEXT,
    OFFERED,
    OPEN,
    STAMP,
    WITHDRAWN,
)
from realtime.models import Incident, Offer
from realtime.presence import PresenceStore, Seen
from rewards import ledger, reasons
from volunteers.person import Person


def _offer_for(uow: UnitOfWork, user: Person, offer_id: Any) -> tuple[Offer, Incident]:
    try:
        offer = uow.session.get(Offer, int(offer_id))
    except (TypeError, ValueError):
        offer = None
    if offer is None or offer.user_id != user.id:
        raise NotFound("offer_unknown", _l("This request was not sent to you."))
    incident = get_incident(uow, offer.incident_id, lock=True)
    uow.session.refresh(offer)  # after the lock: see what concurrent answers did
    return offer, incident


def answer(
    uow: UnitOfWork,
    user: Person,
    offer_id: Any,
    accept: bool,
    *,
    now: datetime,
    settings: DispatchSettings,
) -> Offer:
    """Accept or decline. The first ``needed`` acceptances win; the rest are withdrawn."""
    offer, incident = _offer_for(uow, user, offer_id)
    if offer.status == WITHDRAWN or incident.status != OPEN:
        raise Conflict("offer_withdrawn", _l("Thank you, but enough people are already going."))
    # Expired by the clock, or already by the sweep that escalated its round.
    if offer.status == EXPIRED or (offer.status == OFFERED and offer.expires_at <= now):
        raise Conflict(
            "offer_expired", _l("This request has expired; the police room asked others.")
        )
    if offer.status != OFFERED:
        raise Conflict("offer_answered", _l("You already answered this request."))
    offer.answered_at = now
    uow.after_commit(metrics.offer_answered, accept)
    if not accept:
        offer.status = DECLINED
        uow.session.flush()
        announce(uow, incident)
        return offer
    taken = uow.session.execute(
        select(func.count())
        .select_from(Offer)
        .where(Offer.incident_id == incident.id, Offer.status.in_((*ENGAGED, DONE)))
    ).scalar_one()
    if taken >= incident.needed:
        raise Conflict("offer_taken", _l("Thank you, but enough people are already going."))
    offer.status = ACCEPTED
    uow.session.flush()
    ledger.award(
        uow,
        user_id=user.id,
        delta=settings.accepted_points,
        reason=reasons.DISPATCH_ACCEPTED,
        source_type="offer",
        source_id=offer.id,
    )
    if taken + 1 >= incident.needed:
        withdraw_open_offers(uow, incident)
    announce(uow, incident)
    return offer


def progress(
    uow: UnitOfWork,
    user: Person,
    offer_id: Any,
    status: str,
    *,
    now: datetime,
    settings: DispatchSettings,
    presence: PresenceStore,
) -> Offer:
    """An accepted person reports en route, arrived, done, in that order. Going and arriving
    need the incident still open; arriving also needs the person's latest live position to be
    recent and near the incident, and pays. Done follows arrival, also when the dispatcher
    closed the incident after it, and pays nothing."""
    offer, incident = _offer_for(uow, user, offer_id)
    if NEXT.get(offer.status) != status:
        raise Conflict("progress_out_of_order", _l("That step does not follow the last one."))
    if status != DONE and incident.status != OPEN:
        raise Conflict("incident_closed", _l("This incident is already closed."))
    if status == ARRIVED:
        _check_arrival(presence.get(user.id), incident, now, settings)
    offer.status = status
    setattr(offer, STAMP[status], now)
    uow.session.flush()
    if status == ARRIVED:
        ledger.award(
            uow,
            user_id=user.id,
            delta=settings.arrived_points,
            reason=reasons.DISPATCH_ARRIVED,
            source_type="offer",
            source_id=offer.id,
        )
    announce(uow, incident)
    return offer


def _check_arrival(
    seen: Seen | None, incident: Incident, now: datetime, settings: DispatchSettings
) -> None:
    """Refuse an arrival the phone's position does not show: none shared (off the live map),
    older than the setting, vaguer than the arrival radius, or further than it."""
    if (
        seen is None
        or now - seen.seen_at > settings.arrival_position_age
        or seen.accuracy_m > settings.arrival_radius_m
    ):
        raise Conflict(
            "arrival_unseen",
            _l(
                "Your phone has not shared a recent, precise position yet. Check that location "
                "is on and try again in a moment."
            ),
        )
    distance = distance_to(incident, seen)
    if distance > settings.arrival_radius_m:
        raise Conflict(
            "arrival_too_far",
            _l("You are %(metres)s m from the incident. Report your arrival once you are there."),
            metres=round(distance),
        )


def leave(
    uow: UnitOfWork, person: Person, now: datetime, settings: DispatchSettings
) -> tuple[int, int]:
    """The person leaves the platform (their account closed): returns (declined, withdrawn).
    Requests still waiting for their answer are declined through the answer path, so the
    dispatcher's console updates as for any decline. Those they accepted and are on their way
    to are withdrawn: nobody is coming any more, and the console, told of it, shows the
    incident short of people so the dispatcher asks someone else. One they arrived at stays as
    it was: they were there (and were paid for it)."""
    rows = uow.session.scalars(
        select(Offer)
        .join(Incident, Incident.id == Offer.incident_id)
        .where(
            Offer.user_id == person.id,
            Incident.status == OPEN,
            Offer.status.in_((OFFERED, ACCEPTED, EN_ROUTE)),
        )
        .order_by(Offer.id)
    ).all()
    declined = withdrawn = 0
    for offer in rows:
        if offer.status == OFFERED:
            if offer.expires_at <= now:
                continue  # already past its answer time: the sweep expires it with its round
            try:
                answer(uow, person, offer.id, False, now=now, settings=settings)
            except Conflict:
                continue  # withdrawn or expired meanwhile: nothing waits for an answer
            declined += 1
            continue
        incident = get_incident(uow, offer.incident_id, lock=True)
        uow.session.refresh(offer)  # after the lock: what a concurrent change did
        if incident.status == OPEN and offer.status in (ACCEPTED, EN_ROUTE):
            offer.status = WITHDRAWN
            uow.session.flush()
            announce_offer(uow, offer, incident)
            announce(uow, incident)
            withdrawn += 1
    return declined, withdrawn
