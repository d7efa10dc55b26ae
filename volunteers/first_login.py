"""First-login codes: an imported person scans the QR on their printed sheet, chooses a password
and is logged in, without ever typing a temporary password.

A code is 128 random bits; only its SHA-256 is stored, it works once and expires. Printing a
person's sheet again issues a new code and retires their unused one, so a lost sheet is made
useless by printing another.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, Invalid
from app.types import utcnow
from app.uow import UnitOfWork
from volunteers import rules
from volunteers.models import FirstLoginCode, User
from volunteers.person import Person
from volunteers.services import hash_password

CODE_BYTES = 16
CODE_DAYS = 14  # how long a printed sheet works: time to hand it out on the next rounds
# What an imported person's password hash is until they choose one: not a werkzeug hash
# ("method$salt$hash"), so no password ever matches it.
NO_PASSWORD = "!first-login"  # noqa: S105 - a marker, not a password


@dataclass(frozen=True)
class IssuedCode:
    """A person and the code for their sheet (the only time the code exists in clear)."""

    user: User
    code: str


def digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def awaiting_first_login() -> Any:
    """SQL condition on ``User``: imported, and has not chosen a password yet."""
    return User.password_hash == NO_PASSWORD


def issue_codes(
    uow: UnitOfWork, actor: Person, users: Sequence[User], *, days: int
) -> list[IssuedCode]:
    """A new code for each person, valid ``days`` days; their unused codes stop working."""
    ids = [u.id for u in users]
    if ids:
        uow.session.execute(
            delete(FirstLoginCode).where(
                FirstLoginCode.user_id.in_(ids), FirstLoginCode.used_at.is_(None)
            )
        )
    issued = [IssuedCode(user, secrets.token_urlsafe(CODE_BYTES)) for user in users]
    expires = utcnow() + timedelta(days=days)
    uow.session.add_all(
        FirstLoginCode(
            user_id=item.user.id,
            code_hash=digest(item.code),
            created_by_id=actor.id,
            expires_at=expires,
        )
        for item in issued
    )
    uow.session.flush()
    return issued


def _refused() -> Conflict:
    return Conflict(
        "first_login_code_spent",
        _l(
            "This code has been used or has expired. Please ask your police room for a new "
            "sheet; if you already chose a password, log in with it."
        ),
    )


def person_for_code(session: Session, code: str) -> User:
    """Whose live code this is (for the page's greeting), or ``Conflict``."""
    row = session.scalar(select(FirstLoginCode).where(FirstLoginCode.code_hash == digest(code)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise _refused()
    user = session.get_one(User, row.user_id)
    if not user.active:
        raise _refused()
    return user


def redeem(
    uow: UnitOfWork, code: str, password: str, again: str, *, hash_method: str | None = None
) -> User:
    """Set the person's password with their code; the code is spent even if two phones race."""
    user = person_for_code(uow.session, code)
    if password != again:
        raise Invalid(
            "passwords_differ", _l("The two passwords are not the same. Please type them again.")
        )
    rules.check_password(password, user.role)
    now = utcnow()
    spent = cast(
        CursorResult[Any],
        uow.session.execute(
            update(FirstLoginCode)
            .where(
                FirstLoginCode.code_hash == digest(code),
                FirstLoginCode.used_at.is_(None),
                FirstLoginCode.expires_at > now,
            )
            .values(used_at=now)
        ),
    ).rowcount
    if spent != 1:
        raise _refused()
    # Any other unused code of theirs (an earlier sheet) goes with it.
    uow.session.execute(
        delete(FirstLoginCode).where(
            FirstLoginCode.user_id == user.id, FirstLoginCode.used_at.is_(None)
        )
    )
    user.password_hash = hash_password(password, hash_method)
    uow.session.flush()
    return user
