"""Flask's signed-cookie sessions, with the signing serializer built once per key.

Flask builds a new serializer for every request that opens or saves a session, which costs
about as much as checking the cookie's signature (bench/checkins.py). It depends only on the
keys, so one is kept per set of keys; rotating the secret (or its fallbacks) builds a new one.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(keys)
        if found is None:
            found = super().get_signing_serializer(app)
            with self._lock:
                if len(self._serializers) > 8:  # keys rotated many times: start afresh
                    self._serializers.clear()
                self._serializers[keys] = found
        return found
