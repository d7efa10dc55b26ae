"""Who is calling: the logged-in person as a plain, read-only record.

Every request and socket event of a logged-in person needs to know who they are and in what
role; few need their account's row, so Flask-Login's ``current_user`` is this record, read with
one ordinary query, not an ORM entity attached to the request's session. Code that changes the
person or walks to their grid loads the row: ``session.get(User, person.id)``. The record is
frozen, so changing it by mistake fails loudly instead of silently not being saved.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from volunteers.models import User


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    phone: str
    role: str
    community_id: int | None
    grid_id: int | None
    team_id: int | None
    on_duty: bool
    police_area_id: int | None  # police-room staff of one area
    station_id: int | None  # police-room staff of a whole station
    # None for a Person made from a row outside a login (tasks, the CLI, the demo, tests).
    login_session_id: str | None = None

    # Flask-Login reads these; only live logins of active accounts become a Person.
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    def get_id(self) -> str:
        """What the session cookie stores: the login session's id, so logging out ends it."""
        if self.login_session_id is None:
            raise ValueError("this Person was made from a row, not a login: it cannot log in")
        return self.login_session_id

    @classmethod
    def of(cls, user: User, login_session_id: str | None = None) -> Person:
        values = {name: getattr(user, name) for name in ACCOUNT_COLUMNS}
        return cls(**values, login_session_id=login_session_id)


# The users table's columns a Person copies, in field order.
ACCOUNT_COLUMNS = tuple(f.name for f in fields(Person) if f.name != "login_session_id")
