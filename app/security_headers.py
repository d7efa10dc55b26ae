"""Security headers on every response, pages, API, static files and Socket.IO alike.

The Content Security Policy lets a page run only our own script files (``script-src 'self'``:
no inline script, no ``on...=`` attribute, no ``javascript:`` link), so text a person typed
that some page wrongly parsed as HTML still could not run. Images may come from this server,
``data:`` URLs (the blank favicon) and the tile server of ``WANJIA_TILE_URL`` when that is
another host (``app/maps.py``); connections go to this server, Socket.IO's websocket named
explicitly for browsers whose ``'self'`` does not cover ``ws:``/``wss:`` (Safari before 15.4).
Styles come from our files only: no page has a style attribute or element, and Leaflet places
things through ``element.style``, which the policy does not govern. HSTS is sent only on
responses that went out over TLS, so a plain-HTTP start never promises HTTPS it cannot keep.

A WSGI wrapper rather than an ``after_request`` hook, because static files and Socket.IO are
answered before Flask's hooks run. A header the app already set is left as it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from app.maps import tile_setup

log = logging.getLogger(__name__)

HSTS = "max-age=31536000"  # a year; no includeSubDomains: the other names are not ours
LEAFLET_SUBDOMAINS = "abc"  # what Leaflet puts for {s}; static/js/wjmap.js sets no other
_SOURCE_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$")
_REQUEST_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]{1,255}$")
_FIXED = (
    ("X-Content-Type-Options", "nosniff"),
    # Other sites (a tile server) learn our origin, never a path such as a poster's /c/<token>.
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers older than CSP 2
)


def tile_sources(url: str | None) -> list[str]:
    """CSP sources that let the maps load tiles from a ``WANJIA_TILE_URL`` template: none for a
    path on this server, ``a``/``b``/``c`` for Leaflet's ``{s}``, a ``*.`` wildcard for other
    placeholders in the host name."""
    if not url or not re.match(r"^https?://", url):
        return []
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    if "{s}" in host:
        candidates = [host.replace("{s}", s) for s in LEAFLET_SUBDOMAINS]
    elif "{" in host:
        labels = host.split(".")
        last = max(i for i, label in enumerate(labels) if "{" in label)
        candidates = ["*." + ".".join(labels[last + 1 :])] if last + 1 < len(labels) else []
    else:
        candidates = [host]
    sources = []
    for candidate in candidates:
        if not _SOURCE_HOST.match(candidate.removeprefix("*.")):
            log.warning("map tiles: %r has a host no security policy can name", url)
            return []
        sources.append(f"{parts.scheme}://{candidate}")
    return sources


def content_security_policy(tiles: Iterable[str], socket_origin: str | None) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *tiles],
        "connect-src": ["'self'", *([socket_origin] if socket_origin else [])],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeaders:
    """WSGI middleware adding the headers above to whatever the wrapped app answers."""

    def __init__(self, wsgi_app: Any, tiles: list[str]) -> None:
        self.wsgi_app = wsgi_app
        self.tiles = tiles

    def headers_for(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        tls = environ.get("wsgi.url_scheme") == "https"
        host = environ.get("HTTP_HOST", "")
        socket = f"{'wss' if tls else 'ws'}://{host}" if _REQUEST_HOST.match(host) else None
        found = [("Content-Security-Policy", content_security_policy(self.tiles, socket))]
        found += _FIXED
        if tls:
            found.append(("Strict-Transport-Security", HSTS))
        return found

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def with_headers(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            present = {name.lower() for name, _value in headers}
            ours = [h for h in self.headers_for(environ) if h[0].lower() not in present]
            return start_response(status, [*headers, *ours], *exc_info)

        return self.wsgi_app(environ, with_headers)


def init_app(app: Flask) -> None:
    """Wrap ``app.wsgi_app``; called after every other wrapper (static files, Socket.IO) and
    after ``app.maps`` has checked the tile setup."""
    with app.app_context():
        setup = tile_setup()
    # MBTiles, when present, are drawn instead of WANJIA_TILE_URL, from this server.
    tiles = tile_sources(setup.url) if setup.mbtiles is None else []
    app.wsgi_app = SecurityHeaders(app.wsgi_app, tiles)  # type: ignore[method-assign]
