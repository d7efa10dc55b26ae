"""Who is calling: the logged-in person as a plain, read-only record.

Every request and socket event of a logged-in person needs to know who they are and in what
role; few need their account's row. Making the row an ORM entity and attaching it to the
request's session cost about 8% of a check-in's work (bench/checkins.py), so Flask-Login's
``current_user`` is this record, read with one prepared query. Code that changes the person or
walks to their grid loads the row: ``session.get(User, person.id)``. The record is frozen, so
changing it by mistake fails loudly instead of silently not being saved.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar, Protocol

from volunteers.models import User


class Caller(Protocol):
    """What services need of whoever acts: a ``Person`` from a request, or a ``User`` row."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def community_id(self) -> int | None: ...

    @property
    def on_duty(self) -> bool: ...


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
    login_session_id: str

    # Flask-Login reads these; only live logins of active accounts become a Person.
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    def get_id(self) -> str:
        """What the session cookie stores: the login session's id, so logging out ends it."""
        return self.login_session_id

    @classmethod
    def of(cls, user: User, login_session_id: str) -> Person:
        values = {name: getattr(user, name) for name in ACCOUNT_COLUMNS}
        return cls(**values, login_session_id=login_session_id)


# The users table's columns a Person copies, in field order.
ACCOUNT_COLUMNS = tuple(f.name for f in fields(Person) if f.name != "login_session_id")
