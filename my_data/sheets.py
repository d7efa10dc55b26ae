"""The spreadsheet of a person's own data: one sheet per kind, headed in their language, each
row as they would recognise it (names of points and gifts, not ids; local times; statuses in
words). Sheets about reports and contacts are in ``my_data.report_sheets``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.web import role_label
from app.xlsx import Sheet
from checkins.models import CheckIn, PatrolPoint, PatrolRoute, RouteRun
from my_data import report_sheets
from my_data.labels import CHECKIN_STATUS, NO, ROUTE_STATUS, YES, words
from realtime.models import LastPosition
from rewards.badges import LABELS as BADGE_LABELS
from rewards.models import BadgeAward, Gift, LedgerEntry, Order, PointBalance
from rewards.queries import REASON_LABELS
from rewards.queries import STATUS_LABELS as ORDER_STATUS
from volunteers.models import Consent, LoginSession, PoliceArea, User


def personal_sheets(session: Session, person_id: int) -> list[Sheet]:
    """Everything kept about the person, the account first."""
    return [
        _account(session, person_id),
        _consents(session, person_id),
        _logins(session, person_id),
        _position(session, person_id),
        _checkins(session, person_id),
        _routes(session, person_id),
        _points(session, person_id),
        _orders(session, person_id),
        _badges(session, person_id),
        *report_sheets.sheets(session, person_id),
    ]


def _account(session: Session, person_id: int) -> Sheet:
    user = session.get_one(User, person_id)
    area = session.get(PoliceArea, user.police_area_id) if user.police_area_id else None
    balance = session.get(PointBalance, person_id)
    rows: list[tuple[object, ...]] = [
        (_l("Name"), user.name),
        (_l("Mobile number"), user.phone),
        (_l("Role"), role_label(user.role)),
        (_l("Police area"), area.name if area else ""),
        (_l("Community"), user.community.name if user.community else ""),
        (_l("Grid"), user.grid.name if user.grid else ""),
        (_l("Team"), user.team.name if user.team else ""),
        (_l("Registered"), user.created_at),
        (_l("On duty"), YES if user.on_duty else NO),
        (_l("Points"), balance.balance if balance else 0),
    ]
    return Sheet(str(_l("Account")), (_l("Field"), _l("Value")), rows)


def _consents(session: Session, person_id: int) -> Sheet:
    found = session.scalars(
        select(Consent).where(Consent.user_id == person_id).order_by(Consent.created_at)
    )
    rows = [(c.created_at, c.kind, c.version, YES if c.granted else NO) for c in found]
    return Sheet(str(_l("Consents")), (_l("Time"), _l("Kind"), _l("Version"), _l("Given")), rows)


def _logins(session: Session, person_id: int) -> Sheet:
    found = session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == person_id)
        .order_by(LoginSession.created_at)
    )
    rows = [(s.created_at, s.expires_at, s.revoked_at, s.user_agent, s.address) for s in found]
    headers = (_l("Logged in"), _l("Expires"), _l("Logged out"), _l("Device"), _l("Address"))
    return Sheet(str(_l("Logins")), headers, rows)


def _position(session: Session, person_id: int) -> Sheet:
    last = session.get(LastPosition, person_id)
    rows = [(last.seen_at, last.lat, last.lon, last.accuracy_m)] if last else []
    headers = (_l("Time"), _l("Latitude"), _l("Longitude"), _l("Accuracy (m)"))
    return Sheet(str(_l("Last position")), headers, rows)


def _checkins(session: Session, person_id: int) -> Sheet:
    found = session.execute(
        select(CheckIn, PatrolPoint.name)
        .outerjoin(PatrolPoint, CheckIn.point_id == PatrolPoint.id)
        .where(CheckIn.user_id == person_id)
        .order_by(CheckIn.server_time, CheckIn.id)
    )
    rows = [
        (
            c.server_time,
            point or "",
            words(CHECKIN_STATUS, c.status),
            c.reason or "",
            c.points,
            c.lat,
            c.lon,
            c.accuracy_m,
            c.appeal_note or "",
            c.decision_note or "",
        )
        for c, point in found
    ]
    headers = (
        _l("Time"),
        _l("Patrol point"),
        _l("Status"),
        _l("Reason"),
        _l("Points"),
        _l("Latitude"),
        _l("Longitude"),
        _l("Accuracy (m)"),
        _l("Appeal"),
        _l("Decision"),
    )
    return Sheet(str(_l("Check-ins")), headers, rows)


def _routes(session: Session, person_id: int) -> Sheet:
    found = session.execute(
        select(RouteRun, PatrolRoute.name)
        .join(PatrolRoute, RouteRun.route_id == PatrolRoute.id)
        .where(RouteRun.user_id == person_id)
        .order_by(RouteRun.day)
    )
    rows = [
        (r.day, name, words(ROUTE_STATUS, r.status), r.visited, r.bonus_points) for r, name in found
    ]
    headers = (_l("Day"), _l("Route"), _l("Status"), _l("Points visited"), _l("Bonus points"))
    return Sheet(str(_l("Patrol routes")), headers, rows)


def _points(session: Session, person_id: int) -> Sheet:
    found = session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.user_id == person_id)
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    )
    rows = [(e.created_at, e.delta, words(REASON_LABELS, e.reason), e.note) for e in found]
    headers = (_l("Time"), _l("Points change"), _l("Reason"), _l("Note"))
    return Sheet(str(_l("Points")), headers, rows)


def _orders(session: Session, person_id: int) -> Sheet:
    found = session.execute(
        select(Order, Gift.name)
        .join(Gift, Order.gift_id == Gift.id)
        .where(Order.user_id == person_id)
        .order_by(Order.created_at)
    )
    rows = [
        (o.created_at, gift, o.price, words(ORDER_STATUS, o.status), o.pickup_code, o.collected_at)
        for o, gift in found
    ]
    headers = (
        _l("Ordered"),
        _l("Gift"),
        _l("Points"),
        _l("Status"),
        _l("Pickup code"),
        _l("Collected"),
    )
    return Sheet(str(_l("Gift orders")), headers, rows)


def _badges(session: Session, person_id: int) -> Sheet:
    found = session.scalars(
        select(BadgeAward).where(BadgeAward.user_id == person_id).order_by(BadgeAward.awarded_at)
    )
    rows = [(b.awarded_at, words(BADGE_LABELS, b.badge)) for b in found]
    return Sheet(str(_l("Badges")), (_l("Awarded"), _l("Badge")), rows)
