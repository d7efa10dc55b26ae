"""Static files for phones on slow links: content-hashed names, cached for a year, gzip in memory.

At start every file under ``static/`` (ours and the npm-installed ``vendor/``) is read once and
named by a short hash of its content, and ``url_for('static', filename='css/app.css')`` gives
``/static/css/app.<hash>.css``. A hashed name always means the same bytes, so browsers keep it a
year without asking again, and a changed file gets a new name. Unhashed names still answer
(Leaflet's CSS asks for ``images/marker-icon.png`` relative to itself) but are revalidated
each time. A hash that is not the current one is a 404, never some other version. HTML
responses over about 1 KB are gzipped for browsers that accept it.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask, Response, request
from werkzeug.wrappers import Request

HASH_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HTML_CACHE = "private, no-cache"  # pages carry a person's data and a CSRF token
HTML_GZIP_MIN_BYTES = 1024  # below this, the gzip header and the CPU are not worth it
HTML_GZIP_LEVEL = 6  # per request: level 9 takes longer for a few bytes less
# The text types kept gzipped (at level 9, once); images and fonts are compressed already.
TEXT_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[^./]+)?$")


@dataclass(frozen=True)
class Asset:
    name: str  # as templates ask for it: "css/app.css"
    hashed_name: str  # as pages link it: "css/app.0123456789.css"
    digest: str
    data: bytes
    gzipped: bytes | None
    mimetype: str


@dataclass(frozen=True)
class Manifest:
    assets: dict[str, Asset]

    def find(self, filename: str) -> tuple[Asset | None, bool]:
        """The asset a requested name stands for, and whether it was asked for by its hash."""
        asset = self.assets.get(filename)
        if asset is not None:
            return asset, False
        match = _HASHED.match(filename)
        if match:
            asset = self.assets.get(match["stem"] + (match["ext"] or ""))
            if asset is not None and asset.digest == match["digest"]:
                return asset, True
        return None, False


def hashed_name(name: str, digest: str) -> str:
    stem, ext = posixpath.splitext(name)
    return f"{stem}.{digest}{ext}"


def _files(folder: str) -> tuple[tuple[str, int, int], ...]:
    """(name, size, mtime) of every visible file under ``folder``, names with forward slashes."""
    found = []
    for directory, subdirs, names in os.walk(folder):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            path = os.path.join(directory, name)
            stat = os.stat(path)
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            found.append((relative, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


@lru_cache(maxsize=8)
def _build(folder: str, files: tuple[tuple[str, int, int], ...]) -> Manifest:
    # Cached on the files' sizes and times: the tests build an app per test, and gzipping
    # Leaflet at level 9 each time would add about 40 ms to every one of them.
    assets = {}
    for name, _size, _mtime in files:
        with open(os.path.join(folder, name), "rb") as file:
            data = file.read()
        digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
        ext = posixpath.splitext(name)[1].lower()
        packed = gzip.compress(data, 9, mtime=0) if ext in TEXT_TYPES else None
        assets[name] = Asset(
            name=name,
            hashed_name=hashed_name(name, digest),
            digest=digest,
            data=data,
            gzipped=packed if packed is not None and len(packed) < len(data) else None,
            mimetype=TEXT_TYPES.get(ext)
            or mimetypes.guess_type(name)[0]
            or "application/octet-stream",
        )
    return Manifest(assets)


def load(folder: str) -> Manifest:
    """Every file under ``folder``, fingerprinted (and its text gzipped) once per content."""
    return _build(os.path.abspath(folder), _files(folder))


def accepts_gzip(asked: Request) -> bool:
    return asked.accept_encodings.quality("gzip") > 0


def serve(manifest: Manifest, asked: Request, filename: str) -> Response:
    """A static file: immutable by its hashed name, revalidated by its plain one."""
    asset, by_hash = manifest.find(filename)
    if asset is None:
        return Response("not found", 404, {"Cache-Control": REVALIDATE}, mimetype="text/plain")
    packed = asset.gzipped is not None and accepts_gzip(asked)
    body = asset.gzipped if packed else asset.data
    response = Response(body, mimetype=asset.mimetype)
    # The gzipped bytes are another representation of the file: another ETag.
    response.set_etag(f"{asset.digest}-gz" if packed else asset.digest)
    response.headers["Cache-Control"] = IMMUTABLE if by_hash else REVALIDATE
    if asset.gzipped is not None:
        response.vary.add("Accept-Encoding")
    if packed:
        response.content_encoding = "gzip"
    response.make_conditional(asked)  # in place (werkzeug types its answer as its own Response)
    return response


def compress_html(response: Response) -> Response:
    """Pages are never kept long; those over about 1 KB go gzipped to browsers that take it."""
    if response.mimetype != "text/html":
        return response
    response.headers.setdefault("Cache-Control", HTML_CACHE)
    if (
        response.direct_passthrough
        or response.is_streamed
        or response.content_encoding
        or response.status_code in (204, 304)
    ):
        return response
    data = response.get_data()
    if len(data) < HTML_GZIP_MIN_BYTES:
        return response
    response.vary.add("Accept-Encoding")
    if accepts_gzip(request):
        response.set_data(gzip.compress(data, HTML_GZIP_LEVEL))
        response.content_encoding = "gzip"
    return response


class StaticFiles:
    """Answers GET and HEAD under the static URL before Flask does. Through Flask, a file would
    pay for the session, login and CSRF hooks, and Flask-Login's touching the session adds
    "Vary: Cookie": Chromium then revalidates every cached file after each login."""

    def __init__(self, wsgi_app: Any, manifest: Manifest, prefix: str) -> None:
        self.wsgi_app = wsgi_app
        self.manifest = manifest
        self.prefix = prefix

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        # Every request passes here: look at the raw path before building a Request.
        if environ.get("PATH_INFO", "").startswith(self.prefix):
            asked = Request(environ)
            if asked.method in ("GET", "HEAD"):
                filename = asked.path[len(self.prefix) :]
                return serve(self.manifest, asked, filename)(environ, start_response)
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Fingerprint ``app.static_folder``, serve it, and hash every ``url_for('static', ...)``."""
    manifest = load(app.static_folder) if app.static_folder else Manifest({})

    def hashed_url(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            asset = manifest.assets.get(values["filename"])
            if asset is not None:
                values["filename"] = asset.hashed_name

    app.url_defaults(hashed_url)
    # Flask's documented way to wrap the WSGI app; its typing declares wsgi_app a method.
    app.wsgi_app = StaticFiles(app.wsgi_app, manifest, f"{app.static_url_path}/")  # type: ignore[method-assign]
    app.after_request(compress_html)
