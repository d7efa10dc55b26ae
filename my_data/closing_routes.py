"""HTTP edge of closing one's own account: the page that says what happens, the form, and the
page a closed account lands on."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import my_data.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts, parse, submitted
from app.errors import DomainError, Invalid, TooManyRequests, wants_json
from app.extensions import limiter, per_person
from app.permissions import requires
from app.roles import FIELD_ROLES
from app.types import utcnow
from app.uow import unit_of_work
from app.web import form_error
from my_data import bp, closing
from my_data.closing_schemas import CloseBody
from volunteers.auth import end_browser_login

# Wrong passwords only, per person: a phone left logged in must not let someone try many.
CLOSE_LIMIT = "5 per 15 minutes"
_COUNTED = "my_data_close_counted"  # flask.g flag: this attempt counts


def _wrong_password(_response: Any) -> bool:
    return bool(g.get(_COUNTED))


def _too_many(_limit: Any) -> None:
    raise TooManyRequests(
        "too_many_password_attempts",
        _l("The password was wrong several times. Please wait 15 minutes and try again."),
    )


def _context() -> dict[str, Any]:
    """What the page names: the field roles' lines, and the name the records show instead."""
    return {"field": current_user.role in FIELD_ROLES, "closed_name": closing.CLOSED_NAME}


@bp.get("/me/close")
@requires("my_data.close_account")
def close_page() -> Any:
    """What closing the account does, and the form to do it."""
    return render_template("my_data/close.html", form={}, **_context())


@bp.post("/me/close")
@limiter.limit(CLOSE_LIMIT, key_func=per_person, deduct_when=_wrong_password, on_breach=_too_many)
@requires("my_data.close_account")
@accepts(CloseBody, described=False, inject=False)  # fuzzing it would close the fuzzer's login
def close() -> Any:
    """Close my account: password again and "I understand"; then logged out everywhere."""
    data = submitted()
    try:
        body = parse(CloseBody, data)
        with unit_of_work() as uow:
            try:
                closing.check_password(uow, current_user, body.password)
            except Invalid as error:
                g.setdefault(_COUNTED, error.code == "password_wrong")
                raise
            if not body.understood:
                raise Invalid(
                    "not_understood",
                    _l("Please tick the box to say you understand that this cannot be undone."),
                    field="understood",
                )
            closing.close_account(uow, current_user, utcnow())
            uow.commit()
    except DomainError as error:
        form = {"understood": data.get("understood")} if isinstance(data, dict) else {}
        return form_error("my_data/close.html", error, form=form, **_context())
    return _logged_out()


def _logged_out() -> Any:
    """This browser's login ends as a logout ends it (the others ended with the account)."""
    response = jsonify(closed=True) if wants_json() else redirect(url_for("my_data.closed"))
    return end_browser_login(response)


@bp.get("/me/closed")
def closed() -> Any:
    """Where a closed account lands: it says so, and leads home (nobody is logged in here)."""
    return render_template("my_data/close.html", closed=True)
