"""CSRF protection: Flask-WTF's, made cheap for the pages' JSON calls.

Every POST a page makes carries the CSRF token in the ``X-CSRFToken`` header, and a guard
scanning 30 points a night sends the same token 30 times. Flask-WTF looks for a form field
first, which parses a form out of every JSON body, and checks the token's signature on every
call: together about a tenth of a check-in's work (bench/checkins.py). Here the header is read
first, and a token whose signature was checked once, under the same key, is remembered. What
protects is unchanged: the token must still equal the one in the person's session, and over
HTTPS the referrer must still be this host. With a time limit set, tokens expire, so nothing is
remembered.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections import OrderedDict
from typing import Any

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, same_origin
from itsdangerous import BadData, URLSafeTimedSerializer

log = logging.getLogger(__name__)

REMEMBERED_TOKENS = 4096  # each about 100 bytes: far more than the people logged in at once
SALT = "wtf-csrf-token"  # Flask-WTF's, so the pages' tokens from ``generate_csrf`` verify here


class CSRFProtection(CSRFProtect):
    def __init__(self, app: Any = None) -> None:
        self._verified: OrderedDict[tuple[bytes, str], str] = OrderedDict()
        self._lock = threading.Lock()
        super().__init__(app)

    def protect(self, apply_exemptions: bool = False) -> None:
        config = current_app.config
        header_token = next(
            (t for name in config["WTF_CSRF_HEADERS"] if (t := request.headers.get(name))), None
        )
        if header_token is None or config["WTF_CSRF_TIME_LIMIT"] is not None:
            super().protect(apply_exemptions)  # forms, and expiring tokens: Flask-WTF's way
            return
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in config["WTF_CSRF_METHODS"]:
            return
        expected = session.get(config["WTF_CSRF_FIELD_NAME"])
        signed = self._signed_value(header_token)
        if expected is None or signed is None or not hmac.compare_digest(expected, signed):
            log.info("CSRF token missing from the session, badly signed or not the session's")
            self._error_response("The CSRF token is invalid.")
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True

    def _signed_value(self, token: str) -> str | None:
        """The value ``token`` signs, or None if its signature is not ours."""
        secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        key = (secret if isinstance(secret, bytes) else str(secret).encode(), token)
        with self._lock:
            value = self._verified.get(key)
        if value is not None:
            return value
        try:
            value = URLSafeTimedSerializer(secret, salt=SALT).loads(token)
        except BadData:
            return None
        if not isinstance(value, str):
            return None
        with self._lock:
            self._verified[key] = value
            if len(self._verified) > REMEMBERED_TOKENS:
                self._verified.popitem(last=False)
        return value
