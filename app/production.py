"""Checks that keep a production start from running on demo defaults."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.roles import POLICE_ROLES
from volunteers.models import User


def police_accounts_with_demo_password() -> list[str]:
    demo = current_app.config["DEMO_PASSWORD"]
    rows = db.session.execute(
        select(User.phone, User.password_hash).where(User.role.in_([r.value for r in POLICE_ROLES]))
    ).all()
    return [phone for phone, hashed in rows if check_password_hash(hashed, demo)]
