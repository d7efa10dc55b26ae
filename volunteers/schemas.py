"""What the people endpoints accept (app/edge.py): types and lengths at the edge; the rules in
volunteers/rules.py check phone numbers, names and passwords with their own messages."""

from __future__ import annotations

from typing import Annotated

from app.edge import Input, OptionalId, OptionalInt32, text


class LoginBody(Input):
    phone: Annotated[str, text(40)]
    password: Annotated[str, text(200)]


class LogoutBody(Input):
    everywhere: bool = False  # end every login of this person, not just this phone's


class RegisterBody(Input):
    invite_code: Annotated[str, text(32)]
    name: Annotated[str, text(60)]
    phone: Annotated[str, text(40)]
    password: Annotated[str, text(200)]
    agree: bool = False


class DutyBody(Input):
    on_duty: bool = False
    share_location: bool | None = None


class StaffBody(Input):
    name: Annotated[str, text(60)]
    phone: Annotated[str, text(40)]
    password: Annotated[str, text(200)]
    role: Annotated[str, text(20)]
    grid_id: OptionalId = None
    team_id: OptionalId = None


class ActiveBody(Input):
    active: bool = False


class InviteBody(Input):
    grid_id: OptionalId = None
    team_id: OptionalId = None
    max_uses: OptionalInt32 = None
    days: OptionalInt32 = None
    note: Annotated[str, text(200)] = ""
