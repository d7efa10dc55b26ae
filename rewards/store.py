"""The gift store: ordering with points, pickup codes, handing over, cancelling with refunds.

An order is one transaction: the person's row is locked (so the per-person limit and the
idempotency check see every earlier order), the stock goes down by a conditional update (so
the last item is sold once), and the ledger debits the price (never below zero). Any refusal
rolls all three back together.

A gift belongs to one police area: only that area's people order it and only its officers hand
it over; to anyone else it answers as a gift or code that does not exist.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, func, select, update

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.roles import FIELD_ROLES
from app.sql import lock_row
from app.types import utcnow
from app.uow import UnitOfWork
from rewards import ledger, reasons
from rewards.models import Gift, Order
from volunteers.areas import areas_of
from volunteers.models import User
from volunteers.person import Person

PENDING, COLLECTED, CANCELLED = "pending", "collected", "cancelled"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O/1/I: read aloud at the counter
CODE_LENGTH = 8


@dataclass(frozen=True)
class OrderResult:
    order: Order
    balance: int
    replayed: bool


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """Accept what a counter scanner types: the bare code or the whole pickup URL."""
    text = (raw or "").strip().rstrip("/")
    if "code=" in text:
        text = text.split("code=", 1)[1].split("&", 1)[0]
    text = text.rsplit("/", 1)[-1]
    return "".join(ch for ch in text.upper() if ch.isalnum())


def gift_available(gift: Gift, at: datetime) -> bool:
    if gift.retired:
        return False
    if gift.active_from is not None and at < gift.active_from:
        return False
    return not (gift.active_until is not None and at >= gift.active_until)


def place_order(
    uow: UnitOfWork,
    user: Person,
    gift_id: int,
    client_key: str,
    *,
    pickup_days: int,
    now: datetime | None = None,
) -> OrderResult:
    """Order one gift. ``client_key`` comes from the phone: a double tap or a retry orders once."""
    now = now or utcnow()
    session = uow.session
    if user.role not in FIELD_ROLES:
        raise Forbidden("forbidden_role", _l("Your role is not allowed to do that."))
    client_key = (client_key or "").strip()[:64]
    if not client_key:
        raise Invalid("order_key_missing", _l("The request could not be understood."))
    lock_row(session, User, user.id)
    earlier = session.scalar(
        select(Order).where(Order.user_id == user.id, Order.client_key == client_key)
    )
    if earlier is not None:
        if earlier.gift_id != gift_id:
            raise Conflict(
                "idempotency_mismatch",
                _l("This request was already made with different details; nothing was changed."),
            )
        return OrderResult(earlier, ledger.balance(session, user.id), replayed=True)
    gift = session.get(Gift, gift_id)
    if (
        gift is None
        or not gift_available(gift, now)
        or not areas_of(session, user).allows(gift.police_area_id)
    ):
        raise NotFound("gift_unavailable", _l("This gift is not available at the moment."))
    taken = session.execute(
        select(func.count())
        .select_from(Order)
        .where(Order.user_id == user.id, Order.gift_id == gift_id, Order.status != CANCELLED)
    ).scalar_one()
    if taken >= gift.per_person_limit:
        raise Conflict(
            "over_limit",
            _l("You have already ordered this gift %(limit)s time(s), the most allowed."),
            limit=gift.per_person_limit,
        )
    sold = cast(
        CursorResult[Any],
        session.execute(
            update(Gift).where(Gift.id == gift_id, Gift.stock > 0).values(stock=Gift.stock - 1)
        ),
    ).rowcount
    if sold != 1:
        raise Conflict("out_of_stock", _l("Sorry, this gift has just run out."))
    order = Order(
        user_id=user.id,
        gift_id=gift_id,
        price=gift.price,
        status=PENDING,
        pickup_code=_new_code(),
        client_key=client_key,
        created_at=now,
        collect_by=now + timedelta(days=pickup_days),
    )
    session.add(order)
    session.flush()
    spent = ledger.award(
        uow,
        user_id=user.id,
        delta=-gift.price,
        reason=reasons.REDEMPTION,
        source_type="order",
        source_id=order.id,
    )
    return OrderResult(order, spent.balance, replayed=False)


def hand_over(
    uow: UnitOfWork, officer: Person, raw_code: str, now: datetime | None = None
) -> Order:
    """The officer gives the gift at the counter; the code works once, and only at the police
    room of the gift's area (another area's code is not found, and stays uncollected)."""
    now = now or utcnow()
    code = normalize_code(raw_code)
    order = uow.session.scalar(
        select(Order)
        .join(Gift, Gift.id == Order.gift_id)
        .where(Order.pickup_code == code, areas_of(uow.session, officer).where(Gift.police_area_id))
    )
    if order is None:
        raise NotFound("pickup_unknown", _l("No order has this pickup code. Please check it."))
    if order.status == COLLECTED:
        raise Conflict(
            "pickup_used",
            _l("This gift was already handed over on %(when)s."),
            when=order.collected_at.strftime("%Y-%m-%d %H:%M") if order.collected_at else "—",
        )
    if order.status == CANCELLED or order.collect_by <= now:
        raise Conflict(
            "pickup_expired",
            _l("This order has expired or was cancelled; the points were returned."),
        )
    claimed = cast(
        CursorResult[Any],
        uow.session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == PENDING)
            .values(status=COLLECTED, collected_at=now, collected_by_id=officer.id)
        ),
    ).rowcount
    if claimed != 1:
        raise Conflict(
            "pickup_used", _l("This gift was already handed over on %(when)s."), when="—"
        )
    uow.session.refresh(order)
    return order


def cancel(uow: UnitOfWork, order_id: int, now: datetime | None = None) -> bool:
    """Cancel a pending order: stock back, points back by a reversing entry. Safe twice."""
    now = now or utcnow()
    session = uow.session
    claimed = cast(
        CursorResult[Any],
        session.execute(
            update(Order)
            .where(Order.id == order_id, Order.status == PENDING)
            .values(status=CANCELLED, cancelled_at=now)
        ),
    ).rowcount
    if claimed != 1:
        return False
    order = session.get_one(Order, order_id)
    session.execute(update(Gift).where(Gift.id == order.gift_id).values(stock=Gift.stock + 1))
    ledger.award(
        uow,
        user_id=order.user_id,
        delta=order.price,
        reason=reasons.REDEMPTION_REFUND,
        source_type="order",
        source_id=order.id,
    )
    return True


def cancel_own(uow: UnitOfWork, user: Person, order_id: int) -> None:
    order = uow.session.get(Order, order_id)
    if order is None or order.user_id != user.id:
        raise NotFound("order_unknown", _l("That order does not exist."))
    if not cancel(uow, order_id):
        raise Conflict(
            "order_not_pending", _l("Only an order that is still waiting can be cancelled.")
        )


def expired_order_ids(session, now: datetime) -> list[int]:
    return list(
        session.scalars(select(Order.id).where(Order.status == PENDING, Order.collect_by <= now))
    )
