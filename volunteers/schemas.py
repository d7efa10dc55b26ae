"""What the people endpoints accept (app/edge.py): types and lengths at the edge; the rules in
volunteers/rules.py check phone numbers, names and passwords with their own messages."""

from __future__ import annotations

from app.edge import Input, OptionalId, OptionalInt32, text


class RegisterBody(Input):
    invite_code: text(32)  # type: ignore[valid-type]
    name: text(60)  # type: ignore[valid-type]
    phone: text(40)  # type: ignore[valid-type]
    password: text(200)  # type: ignore[valid-type]
    agree: bool = False


class DutyBody(Input):
    on_duty: bool = False
    share_location: bool | None = None


class StaffBody(Input):
    name: text(60)  # type: ignore[valid-type]
    phone: text(40)  # type: ignore[valid-type]
    password: text(200)  # type: ignore[valid-type]
    role: text(20)  # type: ignore[valid-type]
    grid_id: OptionalId = None
    team_id: OptionalId = None


class ActiveBody(Input):
    active: bool = False


class InviteBody(Input):
    grid_id: OptionalId = None
    team_id: OptionalId = None
    max_uses: OptionalInt32 = None
    days: OptionalInt32 = None
    note: text(200) = ""  # type: ignore[valid-type]
