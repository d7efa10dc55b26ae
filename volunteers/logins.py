"""Login sessions: checking a password, opening a login, who is behind one, ending them.

The cookie names a login session row, so logging out (or an officer disabling the account) really
ends the login; realtime hears of it through ``LoginsEnded`` and closes that login's sockets.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.bus import announce
from app.errors import Forbidden, Unauthorized
from app.types import utcnow
from app.uow import UnitOfWork
from volunteers import rules
from volunteers.events import LoginsEnded
from volunteers.models import LoginSession, User
from volunteers.person import ACCOUNT_COLUMNS, Person

# An unusable hash for timing parity when the phone number is unknown.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="pbkdf2:sha256:1000")


def wrong_credentials() -> Unauthorized:
    """A new error for every refusal: one shared instance, raised again and again, kept each
    attempt's frames (and the password in them) on its ever longer traceback."""
    return Unauthorized("wrong_credentials", _l("The mobile number or the password is not right."))


def authenticate(uow: UnitOfWork, phone: str, password: str) -> User:
    phone = rules.normalize_phone(phone)
    user = uow.session.scalar(select(User).where(User.phone == phone))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise wrong_credentials()
    if not check_password_hash(user.password_hash, password or ""):
        raise wrong_credentials()
    if not user.active:
        raise Forbidden(
            "account_disabled",
            _l("This account has been disabled. Please contact your police room."),
        )
    return user


def open_login_session(
    uow: UnitOfWork, user: User, *, days: int, user_agent: str = "", address: str = ""
) -> LoginSession:
    login = LoginSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        expires_at=utcnow() + timedelta(days=days),
        user_agent=user_agent[:255],
        address=address[:64],
    )
    uow.session.add(login)
    uow.session.flush()
    return login


# Every request and socket event of a logged-in person runs this one: built once, run with the id.
_LIVE_LOGIN = (
    select(LoginSession.expires_at, User.active, *(User.__table__.c[c] for c in ACCOUNT_COLUMNS))
    .join_from(LoginSession, User)
    .where(LoginSession.id == bindparam("login_id"), LoginSession.revoked_at.is_(None))
)


def person_for_login_session(
    session: Session, login_id: str, now: datetime | None = None
) -> Person | None:
    """Who is behind a live login session, or None (revoked, expired, account disabled)."""
    row = session.execute(_LIVE_LOGIN, {"login_id": login_id}).first()
    if row is None:
        return None
    expires_at, active, *columns = row
    if expires_at <= (now or utcnow()) or not active:
        return None
    return Person(**dict(zip(ACCOUNT_COLUMNS, columns, strict=True)), login_session_id=login_id)


def revoke_login_session(uow: UnitOfWork, login_id: str) -> None:
    uow.session.execute(
        update(LoginSession)
        .where(LoginSession.id == login_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    announce(uow, LoginsEnded(login_session_id=login_id))


def revoke_all_login_sessions(uow: UnitOfWork, user_id: int) -> None:
    uow.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    announce(uow, LoginsEnded(user_id=user_id))
