"""The spreadsheet of a person's own data: one sheet per kind, headed in their language, each
row as they would recognise it (names of points and gifts, not ids; local times; statuses in
words): the account and its patrols, points and orders. Kinds about reports and contacts are
in ``my_data.report_sheets``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.web import role_label
from checkins.models import CheckIn, PatrolPoint, PatrolRoute, RouteRun
from my_data.kind import Kind, Row
from my_data.labels import CHECKIN_STATUS, NO, ROUTE_STATUS, YES, words
from realtime.models import LastPosition
from rewards.badges import LABELS as BADGE_LABELS
from rewards.models import BadgeAward, Gift, LedgerEntry, Order, PointBalance
from rewards.queries import REASON_LABELS
from rewards.queries import STATUS_LABELS as ORDER_STATUS
from volunteers.models import Consent, LoginSession, PoliceArea, User


def _account_rows(user: User, area: str | None, balance: int | None) -> list[Row]:
    """The account reads down, a field a row."""
    return [
        (_l("Name"), user.name),
        (_l("Mobile number"), user.phone),
        (_l("Role"), role_label(user.role)),
        (_l("Police area"), area or ""),
        (_l("Community"), user.community.name if user.community else ""),
        (_l("Grid"), user.grid.name if user.grid else ""),
        (_l("Team"), user.team.name if user.team else ""),
        (_l("Registered"), user.created_at),
        (_l("On duty"), YES if user.on_duty else NO),
        (_l("Points"), balance or 0),
    ]


def _checkin_rows(c: CheckIn, point: str | None) -> list[Row]:
    return [
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
    ]


ACCOUNT_KINDS = [
    Kind(
        _l("Account"),
        (_l("Field"), _l("Value")),
        lambda pid: (
            select(User, PoliceArea.name, PointBalance.balance)
            .outerjoin(PoliceArea, PoliceArea.id == User.police_area_id)
            .outerjoin(PointBalance, PointBalance.user_id == User.id)
            .where(User.id == pid)
        ),
        _account_rows,
    ),
    Kind(
        _l("Consents"),
        (_l("Time"), _l("Kind"), _l("Version"), _l("Given")),
        lambda pid: select(Consent).where(Consent.user_id == pid).order_by(Consent.created_at),
        lambda c: [(c.created_at, c.kind, c.version, YES if c.granted else NO)],
    ),
    Kind(
        _l("Logins"),
        (_l("Logged in"), _l("Expires"), _l("Logged out"), _l("Device"), _l("Address")),
        lambda pid: (
            select(LoginSession)
            .where(LoginSession.user_id == pid)
            .order_by(LoginSession.created_at)
        ),
        lambda s: [(s.created_at, s.expires_at, s.revoked_at, s.user_agent, s.address)],
    ),
    Kind(
        _l("Last position"),
        (_l("Time"), _l("Latitude"), _l("Longitude"), _l("Accuracy (m)")),
        lambda pid: select(LastPosition).where(LastPosition.user_id == pid),
        lambda p: [(p.seen_at, p.lat, p.lon, p.accuracy_m)],
    ),
    Kind(
        _l("Check-ins"),
        (
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
        ),
        lambda pid: (
            select(CheckIn, PatrolPoint.name)
            .outerjoin(PatrolPoint, CheckIn.point_id == PatrolPoint.id)
            .where(CheckIn.user_id == pid)
            .order_by(CheckIn.server_time, CheckIn.id)
        ),
        _checkin_rows,
    ),
    Kind(
        _l("Patrol routes"),
        (_l("Day"), _l("Route"), _l("Status"), _l("Points visited"), _l("Bonus points")),
        lambda pid: (
            select(RouteRun, PatrolRoute.name)
            .join(PatrolRoute, RouteRun.route_id == PatrolRoute.id)
            .where(RouteRun.user_id == pid)
            .order_by(RouteRun.day)
        ),
        lambda r, name: [(r.day, name, words(ROUTE_STATUS, r.status), r.visited, r.bonus_points)],
    ),
    Kind(
        _l("Points"),
        (_l("Time"), _l("Points change"), _l("Reason"), _l("Note")),
        lambda pid: (
            select(LedgerEntry)
            .where(LedgerEntry.user_id == pid)
            .order_by(LedgerEntry.created_at, LedgerEntry.id)
        ),
        lambda e: [(e.created_at, e.delta, words(REASON_LABELS, e.reason), e.note)],
    ),
    Kind(
        _l("Gift orders"),
        (_l("Ordered"), _l("Gift"), _l("Points"), _l("Status"), _l("Pickup code"), _l("Collected")),
        lambda pid: (
            select(Order, Gift.name)
            .join(Gift, Order.gift_id == Gift.id)
            .where(Order.user_id == pid)
            .order_by(Order.created_at)
        ),
        lambda o, gift: [
            (
                o.created_at,
                gift,
                o.price,
                words(ORDER_STATUS, o.status),
                o.pickup_code,
                o.collected_at,
            )
        ],
    ),
    Kind(
        _l("Badges"),
        (_l("Awarded"), _l("Badge")),
        lambda pid: (
            select(BadgeAward).where(BadgeAward.user_id == pid).order_by(BadgeAward.awarded_at)
        ),
        lambda b: [(b.awarded_at, words(BADGE_LABELS, b.badge))],
    ),
]
