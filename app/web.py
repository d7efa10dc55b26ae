"""Pages that belong to no domain: home, language switch, health check; form helpers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text

from app import tls
from app.errors import DomainError, Invalid, NotFound, wants_json
from app.extensions import db
from app.i18n import LANG_SESSION_KEY
from app.roles import Role
from app.times import format_time

bp = Blueprint("web", __name__)
# Every time a page shows goes through this one filter (app/times.py).
bp.add_app_template_filter(format_time, "localtime")


def request_data() -> dict[str, Any]:
    """The submitted fields, from a JSON body or a form, as one plain dict."""
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    return request.form.to_dict()


def local_datetime(value: Any) -> datetime | None:
    """A date-time from a form or API: ISO 8601; without a zone it is the police room's time."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid(
            "period_invalid", _l("The end of the period must be after its start.")
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(current_app.config["LOCAL_TIMEZONE"]))
    return parsed


def form_error(template: str, error: DomainError, **context: Any) -> Any:
    """Show a form again with the error above it; API callers get the JSON error instead."""
    if wants_json():
        raise error
    return render_template(template, error=error, **context), error.status


def safe_next(target: str | None, default: str) -> str:
    r"""Only same-site paths: a login link must not bounce people to another site.

    Browsers read a backslash as a slash and drop tabs and line breaks inside a URL, so
    ``/\evil.example``, or ``/`` and a tab before ``/evil.example``, leads off the site as
    ``//evil.example`` does; a proxy may decode ``%5C`` or ``%2F`` before anyone else sees it.
    So the target must be a path that starts with exactly one slash and holds no backslash,
    whitespace or control character, and what it decodes to must still start that way.
    """
    if not target or len(target) > MAX_NEXT_LENGTH or not _is_local_path(target, raw=True):
        return default
    decoded = target
    for _ in range(3):  # a value encoded twice decodes twice
        decoded, before = unquote(decoded), decoded
        if decoded == before:
            return target
        if not _is_local_path(decoded, raw=False):
            return default
    return default  # still changing after three rounds: nobody links like that


MAX_NEXT_LENGTH = 2000


def _is_local_path(target: str, raw: bool) -> bool:
    """A path on this site; ``raw`` (as sent) also refuses whitespace, which browsers strip or
    drop, while a decoded one may hold a space that was ``%20``."""
    if not target.startswith("/") or target.startswith("//"):
        return False
    for c in target:
        if c == "\\" or (raw and c.isspace()) or (not c.isprintable() and c != " "):
            return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)


@bp.get("/")
def home() -> Any:
    # An officer's home is today's overview of their area (officer_day); it links everything
    # the tiles here offer them.
    if current_user.is_authenticated and current_user.role == Role.OFFICER:
        return redirect(url_for("officer_day.page"))
    return render_template("home.html", user=current_user)


@bp.get("/lang/<code>")
def switch_language(code: str) -> Any:
    if code in current_app.config["LANGUAGES"]:
        session[LANG_SESSION_KEY] = code
    back = request.args.get("next") or request.referrer
    if back:
        parts = urlsplit(back)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect(safe_next(back, url_for("web.home")))


@bp.get("/tls/certificate.pem")
def certificate() -> Any:
    """The instance's certificate authority, for phones to install (public by nature); none
    while the server uses the operator's pair or no HTTPS."""
    path, _key = tls.own_authority(Path(current_app.instance_path))
    if not current_app.config.get("TLS_AUTHORITY") or not path.exists():
        raise NotFound("not_found", _l("This page or item does not exist."))
    return send_file(
        path, mimetype="application/x-x509-ca-cert", download_name="wanjia-watch-ca.crt"
    )


@bp.get("/healthz")
def health() -> Any:
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


ROLE_LABELS = {
    "volunteer": _l("Volunteer"),
    "guard": _l("Security guard"),
    "grid_worker": _l("Grid worker"),
    "officer": _l("Police officer"),
    "dispatcher": _l("Dispatcher"),
    "admin": _l("Administrator"),
    "resident": _l("Resident"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    locale = get_locale()
    current = "zh_CN" if locale is not None and locale.language == "zh" else "en"
    return {"current_locale": current, "role_label": role_label}
