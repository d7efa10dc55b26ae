"""Failed logins: counted per account and per address, in windows that grow; known devices.

Flask-Limiter does the counting (in memory, or in Redis in the scaled mode, so every process sees
the same numbers). Each setting stacks windows, e.g. ``5 per 5 minutes; 10 per hour; 20 per day``:
whoever keeps failing waits longer each time (5 minutes, then the rest of the hour, then of the
day) instead of being locked out for good. Only wrong credentials count.

A stranger typing wrong passwords for a dispatcher's number must not keep the dispatcher out. A
phone or computer that logged in to an account carries a signed cookie naming that account (by a
keyed digest of the number, not the number itself), and is exempt from the account's limit, as is
one logged in to it now; the per-address limit still applies to it. What is written by hand here:
that cookie, and reading the longest wait left among the windows for the message.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from flask_limiter import RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many
from werkzeug.wrappers import Response as BaseResponse

from app.errors import HTTP_ERRORS, DomainError, TooManyRequests, error_response, wants_json
from app.extensions import limiter
from app.web import request_data, safe_next
from volunteers import rules

KNOWN_DEVICE_COOKIE = "wanjia_known_device"
_SALT = "wanjia.known-device"
_ACCOUNTS_PER_DEVICE = 8  # a shared duty phone knows the few guards who use it

ACCOUNT_THROTTLED = _l(
    "Too many wrong passwords for this number. Please try again in %(wait)s, or log in on a phone "
    "or computer that has logged in with this number before."
)
ADDRESS_THROTTLED = _l("Too many failed logins from this network. Please try again in %(wait)s.")


def _phone() -> str | None:
    try:
        return rules.normalize_phone(str(request_data().get("phone", "")))
    except DomainError:
        return None


def account_key() -> str:
    raw = str(request_data().get("phone", ""))
    return "login-account:" + (_phone() or raw[:32])


def refused_password(response: BaseResponse) -> bool:
    """Only a refused password (or unknown number) counts, not a throttled attempt or a typo'd
    number: the owner retrying while throttled must not push the wait further out."""
    return response.status_code == 401


def _digest(phone: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"known-device:" + phone.encode(), hashlib.sha256).hexdigest()[:20]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _known_digests() -> list[str]:
    value = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not value:
        return []
    max_age = int(current_app.config["LOGIN_KNOWN_DEVICE_DAYS"]) * 86400
    try:
        digests = _serializer().loads(value, max_age=max_age)
    except BadSignature:  # also an expired one (SignatureExpired)
        return []
    return [d for d in digests if isinstance(d, str)] if isinstance(digests, list) else []


def known_device() -> bool:
    """This device has logged in to the account being tried (or is logged in to it now)."""
    phone = _phone()
    if phone is None:
        return False
    if current_user.is_authenticated and current_user.phone == phone:
        return True
    return _digest(phone) in _known_digests()


def remember_device(response: BaseResponse, phone: str) -> BaseResponse:
    """Mark this device as known for ``phone`` after a successful login (newest first)."""
    digest = _digest(phone)
    digests = [digest] + [d for d in _known_digests() if d != digest]
    days = int(current_app.config["LOGIN_KNOWN_DEVICE_DAYS"])
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _serializer().dumps(digests[:_ACCOUNTS_PER_DEVICE]),
        max_age=days * 86400,
        path=url_for("volunteers.login"),
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )
    return response


def _wait_seconds(limit: RequestLimit, setting: str) -> float:
    """The longest wait among the exhausted windows of ``setting`` (Flask-Limiter reports the
    first one it found exhausted, which may be the shortest)."""
    now = time.time()
    waits = [0.0]
    for item in parse_many(current_app.config[setting]):
        reset_at, remaining = limit.limiter.get_window_stats(item, *limit.request_args)
        if remaining <= 0:
            waits.append(reset_at - now)
    return max(waits)


def _refusal(message: Any, setting: str) -> Callable[[RequestLimit], Response]:
    def refuse(limit: RequestLimit) -> Response:
        seconds = max(1, math.ceil(_wait_seconds(limit, setting)))
        minutes = math.ceil(seconds / 60)
        wait = format_timedelta(timedelta(minutes=minutes), granularity="minute", threshold=2)
        error = TooManyRequests("too_many_requests", message, wait=wait)
        if wants_json():
            response = make_response(jsonify(error.as_dict()), error.status)
        else:
            page = render_template(
                "volunteers/login.html",
                error=error,
                next=safe_next(request.values.get("next"), url_for("web.home")),
                form={"phone": str(request_data().get("phone", ""))},
            )
            response = make_response(page, error.status)
        response.headers["Retry-After"] = str(seconds)
        return response

    return refuse


def refused(exc: RateLimitExceeded) -> Any:
    """Blueprint handler: the login page's own refusal when a limit above made one."""
    if exc.response is not None:
        return exc.response
    code, message = HTTP_ERRORS[429]
    return error_response(TooManyRequests(code, message))


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


per_account = limiter.limit(
    _setting("LOGIN_LIMIT_PER_ACCOUNT"),
    key_func=account_key,
    methods=["POST"],
    deduct_when=refused_password,
    exempt_when=known_device,
    on_breach=_refusal(ACCOUNT_THROTTLED, "LOGIN_LIMIT_PER_ACCOUNT"),
)
per_address = limiter.limit(
    _setting("LOGIN_LIMIT_PER_ADDRESS"),
    methods=["POST"],
    deduct_when=refused_password,
    on_breach=_refusal(ADDRESS_THROTTLED, "LOGIN_LIMIT_PER_ADDRESS"),
)
