"""Flask's signed-cookie sessions, with the signing serializer built once per key and each
cookie's signature checked once.

Flask builds a new serializer for every request that opens or saves a session, which costs
about as much as checking the cookie's signature (bench/checkins.py). It depends only on the
keys, so one is kept per set of keys; rotating the secret (or its fallbacks) builds a new one.

A phone sends the same session cookie with every call until the session changes: a guard
scanning 30 points a night sends it 30 times. Decoding it (base64, zlib, HMAC, tagged JSON) is
about 7% of a check-in's work (bench/checkins.py), so a cookie whose signature was checked
once, under the same serializer, is remembered with its contents and the time it was signed.
What protects is unchanged: any other cookie string is checked in full, and a remembered one
still expires ``PERMANENT_SESSION_LIFETIME`` after it was signed. Only sessions of plain values
(strings, numbers) are remembered, so that no request can change what the next one opens.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

REMEMBERED_COOKIES = 4096  # each a few hundred bytes: more than the people logged in at once
_PLAIN = (str, int, float, bool, type(None))


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}
        self._lock = threading.Lock()
        # (serializer, cookie) -> (when it was signed, its contents)
        self._opened: OrderedDict[tuple[Any, str], tuple[float, dict[str, Any]]] = OrderedDict()

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(keys)
        if found is None:
            found = super().get_signing_serializer(app)
            with self._lock:
                if len(self._serializers) > 8:  # keys rotated many times: start afresh
                    self._serializers.clear()
                    self._opened.clear()
                self._serializers[keys] = found
        return found

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (serializer, cookie)
        with self._lock:
            remembered = self._opened.get(key)
        if remembered is not None:
            signed_at, contents = remembered
            if time.time() - signed_at > max_age:
                return self.session_class()
            return self.session_class(contents)
        try:
            contents, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(contents, dict) and all(isinstance(v, _PLAIN) for v in contents.values()):
            with self._lock:
                self._opened[key] = (signed.timestamp(), dict(contents))
                if len(self._opened) > REMEMBERED_COOKIES:
                    self._opened.popitem(last=False)
        return self.session_class(contents)
