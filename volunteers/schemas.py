"""What the people endpoints accept (app/edge.py): types and lengths at the edge; the rules in
volunteers/rules.py check phone numbers, names and passwords with their own messages."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from flask_babel import lazy_gettext as _l

from app.edge import Id, Input, OptionalId, OptionalInt32, text

# How the forms name their fields, for the error message of a field that is wrong.
LABELS: dict[str, Any] = {
    "phone": _l("Mobile number"),
    "password": _l("Password"),
    "name": _l("Name"),
    "invite_code": _l("Invite code"),
    "role": _l("Role"),
    "grid_id": _l("Grid"),
    "team_id": _l("Team"),
    "max_uses": _l("Uses"),
    "days": _l("Days valid"),
    "note": _l("Note"),
    "community_id": _l("Community"),
}


class LoginBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    phone: Annotated[str, text(40)]
    password: Annotated[str, text(200)]


class LogoutBody(Input):
    everywhere: bool = False  # end every login of this person, not just this phone's


class RegisterBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    invite_code: Annotated[str, text(32)]
    name: Annotated[str, text(60)]
    phone: Annotated[str, text(40)]
    password: Annotated[str, text(200)]
    agree: bool = False


class DutyBody(Input):
    on_duty: bool = False
    share_location: bool | None = None


class StaffBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    name: Annotated[str, text(60)]
    phone: Annotated[str, text(40)]
    password: Annotated[str, text(200)]
    role: Annotated[str, text(20)]
    grid_id: OptionalId = None
    team_id: OptionalId = None


class CommunityChoice(Input):
    """Which of the officer's communities the people pages show and change."""

    labels: ClassVar[dict[str, Any]] = LABELS
    community_id: Id


class ActiveBody(Input):
    active: bool = False


class InviteBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    grid_id: OptionalId = None
    team_id: OptionalId = None
    max_uses: OptionalInt32 = None
    days: OptionalInt32 = None
    note: Annotated[str, text(200)] = ""
