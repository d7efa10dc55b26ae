"""The police room's side: the review queue, asking the reporter, deciding (confirm, dismiss,
duplicate, escalate), duplicate suggestions, muting a reporter, what a category pays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from app.errors import Conflict, Invalid, NotFound
from app.sql import lock_row
from app.uow import UnitOfWork
from realtime.dispatch import DispatchSettings, create_incident
from rewards import ledger, reasons
from sightings import live, rules, views
from sightings.models import MutedReporter, Sighting, SightingQuestion, SightingReward
from volunteers.areas import NOT_HERE, Areas
from volunteers.person import Person

DEGREE_M = 111_000  # metres in a degree of latitude, for a bounding box that is a bit too big


@dataclass(frozen=True)
class TriageSettings:
    default_points: int  # what a confirmed sighting pays where officers set nothing
    duplicate_radius_m: float
    duplicate_window: timedelta


def get(session: Session, sighting_id: int, areas: Areas, *, lock: bool = False) -> Sighting:
    """A sighting of the caller's areas; another area's is "not found"."""
    if lock:
        lock_row(session, Sighting, sighting_id)
    sighting = session.get(Sighting, sighting_id)
    if sighting is None or not areas.allows(sighting.police_area_id):
        raise NotFound("not_found", NOT_HERE)
    return sighting


def _unmuted() -> Any:
    return ~exists().where(
        MutedReporter.user_id == Sighting.reporter_id,
        MutedReporter.police_area_id == Sighting.police_area_id,
    )


def queue(session: Session, areas: Areas, *, since: datetime) -> list[Sighting]:
    """Under review, oldest first, then those decided since ``since``; muted reporters' left
    out."""
    return list(
        session.scalars(
            select(Sighting)
            .where(
                areas.where(Sighting.police_area_id),
                or_(Sighting.status == rules.OPEN, Sighting.decided_at >= since),
                _unmuted(),
            )
            .options(selectinload(Sighting.media), selectinload(Sighting.questions))
            .order_by(Sighting.status != rules.OPEN, Sighting.created_at)
            .limit(200)
        )
    )


def ask(
    uow: UnitOfWork,
    officer: Person,
    sighting_id: int,
    text: str,
    choices: list[str],
    *,
    areas: Areas,
    now: datetime,
) -> Sighting:
    """A question the reporter answers with one tap (``choices``) or a few words."""
    sighting = get(uow.session, sighting_id, areas)
    sighting.questions.append(
        SightingQuestion(asked_by_id=officer.id, text=text, choices=choices, asked_at=now)
    )
    uow.session.flush()
    live.changed(uow, sighting)
    return sighting


def points_for(session: Session, area_id: int, category: str, default: int) -> int:
    chosen = session.get(SightingReward, (area_id, category))
    return default if chosen is None else chosen.points


def _pay(uow: UnitOfWork, sighting: Sighting, reason: str, points: int, officer: Person) -> None:
    if points > 0:
        ledger.award(
            uow,
            user_id=sighting.reporter_id,
            delta=points,
            reason=reason,
            source_type=views.SOURCE,
            source_id=sighting.id,
            actor_id=officer.id,
        )


def _second(
    uow: UnitOfWork, original: Sighting, duplicate: Sighting, officer: Person, points: int
) -> None:
    """The duplicate's reporter seconds a confirmed report (not the original's own reporter)."""
    if original.status == "confirmed" and duplicate.reporter_id != original.reporter_id:
        _pay(uow, duplicate, reasons.SIGHTING_SECONDED, rules.seconder_points(points), officer)
        live.changed(uow, duplicate)


def decide(
    uow: UnitOfWork,
    officer: Person,
    sighting_id: int,
    action: str,
    *,
    reason: str = "",
    duplicate_of: int | None = None,
    priority: int = 2,
    areas: Areas,
    now: datetime,
    settings: TriageSettings,
    dispatch: DispatchSettings,
) -> Sighting:
    """Take a sighting out of review; each may be decided once (409 after)."""
    session = uow.session
    sighting = get(session, sighting_id, areas, lock=True)
    if sighting.status != rules.OPEN:
        raise Conflict("already_decided", _l("This report has already been decided."))
    points = points_for(
        session, sighting.police_area_id, sighting.category, settings.default_points
    )
    if action == "confirm":
        sighting.status = "confirmed"
        _pay(uow, sighting, reasons.TIP_CONFIRMED, points, officer)
        for duplicate in session.scalars(
            select(Sighting).where(Sighting.duplicate_of_id == sighting.id)
        ):
            _second(uow, sighting, duplicate, officer, points)
    elif action == "dismiss":
        if not reason:
            raise Invalid("reason_required", _l("Say why it is dismissed."), field="reason")
        sighting.status, sighting.reason = "dismissed", reason
    elif action == "duplicate":
        original = _original(session, sighting, duplicate_of, areas)
        sighting.status, sighting.duplicate_of_id = "duplicate", original.id
        _second(uow, original, sighting, officer, points)
        live.changed(uow, original)
    else:
        sighting.status = "escalated"
        incident = create_incident(
            uow,
            officer,
            kind=rules.INCIDENT_KIND[sighting.category],
            priority=priority,
            description=_incident_text(sighting),
            lat=sighting.lat,
            lon=sighting.lon,
            settings=dispatch,
            now=now,
            areas=areas,
            police_area_id=sighting.police_area_id,
        )
        incident.sighting_id = sighting.id
        sighting.incident_id = incident.id
    sighting.decided_by_id, sighting.decided_at = officer.id, now
    session.flush()
    live.changed(uow, sighting)
    return sighting


def _incident_text(sighting: Sighting) -> str:
    label = str(rules.CATEGORY_LABELS[sighting.category])
    details = "; ".join(sighting.appearance.values())
    return f"{label}: {sighting.behaviour}" + (f" ({details})" if details else "")


def _original(
    session: Session, sighting: Sighting, original_id: int | None, areas: Areas
) -> Sighting:
    if original_id is None:
        raise Invalid("invalid_input", _l("Choose the earlier report."), field="duplicate_of")
    original = get(session, original_id, areas)
    if original.id == sighting.id or original.police_area_id != sighting.police_area_id:
        raise Invalid(
            "not_a_duplicate", _l("Choose another report of the same area."), field="duplicate_of"
        )
    if original.duplicate_of_id is not None:  # link to the first, never to a chain
        return get(session, original.duplicate_of_id, areas)
    return original


def duplicates(
    session: Session, sighting_id: int, areas: Areas, settings: TriageSettings
) -> list[tuple[Sighting, float]]:
    """Earlier or later reports that may be the same thing (rules.suggest_duplicates), from a
    bounding box of the area's open or confirmed reports of that category."""
    sighting = get(session, sighting_id, areas)
    box = settings.duplicate_radius_m / DEGREE_M * 2
    rows = list(
        session.scalars(
            select(Sighting).where(
                Sighting.police_area_id == sighting.police_area_id,
                Sighting.category == sighting.category,
                Sighting.status.in_((rules.OPEN, "confirmed", "escalated")),
                Sighting.id != sighting.id,
                and_(
                    Sighting.lat.between(sighting.lat - box, sighting.lat + box),
                    Sighting.lon.between(sighting.lon - box * 2, sighting.lon + box * 2),
                ),
                Sighting.created_at.between(
                    sighting.created_at - settings.duplicate_window,
                    sighting.created_at + settings.duplicate_window,
                ),
            )
        )
    )
    found = rules.suggest_duplicates(
        _nearby(sighting),
        [_nearby(r) for r in rows],
        radius_m=settings.duplicate_radius_m,
        window=settings.duplicate_window,
    )
    by_id = {r.id: r for r in rows}
    return [(by_id[f.id], f.distance_m) for f in found]


def _nearby(s: Sighting) -> rules.Nearby:
    return rules.Nearby(s.id, s.category, s.lat, s.lon, s.created_at)


def mute(uow: UnitOfWork, officer: Person, user_id: int, muted: bool, areas: Areas) -> None:
    """Mute (or unmute) a person's reports in the officer's areas where they have reported;
    earlier ones leave the queue too. Only people who reported there can be named."""
    session = uow.session
    reported_in = set(
        session.scalars(
            select(Sighting.police_area_id)
            .where(Sighting.reporter_id == user_id, areas.where(Sighting.police_area_id))
            .distinct()
        )
    )
    if not reported_in:
        raise NotFound("not_found", NOT_HERE)
    for area_id in reported_in:
        existing = session.get(MutedReporter, (area_id, user_id))
        if muted and existing is None:
            session.add(
                MutedReporter(police_area_id=area_id, user_id=user_id, muted_by_id=officer.id)
            )
        elif not muted and existing is not None:
            session.delete(existing)
    session.flush()


def rewards(session: Session, area_id: int, default: int) -> dict[str, int]:
    return {c: points_for(session, area_id, c, default) for c in rules.CATEGORIES}


def set_reward(
    uow: UnitOfWork, officer: Person, area_id: int, category: str, points: int, areas: Areas
) -> None:
    areas.check(area_id)
    row = uow.session.get(SightingReward, (area_id, category))
    if row is None:
        uow.session.add(
            SightingReward(
                police_area_id=area_id, category=category, points=points, set_by_id=officer.id
            )
        )
    else:
        row.points, row.set_by_id = points, officer.id
    uow.session.flush()
