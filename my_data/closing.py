"""Closing one's own account (注销账号): the person is gone from the platform, their work stays.

What identifies them goes (name, phone number, password, last position, every login); what
they did stays with the police room under "已注销用户", because others rely on it: check-ins
and the points ledger (totals, gift stock), sightings and tips (police records), consents
(proof of what was agreed). So the ``User`` row is anonymised, never deleted: those rows keep
their foreign keys. Whatever still waited on the person is ended through each domain's own
service, so each side is told as it is today: gift orders cancelled (stock and points back),
dispatch requests declined, upcoming appointments cancelled.

One unit of work, the caller's: everything or nothing; the sockets close and the live map
forgets the person only after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import Conflict, Invalid, Unauthorized
from app.permissions import check
from app.roles import FIELD_ROLES, Role
from app.sql import lock_row
from app.uow import UnitOfWork
from police_room import appointments
from police_room.appointment_slots import ACTIVE as ACTIVE_APPOINTMENT
from police_room.models import Appointment
from realtime import last_positions, offers
from realtime.presence_backend import presence_for
from realtime.settings import dispatch_settings
from rewards import leaderboard, store
from rewards.models import Order
from volunteers import logins, rules
from volunteers.duty import set_duty
from volunteers.models import User
from volunteers.person import Person

CLOSED_NAME = "已注销用户"  # stored, so the police room's lists read the same in any language
# Not a werkzeug hash ("method$salt$hash"): no password ever matches it.
CLOSED_PASSWORD_HASH = "!closed-account"  # noqa: S105 - a marker, not a password


@dataclass(frozen=True)
class Closed:
    """What closing ended, for the answer and the tests."""

    orders_cancelled: int
    offers_declined: int
    offers_withdrawn: int
    appointments_cancelled: int


def check_password(uow: UnitOfWork, person: Person, password: str) -> None:
    """The person typed their own password again (``Invalid`` naming ``password`` if not):
    a phone left logged in must not be enough to close the account."""
    if not password:
        raise Invalid("password_missing", _l("Please type your password."), field="password")
    try:
        logins.authenticate(uow, person.phone, password)
    except Unauthorized:
        raise Invalid(
            "password_wrong",
            _l("That is not your password. Please type it again."),
            field="password",
        ) from None


def close_account(uow: UnitOfWork, person: Person, now: datetime) -> Closed:
    """Close the person's own account; the caller commits. Police-room accounts are closed by
    an administrator, who hands their work on (``Forbidden``)."""
    check(person, "my_data.close_account")
    session = uow.session
    lock_row(session, User, person.id)  # a position save or an order waits for this
    user = session.get_one(User, person.id)
    if not user.active:
        raise Conflict("account_closed", _l("This account is already closed or disabled."))
    # The name goes first, so what the steps below tell the console (off duty, a request
    # withdrawn, an appointment cancelled) names nobody.
    user.name = CLOSED_NAME
    if user.on_duty and Role(user.role) in FIELD_ROLES:
        set_duty(uow, person, False)  # its hooks delete the saved position; DutyChanged follows
    last_positions.forget(uow, user.id)  # also one an earlier crash may have left behind
    presence = presence_for(current_app)
    uow.after_commit(presence.remove, user.id)
    declined, withdrawn = offers.leave(uow, person, now, dispatch_settings())
    cancelled_orders = _cancel_orders(uow, user.id, now)
    leaderboard.leave(uow, user.id)  # no "已注销用户" among the neighbours' standings
    cancelled_meetings = _cancel_appointments(uow, person, now)
    logins.revoke_all_login_sessions(uow, user.id)  # its sockets close after the commit
    user.phone = rules.closed_phone(user.id)
    user.password_hash = CLOSED_PASSWORD_HASH
    user.active = False
    user.on_duty = False
    user.on_duty_since = None
    session.flush()
    return Closed(cancelled_orders, declined, withdrawn, cancelled_meetings)


def _cancel_orders(uow: UnitOfWork, user_id: int, now: datetime) -> int:
    """Gift orders not collected yet: stock back on the shelf, points back (the store's own
    cancel, safe if the desk handed one over meanwhile)."""
    pending = uow.session.scalars(
        select(Order.id).where(Order.user_id == user_id, Order.status == store.PENDING)
    ).all()
    return sum(store.cancel(uow, order_id, now) for order_id in pending)


def _cancel_appointments(uow: UnitOfWork, person: Person, now: datetime) -> int:
    """Appointments still ahead are cancelled as the resident would cancel them, so the
    officer's desk shows them cancelled and the slot frees; past ones stay for the officer."""
    upcoming = uow.session.scalars(
        select(Appointment.id).where(
            Appointment.resident_id == person.id,
            Appointment.status.in_(ACTIVE_APPOINTMENT),
            Appointment.starts_at > now,
        )
    ).all()
    for appointment_id in upcoming:
        appointments.cancel(uow, person, appointment_id)
    return len(upcoming)
