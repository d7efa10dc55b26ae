"""Signed QR tokens: each poster names a point and its poster version, signed by the server.

The token is short (``<point>.<version>.<16 chars>``) so the QR code stays small and scans easily
in poor light. Reprinting a point raises its version, which makes every older poster stale.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"^(\d{1,9})\.(\d{1,6})\.([A-Za-z0-9_-]{16})$")
_SIGNATURE_BYTES = 12


@dataclass(frozen=True)
class PointToken:
    point_id: int
    version: int


def _signature(key: bytes, point_id: int, version: int) -> str:
    digest = hmac.new(key, f"point:{point_id}:{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).decode().rstrip("=")


def sign(key: bytes, point_id: int, version: int) -> str:
    return f"{point_id}.{version}.{_signature(key, point_id, version)}"


def verify(key: bytes, token: str | None) -> PointToken | None:
    """The point and version a genuine token names, or None for anything forged or garbled."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    point_id, version, signature = int(match[1]), int(match[2]), match[3]
    if not hmac.compare_digest(signature, _signature(key, point_id, version)):
        return None
    return PointToken(point_id, version)


def signing_key(secret: str, configured: str | None = None) -> bytes:
    """The QR key from settings, or one derived from the secret key (never the secret itself)."""
    if configured:
        return configured.encode()
    return hmac.new(secret.encode(), b"wanjia-qr-token-key", hashlib.sha256).digest()


def check_in_path(token: str) -> str:
    return f"/c/{token}"
