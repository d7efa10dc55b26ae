"""The tip box (线索征集): residents leave tips, with or without an account, and read the reply
with the tip's code; the area's officers see each tip's age and reply. Target: a reply the same
day, a complex tip within 3 days; the rest is overdue and stands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.uow import UnitOfWork
from police_room import tip_rules
from police_room.models import Tip
from volunteers.areas import Areas, areas_of
from volunteers.models import PoliceArea
from volunteers.person import Person

NO_SUCH_CODE = _l("No tip has this code. Please check it and type it again.")
NOT_HERE = _l("This page or item does not exist.")
OPEN = ("new",)
PANEL_LIMIT = 50


@dataclass(frozen=True)
class TipView:
    """A tip as the officers' list shows it."""

    id: int
    area_id: int
    text: str
    contact: str
    with_account: bool
    status: str
    complex: bool
    reply: str | None
    created_at: datetime
    replied_at: datetime | None
    due_at: datetime
    overdue: bool
    age: tuple[int, int, int]  # days, hours, minutes


def send(uow: UnitOfWork, area: PoliceArea, user_id: int | None, text: str, contact: str) -> Tip:
    """Keep a resident's tip for ``area``, with a fresh code to read the reply by."""
    session = uow.session
    code = tip_rules.new_code()
    while session.scalar(select(Tip.id).where(Tip.code == code)) is not None:
        code = tip_rules.new_code()  # 2**49 codes: in practice never taken
    tip = Tip(police_area_id=area.id, code=code, user_id=user_id, text=text, contact=contact)
    session.add(tip)
    session.flush()
    return tip


def by_code(session: Session, typed: str) -> Tip:
    """The tip with this code, however it was typed; NotFound otherwise."""
    code = tip_rules.typed_code(typed)
    tip = None if code is None else session.scalar(select(Tip).where(Tip.code == code))
    if tip is None:
        raise NotFound("tip_code_unknown", NO_SUCH_CODE)
    return tip


def _view(tip: Tip, zone: ZoneInfo, now: datetime) -> TipView:
    due = tip_rules.due_at(tip.created_at, tip.complex, zone)
    return TipView(
        id=tip.id,
        area_id=tip.police_area_id,
        text=tip.text,
        contact=tip.contact,
        with_account=tip.user_id is not None,
        status=tip.status,
        complex=tip.complex,
        reply=tip.reply,
        created_at=tip.created_at,
        replied_at=tip.replied_at,
        due_at=due,
        overdue=tip.status in OPEN and now >= due,
        age=tip_rules.age_parts(tip.created_at, tip.replied_at or now),
    )


def for_officers(
    session: Session, areas: Areas, zone: ZoneInfo, now: datetime, *, open_only: bool = False
) -> list[TipView]:
    """The tips of the caller's areas: unanswered first, oldest first among them (overdue ones
    lead), then the answered, newest first."""
    query = select(Tip).where(areas.where(Tip.police_area_id))
    if open_only:
        query = query.where(Tip.status.in_(OPEN))
    waiting = case((Tip.status.in_(OPEN), 0), else_=1)
    query = query.order_by(waiting, case((Tip.status.in_(OPEN), Tip.created_at)), Tip.id.desc())
    return [_view(tip, zone, now) for tip in session.scalars(query.limit(PANEL_LIMIT))]


def _walled(uow: UnitOfWork, person: Person, tip_id: int) -> Tip:
    tip = uow.session.get(Tip, tip_id, with_for_update=True)
    if tip is None:
        raise NotFound("not_found", NOT_HERE)
    areas_of(uow.session, person).check(tip.police_area_id)
    return tip


def reply(uow: UnitOfWork, person: Person, tip_id: int, text: str, now: datetime) -> Tip:
    """Answer a tip (or change the answer); the resident reads it with the code."""
    tip = _walled(uow, person, tip_id)
    tip.reply, tip.status = text, "replied"
    tip.replied_by_id, tip.replied_at = person.id, now
    uow.session.flush()
    return tip


def mark(uow: UnitOfWork, person: Person, tip_id: int, *, is_complex: bool) -> Tip:
    """Mark a tip complex (up to 3 days to answer) or simple again."""
    tip = _walled(uow, person, tip_id)
    tip.complex = is_complex
    uow.session.flush()
    return tip
