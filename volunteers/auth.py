"""Flask-Login glue: the cookie names a login session row, so logging out really ends it, and
``current_user`` is a read-only ``Person`` (volunteers/person.py), not the account's row."""

from __future__ import annotations

from typing import Any

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from flask_login import logout_user

from app.extensions import db, login_manager
from app.i18n import LANG_SESSION_KEY
from volunteers.logins import person_for_login_session
from volunteers.person import Person


def install_login_loader(app: Flask) -> None:
    login_manager.login_view = "volunteers.login"
    login_manager.login_message = _l("Please log in first.")
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(login_id: str) -> Person | None:
        return person_for_login_session(db.session(), login_id)


def end_browser_login(response: Any) -> Any:
    """End this browser's login (its row was revoked by the caller): Flask-Login's user and the
    session go, but for the chosen language; and what the pages kept on this phone (the
    check-in page's unsent scans) goes with it, as duty phones are shared. Browsers honour
    Clear-Site-Data on HTTPS (and localhost); logout.js also does it."""
    logout_user()
    lang = session.get(LANG_SESSION_KEY)
    session.clear()
    if lang:
        session[LANG_SESSION_KEY] = lang
    response.headers["Clear-Site-Data"] = '"storage"'
    return response
