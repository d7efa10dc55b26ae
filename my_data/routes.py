"""HTTP edge of a person's own data: the page that says what is kept, and the download."""

from __future__ import annotations

import io
from typing import Any

from flask import render_template, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import my_data.permissions  # noqa: F401 - registers this package's permissions
from app.errors import TooManyRequests
from app.extensions import db, limiter, per_person
from app.permissions import can, requires
from app.types import utcnow
from app.xlsx import XLSX, workbook
from my_data import bp
from my_data.report_sheets import REPORT_KINDS
from my_data.sheets import ACCOUNT_KINDS

KINDS = [*ACCOUNT_KINDS, *REPORT_KINDS]  # the account first
# A download reads every table the person appears in: a few an hour are plenty for a person.
DOWNLOAD_LIMIT = "6 per hour"


def _too_many(_limit: Any) -> None:
    raise TooManyRequests(
        "too_many_downloads", _l("You have downloaded your data several times. Please wait.")
    )


@bp.get("/me/data")
@requires("my_data.export")
def page() -> Any:
    """What the platform keeps about the person, how much of each, and the download."""
    session = db.session()
    counts = [(str(kind.title), kind.count(session, current_user.id)) for kind in KINDS]
    may_close = can(current_user, "my_data.close_account")
    return render_template("my_data/page.html", counts=counts, may_close=may_close)


@bp.get("/me/data.xlsx")
@limiter.limit(DOWNLOAD_LIMIT, key_func=per_person, on_breach=_too_many)
@requires("my_data.export")
def download() -> Any:
    """Everything kept about the person, one sheet per kind, in their language."""
    session = db.session()
    data = workbook(kind.sheet(session, current_user.id) for kind in KINDS)
    name = f"my-data-{utcnow():%Y%m%d}.xlsx"
    answer = send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
    answer.headers["Cache-Control"] = "no-store"  # personal data: not kept by any cache
    return answer
