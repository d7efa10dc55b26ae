"""The public base URL (``WANJIA_PUBLIC_URL``): what posters, pickup codes and links encode.

Checked twice: at start, where a value that is not an http(s) URL with a host is logged and
ignored so the site still starts, and by ``wanjia doctor``, which also says whether phones can
use it (not loopback, HTTPS) and reach it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import current_app, request

SCHEMES = ("http", "https")
EXAMPLE = "https://192.168.1.20:5000"


def problem(value: object) -> str | None:
    """Why ``value`` cannot be the base of every link phones open; None when it can."""
    if not isinstance(value, str) or not value.strip():
        return "it is not text like " + EXAMPLE
    parts = urlsplit(value)
    if parts.scheme not in SCHEMES:
        return f"it does not start with https:// (like {EXAMPLE})"
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        return "its port is not a number from 0 to 65535"
    if not parts.hostname:
        return "it names no host"
    if parts.query or parts.fragment:
        return "a base address has no ?query or #fragment"
    return None


def is_loopback(host: str) -> bool:
    """Names and addresses only this machine reaches (and the any-address, which is no address)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def default_port(url: str) -> int:
    """The port a browser uses for ``url``."""
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def base() -> str:
    """What phones reach: the configured public URL, else the address this request came to."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
