"""Flask-Login glue: the cookie names a login session row, so logging out really ends it, and
``current_user`` is a read-only ``Person`` (volunteers/person.py), not the account's row."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.extensions import db, login_manager
from volunteers.logins import person_for_login_session
from volunteers.person import Person


def install_login_loader(app: Flask) -> None:
    login_manager.login_view = "volunteers.login"
    login_manager.login_message = _l("Please log in first.")
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(login_id: str) -> Person | None:
        return person_for_login_session(db.session(), login_id)
