"""Escalation: when a round of offers runs out with too few people going, ask more people
further away. Run by a periodic sweep (realtime.tasks.escalate_due), so it survives restarts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from app.uow import UnitOfWork
from realtime import events
from realtime.dispatch import DispatchSettings, nearest_available, send_offers
from realtime.dispatch_announce import announce
from realtime.dispatch_states import DONE, ENGAGED, EXPIRED, OFFERED, OPEN
from realtime.dispatch_views import offer_json
from realtime.models import Incident, Offer
from realtime.presence import PresenceStore
from realtime.publish import publish


def escalate_due(
    uow: UnitOfWork, presence: PresenceStore, *, now: datetime, settings: DispatchSettings
) -> list[int]:
    """The sweep: for each open incident whose round ran out with too few accepted, expire the
    unanswered offers and ask more people further away. Each round is claimed by a conditional
    update, so two sweeps (or a sweep after a restart) escalate it exactly once."""
    session = uow.session
    due = session.scalars(
        select(Incident).where(
            Incident.status == OPEN,
            Incident.offer_deadline.is_not(None),
            Incident.offer_deadline <= now,
        )
    ).all()
    escalated = []
    for incident in due:
        claimed = cast(
            CursorResult[Any],
            session.execute(
                update(Incident)
                .where(
                    Incident.id == incident.id,
                    Incident.round == incident.round,
                    Incident.offer_deadline == incident.offer_deadline,
                )
                .values(offer_deadline=None)
            ),
        ).rowcount
        if claimed != 1:
            continue
        session.refresh(incident)
        session.execute(
            update(Offer)
            .where(Offer.incident_id == incident.id, Offer.status == OFFERED)
            .values(status=EXPIRED)
        )
        for offer in session.scalars(
            select(Offer).where(
                Offer.incident_id == incident.id,
                Offer.status == EXPIRED,
                Offer.round == incident.round,
            )
        ):
            uow.after_commit(
                publish,
                events.OFFER,
                offer_json(offer, incident),
                room=events.user_room(offer.user_id),
                namespace=events.FIELD_NS,
            )
        engaged = session.execute(
            select(func.count())
            .select_from(Offer)
            .where(Offer.incident_id == incident.id, Offer.status.in_((*ENGAGED, DONE)))
        ).scalar_one()
        if engaged >= incident.needed:
            continue
        if incident.round >= settings.max_rounds:
            incident.exhausted = True
            session.flush()
            announce(uow, incident)
            continue
        widen = 2**incident.round
        people = nearest_available(
            session,
            presence,
            incident,
            radius_m=incident.radius_m * widen,
            limit=incident.batch * widen,
        )
        if people:
            send_offers(uow, incident.id, people, now=now)
        else:
            incident.round += 1
            incident.offer_deadline = now + timedelta(seconds=incident.offer_seconds)
            session.flush()
            announce(uow, incident)
        escalated.append(incident.id)
    return escalated
