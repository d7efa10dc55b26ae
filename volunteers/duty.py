"""Consent and duty: a field person shares their position only while on duty and only after
agreeing to it; going on or off duty is announced (``DutyChanged``) after the commit."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bus import announce
from app.errors import Forbidden, Invalid, NotFound
from app.roles import FIELD_ROLES, Role
from app.types import utcnow
from app.uow import UnitOfWork
from volunteers.events import DutyChanged
from volunteers.models import Consent, User
from volunteers.person import Person

CONSENT_TERMS = "terms"


CONSENT_LOCATION = "location"


CONSENT_VERSION = "2026-11"

# Run in the transaction that takes a person off duty (see `when_off_duty`).
_off_duty_hooks: list[Callable[[UnitOfWork, int], None]] = []


def when_off_duty(hook: Callable[[UnitOfWork, int], None]) -> None:
    """Have ``hook(uow, user_id)`` run inside the transaction that takes a person off duty, so
    data kept only while on duty (realtime's saved position) never outlives the duty, even by
    a crash between the commit and the after-commit announcement."""
    if hook not in _off_duty_hooks:
        _off_duty_hooks.append(hook)


def record_consent(uow: UnitOfWork, user_id: int, kind: str, *, granted: bool) -> Consent:
    consent = Consent(user_id=user_id, kind=kind, version=CONSENT_VERSION, granted=granted)
    uow.session.add(consent)
    uow.session.flush()
    return consent


def has_consent(session: Session, user_id: int, kind: str) -> bool:
    latest = session.scalar(
        select(Consent.granted)
        .where(Consent.user_id == user_id, Consent.kind == kind)
        .order_by(Consent.created_at.desc(), Consent.id.desc())
        .limit(1)
    )
    return bool(latest)


def set_duty(
    uow: UnitOfWork, caller: Person, on_duty: bool, *, share_location: bool | None = None
) -> User:
    """Go on or off duty. Going on duty needs consent to share the phone's position. Returns
    the person's row, changed."""
    user = uow.session.get(User, caller.id)
    if user is None:
        raise NotFound("person_unknown", _l("That person does not exist."))
    if Role(user.role) not in FIELD_ROLES:
        raise Forbidden(
            "duty_field_only", _l("Only guards, grid workers and volunteers go on duty.")
        )
    if share_location is not None:
        record_consent(uow, user.id, CONSENT_LOCATION, granted=share_location)
    if on_duty and not has_consent(uow.session, user.id, CONSENT_LOCATION):
        raise Invalid(
            "location_consent_needed",
            _l("To go on duty, agree to share your position with the police room while on duty."),
        )
    if user.on_duty != on_duty:
        user.on_duty = on_duty
        user.on_duty_since = utcnow() if on_duty else None
        announce_duty(uow, user, on_duty=on_duty)
    uow.session.flush()
    return user


def announce_duty(uow: UnitOfWork, user: User, *, on_duty: bool) -> None:
    """Tell the other packages: going off duty runs the `when_off_duty` hooks in this
    transaction; ``DutyChanged`` reaches its subscribers after the commit."""
    if not on_duty:
        for hook in _off_duty_hooks:
            hook(uow, user.id)
    announce(uow, DutyChanged(user_id=user.id, name=user.name, role=user.role, on_duty=on_duty))
