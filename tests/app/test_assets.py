"""Static files by content-hashed names: gzipped, cached for a year, revalidated by plain name,
404 for a hash that is not the current one; larger HTML pages gzipped."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask, Response, stream_with_context, url_for

from app import assets

ROOT = Path(__file__).resolve().parents[2]
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
CSS = b".a { color: red; }\n" * 200
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
BIG_PAGE = "<!doctype html><p>" + "巡逻点 " * 400
SMALL_PAGE = "<!doctype html><p>ok"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[: assets.HASH_LENGTH]


@pytest.fixture
def static(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    (folder / "vendor" / "images").mkdir(parents=True)
    (folder / "vendor" / "map.css").write_bytes(CSS)
    (folder / "vendor" / "images" / "marker.png").write_bytes(PNG)
    (folder / ".gitkeep").write_bytes(b"")
    return folder


def small_app(static: Path) -> Flask:
    """A bare Flask app with only this module installed, over a static folder of our own."""
    app = Flask("probe", static_folder=str(static))
    assets.init_app(app)

    @app.get("/big")
    def big() -> str:
        return BIG_PAGE

    @app.get("/small")
    def small() -> str:
        return SMALL_PAGE

    @app.get("/json")
    def as_json() -> dict:
        return {"text": BIG_PAGE}

    @app.get("/stream")
    def stream() -> Response:
        return Response(stream_with_context(iter([BIG_PAGE])), mimetype="text/html")

    return app


@pytest.fixture
def probe(static: Path) -> Flask:
    return small_app(static)


def test_a_rendered_page_links_the_css_by_its_content_hash(client):
    css = (ROOT / "static" / "css" / "app.css").read_bytes()
    page = client.get("/login").get_data(as_text=True)
    assert f'href="/static/css/app.{digest(css)}.css"' in page
    assert "/static/css/app.css" not in page
    # The login page a poster may lead through loads nothing but the stylesheet.
    assert re.findall(r'(?:href|src)="(/static/[^"]+)"', page) == [
        f"/static/css/app.{digest(css)}.css"
    ]


def test_url_for_gives_hashed_names_and_leaves_unknown_files_alone(probe):
    with probe.test_request_context():
        hashed = f"/static/vendor/map.{digest(CSS)}.css"
        assert url_for("static", filename="vendor/map.css") == hashed
        assert url_for("static", filename="nothing.js") == "/static/nothing.js"


def test_a_hashed_name_is_gzipped_typed_and_immutable(probe):
    response = probe.test_client().get(f"/static/vendor/map.{digest(CSS)}.css", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["ETag"]
    assert gzip.decompress(response.data) == CSS
    assert int(response.headers["Content-Length"]) == len(response.data) < len(CSS) // 10


def test_without_gzip_the_same_file_comes_plain_with_its_own_etag(probe):
    client = probe.test_client()
    url = f"/static/vendor/map.{digest(CSS)}.css"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers=GZIP)
    assert plain.data == CSS
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Accept-Encoding"  # caches must keep the two apart
    assert plain.headers["ETag"] != packed.headers["ETag"]


def test_a_known_etag_is_answered_304_without_a_body(probe):
    client = probe.test_client()
    for url in (f"/static/vendor/map.{digest(CSS)}.css", "/static/vendor/map.css"):
        first = client.get(url, headers=GZIP)
        again = client.get(url, headers={**GZIP, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, url
        assert again.data == b""
        assert client.get(url, headers={**GZIP, "If-None-Match": '"other"'}).status_code == 200


def test_a_stale_hash_is_404_after_the_file_changed(static):
    old = f"/static/vendor/map.{digest(CSS)}.css"
    assert small_app(static).test_client().get(old).status_code == 200
    changed = CSS + b".b { color: blue; }\n"
    (static / "vendor" / "map.css").write_bytes(changed)
    client = small_app(static).test_client()  # a restart after a deploy
    assert client.get(old).status_code == 404, "an old name must not get the new file"
    new = client.get(f"/static/vendor/map.{digest(changed)}.css")
    assert new.status_code == 200 and new.data == changed


@pytest.mark.parametrize(
    "path",
    [
        "/static/vendor/map.0123456789.css",  # the right shape, no such version
        "/static/vendor/nothing.css",
        "/static/vendor/images/marker.0123456789.png",
        "/static/.gitkeep",  # hidden files are not served
        "/static/../secret_key",
    ],
)
def test_unknown_files_and_hashes_are_404(probe, path):
    response = probe.test_client().get(path)
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_plain_name_still_works_but_is_revalidated(probe):
    """Leaflet's CSS asks for images/marker-icon.png relative to itself, unhashed."""
    client = probe.test_client()
    response = client.get("/static/vendor/images/marker.png", headers=GZIP)
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Content-Encoding" not in response.headers  # a PNG is compressed already
    assert "Vary" not in response.headers
    again = client.get(
        "/static/vendor/images/marker.png", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_head_gives_the_headers_only(probe):
    response = probe.test_client().head(f"/static/vendor/map.{digest(CSS)}.css", headers=GZIP)
    assert response.status_code == 200 and response.data == b""
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_static_files_of_the_app_carry_no_cookie_and_no_vary_cookie(client, logged_in):
    """Static files skip the session: "Vary: Cookie" would make Chromium ask again for every
    cached file after each login, on a link where each question costs 400 ms."""
    logged_in()
    css = (ROOT / "static" / "css" / "app.css").read_bytes()
    response = client.get(f"/static/css/app.{digest(css)}.css", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Vary"] == "Accept-Encoding"
    assert "Set-Cookie" not in response.headers


def test_a_larger_html_page_is_gzipped_when_accepted(probe):
    client = probe.test_client()
    packed = client.get("/big", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data).decode() == BIG_PAGE
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["Cache-Control"] == "private, no-cache"
    plain = client.get("/big")
    assert "Content-Encoding" not in plain.headers and plain.get_data(as_text=True) == BIG_PAGE
    assert "Accept-Encoding" in plain.headers["Vary"]


@pytest.mark.parametrize("path", ["/small", "/json", "/stream"])
def test_small_pages_json_and_streams_are_left_as_they_are(probe, path):
    response = probe.test_client().get(path, headers=GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_the_apps_pages_are_gzipped_and_not_kept(client):
    response = client.get("/login", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "万家卫士" in gzip.decompress(response.data).decode()
