"""Use cases for accounts: creating people, registration with an invite, invites, disabling.

Services take the unit of work and plain arguments, flush, and leave the commit to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.roles import FIELD_ROLES, Role
from app.types import utcnow
from app.uow import UnitOfWork
from volunteers import duty, logins, rules
from volunteers.areas import area_of_community, areas_of
from volunteers.models import Community, Grid, InviteCode, Team, User
from volunteers.person import Person


@dataclass(frozen=True)
class Placement:
    """Where a new person belongs in the organisation."""

    community_id: int | None = None
    grid_id: int | None = None
    team_id: int | None = None


def hash_password(password: str, method: str | None = None) -> str:
    return generate_password_hash(password, method=method or "scrypt")


def create_user(
    uow: UnitOfWork,
    *,
    name: str,
    phone: str,
    password: str,
    role: Role | str,
    placement: Placement = Placement(),  # noqa: B008 - frozen, shared safely
    hash_method: str | None = None,
) -> User:
    """Create an account of any role; raises ``Conflict`` when the number is already registered."""
    try:
        role = Role(role)
    except ValueError as exc:
        raise Invalid("role_unknown", _l("Unknown role.")) from exc
    phone = rules.normalize_phone(phone)
    rules.check_password(password, role)
    user = User(
        name=rules.check_name(name),
        phone=phone,
        password_hash=hash_password(password, hash_method),
        role=role.value,
        community_id=placement.community_id,
        grid_id=placement.grid_id,
        team_id=placement.team_id,
    )
    if role in (Role.OFFICER, Role.DISPATCHER) and placement.community_id is not None:
        # Police-room staff placed in a community work in its police area.
        user.police_area_id = uow.session.scalar(
            select(Community.police_area_id).where(Community.id == placement.community_id)
        )
    _check_placement(uow, placement)
    try:
        with uow.session.begin_nested():
            uow.session.add(user)
    except IntegrityError as exc:
        raise Conflict(
            "phone_taken", _l("This mobile number is already registered. Please log in instead.")
        ) from exc
    return user


def _check_placement(uow: UnitOfWork, placement: Placement) -> None:
    session = uow.session
    if (
        placement.community_id is not None
        and session.get(Community, placement.community_id) is None
    ):
        raise NotFound("community_unknown", _l("That community does not exist."))
    if placement.grid_id is not None:
        grid = session.get(Grid, placement.grid_id)
        if grid is None or grid.community_id != placement.community_id:
            raise NotFound("grid_unknown", _l("That grid does not exist in this community."))
    if placement.team_id is not None:
        team = session.get(Team, placement.team_id)
        if team is None or team.community_id != placement.community_id:
            raise NotFound("team_unknown", _l("That team does not exist in this community."))


def create_staff(
    uow: UnitOfWork,
    actor: Person,
    *,
    name: str,
    phone: str,
    password: str,
    role: str,
    placement: Placement,
    hash_method: str | None = None,
) -> User:
    """An officer creates a guard, grid worker or volunteer in their own police area."""
    if role not in FIELD_ROLES:
        raise Invalid(
            "role_not_creatable",
            _l("Officers can create guards, grid workers and volunteers only."),
        )
    _check_in_areas(uow, actor, placement.community_id)
    return create_user(
        uow,
        name=name,
        phone=phone,
        password=password,
        role=role,
        placement=placement,
        hash_method=hash_method,
    )


def register_volunteer(
    uow: UnitOfWork,
    *,
    invite_code: str,
    name: str,
    phone: str,
    password: str,
    agreed_to_terms: bool,
    hash_method: str | None = None,
) -> User:
    """Self-registration with an officer's invite code; the code's use is counted atomically."""
    if not agreed_to_terms:
        raise Invalid("terms_not_agreed", _l("Please read and agree to the volunteer terms."))
    code = rules.normalize_invite_code(invite_code)
    invite = uow.session.scalar(select(InviteCode).where(InviteCode.code == code))
    if invite is None:
        raise NotFound(
            "invite_unknown",
            _l("This invite code is not known. Please check it with your police room."),
        )
    if invite.expires_at <= utcnow() or invite.uses >= invite.max_uses:
        raise Conflict(
            "invite_used_up",
            _l("This invite code has expired or been used up. Ask your police room for a new one."),
        )
    user = create_user(
        uow,
        name=name,
        phone=phone,
        password=password,
        role=Role.VOLUNTEER,
        placement=Placement(invite.community_id, invite.grid_id, invite.team_id),
        hash_method=hash_method,
    )
    # Conditional update: two people racing for the last use cannot both win.
    claimed = cast(
        CursorResult[Any],
        uow.session.execute(
            update(InviteCode)
            .where(InviteCode.id == invite.id, InviteCode.uses < InviteCode.max_uses)
            .values(uses=InviteCode.uses + 1)
        ),
    ).rowcount
    if claimed != 1:
        raise Conflict(
            "invite_used_up",
            _l("This invite code has expired or been used up. Ask your police room for a new one."),
        )
    uow.session.flush()
    duty.record_consent(uow, user.id, duty.CONSENT_TERMS, granted=True)
    return user


def issue_invite(
    uow: UnitOfWork,
    actor: Person,
    *,
    community_id: int,
    grid_id: int | None = None,
    team_id: int | None = None,
    max_uses: int = 50,
    days: int = 30,
    note: str = "",
) -> InviteCode:
    if not 1 <= max_uses <= 1000:
        raise Invalid("invite_uses_range", _l("An invite can be used between 1 and 1000 times."))
    if not 1 <= days <= 365:
        raise Invalid("invite_days_range", _l("An invite can last between 1 and 365 days."))
    _check_in_areas(uow, actor, community_id)
    _check_placement(uow, Placement(community_id, grid_id, team_id))
    invite = InviteCode(
        code=rules.new_invite_code(),
        created_by_id=actor.id,
        community_id=community_id,
        grid_id=grid_id,
        team_id=team_id,
        max_uses=max_uses,
        expires_at=utcnow() + timedelta(days=days),
        note=note[:200],
    )
    uow.session.add(invite)
    uow.session.flush()
    return invite


def _check_in_areas(uow: UnitOfWork, actor: Person, community_id: int | None) -> None:
    """People and invites are placed only in the actor's own police areas."""
    if not areas_of(uow.session, actor).allows(area_of_community(uow.session, community_id)):
        raise NotFound("community_unknown", _l("That community does not exist."))


def set_active(uow: UnitOfWork, actor: Person, user_id: int, active: bool) -> User:
    """Disable (or re-enable) an account; disabling ends every login and takes them off duty."""
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFound("person_unknown", _l("That person does not exist."))
    if user.id == actor.id:
        raise Conflict("cannot_disable_self", _l("You cannot disable your own account."))
    areas = areas_of(uow.session, actor)
    if not areas.allows(area_of_community(uow.session, user.community_id)):
        raise NotFound("person_unknown", _l("That person does not exist."))  # another area's
    if Role(actor.role) != Role.ADMIN and Role(user.role) not in FIELD_ROLES:
        raise Forbidden(
            "person_not_yours",
            _l("Officers manage the guards, grid workers and volunteers of their own area."),
        )
    if active and rules.is_closed(user.phone):
        raise Conflict(
            "account_closed",
            _l(
                "This person closed their own account. It cannot be enabled again; they may "
                "register afresh."
            ),
        )
    user.active = active
    if not active:
        if user.on_duty:
            duty.announce_duty(uow, user, on_duty=False)
        user.on_duty = False
        user.on_duty_since = None
        logins.revoke_all_login_sessions(uow, user.id)
    return user
