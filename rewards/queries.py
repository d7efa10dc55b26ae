"""Read-only views of points, gifts, orders and teams, shaped for pages and the API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

import rewards.permissions  # noqa: F401 - registers rewards.groups.any
from app.errors import NotFound
from app.extensions import db
from app.permissions import can
from rewards import badges, leaderboard, ledger, reasons, store
from rewards.models import Gift, LedgerEntry, Order, ScoreBucket
from volunteers.areas import Areas, area_of_community, area_of_grid, areas_of
from volunteers.models import Team, User
from volunteers.person import Person

REASON_LABELS = {
    reasons.CHECKIN: _l("Patrol check-in"),
    reasons.ROUTE_BONUS: _l("Full route bonus"),
    reasons.STREAK_BONUS: _l("Streak bonus"),
    reasons.TIP_CONFIRMED: _l("Confirmed tip"),
    reasons.SIGHTING_SECONDED: _l("Seconded a confirmed report"),
    reasons.DISPATCH_ACCEPTED: _l("Answered a dispatch"),
    reasons.DISPATCH_ARRIVED: _l("Arrived at an incident"),
    reasons.REDEMPTION: _l("Gift ordered"),
    reasons.REDEMPTION_REFUND: _l("Order cancelled, points returned"),
    reasons.CORRECTION: _l("Correction by the police room"),
    reasons.OFFICER_AWARD: _l("Award from the police room"),
}
STATUS_LABELS = {
    store.PENDING: _l("Waiting for pickup"),
    store.COLLECTED: _l("Collected"),
    store.CANCELLED: _l("Cancelled"),
}


def my_points(user: Person, limit: int = 50) -> dict[str, Any]:
    session = db.session()
    entries = session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.user_id == user.id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(limit)
    ).all()
    return {
        "balance": ledger.balance(session, user.id),
        "entries": [
            {
                "delta": e.delta,
                "reason": e.reason,
                "label": str(REASON_LABELS.get(e.reason, e.reason)),
                "note": e.note,
                "at": e.created_at.isoformat(),
            }
            for e in entries
        ],
        "badges": badges.of(session, user.id),
    }


def gift_json(gift: Gift) -> dict[str, Any]:
    return {
        "id": gift.id,
        "name": gift.name,
        "description": gift.description,
        "price": gift.price,
        "stock": gift.stock,
        "per_person_limit": gift.per_person_limit,
        "pickup_place": gift.pickup_place,
        "picture": bool(gift.picture),
        "retired": gift.retired,
    }


def catalog(now: datetime, areas: Areas) -> list[Gift]:
    """The gifts on offer now in ``areas`` (a field person's: their community's area)."""
    gifts = db.session.scalars(
        select(Gift).where(areas.where(Gift.police_area_id)).order_by(Gift.price, Gift.id)
    ).all()
    return [g for g in gifts if store.gift_available(g, now)]


def order_json(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "gift": order.gift.name,
        "price": order.price,
        "status": order.status,
        "status_label": str(STATUS_LABELS[order.status]),
        "pickup_code": order.pickup_code,
        "pickup_place": order.gift.pickup_place,
        "collect_by": order.collect_by.isoformat(),
        "created_at": order.created_at.isoformat(),
    }


def my_orders(user: Person) -> Sequence[Order]:
    return db.session.scalars(
        select(Order).where(Order.user_id == user.id).order_by(Order.created_at.desc()).limit(50)
    ).all()


def board_group(viewer: Person, scope: str, asked: int | None, mine: Mapping[str, int]) -> int:
    """The group of ``scope`` whose board ``viewer`` reads: the one ``asked`` for, else their
    own (``mine``: their group per scope). Field roles read their own groups only; the police
    room reads any group of its own areas. A group they may not read is refused as one that
    does not exist, so ids reveal nothing."""
    if asked is None or asked == mine.get(scope):
        if scope not in mine:
            raise NotFound("board_empty", _l("You do not belong to such a group yet."))
        return mine[scope]
    session = db.session()
    if not can(viewer, "rewards.groups.any") or not areas_of(session, viewer).allows(
        _area_of_group(session, scope, asked)
    ):
        raise NotFound("group_unknown", _l("There is no such group."))
    return asked


def _area_of_group(session: Session, scope: str, group_id: int) -> int | None:
    """The police area a leaderboard group lies in (None for a group that does not exist)."""
    if scope == "area":
        return group_id
    if scope == "grid":
        return area_of_grid(session, group_id)
    if scope == "team":
        community_id = session.scalar(select(Team.community_id).where(Team.id == group_id))
        return area_of_community(session, community_id)
    return area_of_community(session, group_id)


def team_page(viewer: Person, team_id: int, now: datetime) -> dict[str, Any] | None:
    """A team's members and points; None for a team that does not exist or that ``viewer``
    may not see (field roles see their own team only, the police room its areas' teams)."""
    if team_id != viewer.team_id and not can(viewer, "rewards.groups.any"):
        return None
    team = db.session.get(Team, team_id)
    if team is None:
        return None
    if team_id != viewer.team_id and not areas_of(db.session(), viewer).allows(
        area_of_community(db.session(), team.community_id)
    ):
        return None
    leaderboard.catch_up()
    periods = leaderboard.period_keys(now)
    members = db.session.scalars(
        select(User).where(User.team_id == team_id).order_by(User.name)
    ).all()
    scores = {
        (user_id, period): points
        for user_id, period, points in db.session.execute(
            select(ScoreBucket.user_id, ScoreBucket.period, ScoreBucket.points).where(
                ScoreBucket.scope == "team",
                ScoreBucket.scope_id == team_id,
                ScoreBucket.period.in_([periods["month"], periods["all"]]),
            )
        )
    }
    rows: list[dict[str, Any]] = [
        {
            "name": m.name,
            "role": m.role,
            "month": scores.get((m.id, periods["month"]), 0),
            "all": scores.get((m.id, periods["all"]), 0),
        }
        for m in members
    ]
    rows.sort(key=lambda r: (-r["all"], r["name"]))
    return {
        "team": team,
        "members": rows,
        "total_month": sum(r["month"] for r in rows),
        "total_all": sum(r["all"] for r in rows),
    }
