"""Read-only views of people, shaped for pages and sockets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.roles import POLICE_ROLES
from volunteers.duty import CONSENT_LOCATION, has_consent
from volunteers.models import Community, Team, User
from volunteers.person import Person


def field_state(user: Person) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "name": user.name,
        "role": user.role,
        "on_duty": user.on_duty,
        "location_consent": has_consent(db.session(), user.id, CONSENT_LOCATION),
    }


def on_duty_people() -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(User).where(User.on_duty.is_(True), User.active.is_(True)).order_by(User.name)
    )
    return [
        {
            "user_id": u.id,
            "name": u.name,
            "role": u.role,
            "grid_id": u.grid_id,
            "on_duty_since": u.on_duty_since.isoformat() if u.on_duty_since else None,
        }
        for u in rows
    ]


def officer_people_context(community_id: int) -> dict[str, Any]:
    """What the officer's people and invite pages show about one community."""
    community = db.session.get(Community, community_id)
    people = db.session.scalars(
        select(User)
        .where(User.community_id == community_id)
        .order_by(User.role, User.name)
        .limit(300)
    ).all()
    role_counts = dict(
        db.session.execute(
            select(User.role, func.count())
            .where(User.community_id == community_id)
            .group_by(User.role)
        ).all()
    )
    teams = db.session.scalars(
        select(Team).where(Team.community_id == community_id).order_by(Team.name)
    ).all()
    return {
        "community": community,
        "grids": community.grids if community else [],
        "teams": teams,
        "people": people,
        "role_counts": role_counts,
    }


def police_accounts_with_password(password: str) -> list[str]:
    """Phones of police-room accounts using ``password``; production refuses the demo one."""
    rows = db.session.execute(
        select(User.phone, User.password_hash).where(User.role.in_([r.value for r in POLICE_ROLES]))
    ).all()
    return [phone for phone, hashed in rows if check_password_hash(hashed, password)]
