"""Every response carries the security headers; HSTS only over TLS; the policy names the
tile server only when one is configured on another host."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.roles import Role
from app.security_headers import HSTS, SecurityHeaders, content_security_policy, tile_sources
from tests.conftest import _settings
from tests.maptiles import block, build_mbtiles

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def policy_of(response: Any) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    directives = [d.split() for d in header.split(";")]
    return {d[0]: d[1:] for d in directives}


def assert_secured(response: Any, *, tls: bool = False) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (response.request.path, name)
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert response.headers.get("Strict-Transport-Security") == (HSTS if tls else None)


def get_paths(app: Flask) -> list[str]:
    """Every GET route that takes no argument: every page and list a browser can open."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and rule.endpoint != "static"
    )


@pytest.mark.parametrize("role", [None, Role.VOLUNTEER, Role.OFFICER, Role.ADMIN])
def test_every_page_and_answer_carries_the_headers(
    app: Flask, client: FlaskClient, logged_in: Callable[..., Any], role: Role | None
) -> None:
    """Pages, JSON, redirects, errors, static files and Socket.IO's handshake, for anyone."""
    if role:
        logged_in(role)
    paths = get_paths(app)
    assert {"/", "/login", "/console", "/officer/points"} <= set(paths)
    for path in paths:
        assert_secured(client.get(path))
    assert_secured(client.get("/no/such/page"))
    assert_secured(client.get("/no/such/page", headers={"Accept": "application/json"}))
    assert_secured(client.get("/static/js/console.js"))
    assert_secured(client.get("/static/vendor/leaflet/leaflet.css"))
    assert_secured(client.get("/socket.io/?EIO=4&transport=polling"))


def test_hsts_only_on_answers_sent_over_tls(client: FlaskClient) -> None:
    """A server started without TLS must not tell browsers to insist on HTTPS."""
    assert_secured(client.get("/login"), tls=False)
    assert_secured(client.get("/login", base_url="https://wanjia.test"), tls=True)
    assert_secured(client.get("/static/css/app.css", base_url="https://wanjia.test"), tls=True)


def test_the_socket_may_connect_to_this_host_only(client: FlaskClient) -> None:
    plain = policy_of(client.get("/", base_url="http://192.168.1.5:5000"))
    assert plain["connect-src"] == ["'self'", "ws://192.168.1.5:5000"]
    secure = policy_of(client.get("/", base_url="https://wanjia.test:8443"))
    assert secure["connect-src"] == ["'self'", "wss://wanjia.test:8443"]
    # A Host header that is not a plain host name adds nothing to the policy.
    hostile = policy_of(client.get("/", headers={"Host": "a; script-src *"}))
    assert hostile["connect-src"] == ["'self'"] and hostile["script-src"] == ["'self'"]


def test_a_header_the_app_set_itself_is_kept() -> None:
    def own_policy(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Security-Policy", "sandbox")])
        return [b""]

    sent: list[Any] = []
    SecurityHeaders(own_policy, [])({"HTTP_HOST": "x"}, lambda s, h, *e: sent.append(h))
    [headers] = sent
    assert [v for k, v in headers if k == "Content-Security-Policy"] == ["sandbox"]
    assert ("X-Content-Type-Options", "nosniff") in headers


# ----------------------------------------------------------------- the tile server


@pytest.mark.parametrize(
    ("url", "sources"),
    [
        (None, []),
        ("/static/tiles/{z}/{x}/{y}.png", []),
        ("https://tiles.example.cn/{z}/{x}/{y}.png", ["https://tiles.example.cn"]),
        ("http://tiles.lan:8080/{z}/{x}/{-y}.png?k=1", ["http://tiles.lan:8080"]),
        (
            "https://{s}.tile.example.org/{z}/{x}/{y}{r}.png",
            [
                "https://a.tile.example.org",
                "https://b.tile.example.org",
                "https://c.tile.example.org",
            ],
        ),
        ("https://t{z}.maps.example/{z}/{x}/{y}.png", ["https://*.maps.example"]),
        ("https://bad;host/{z}/{x}/{y}.png", []),
        ("https://a b/{z}/{x}/{y}.png", []),
    ],
)
def test_tile_sources_name_the_tile_server_and_nothing_more(
    url: str | None, sources: list[str]
) -> None:
    assert tile_sources(url) == sources


@pytest.fixture
def make_app(tmp_path: Path, sqlite_template: Path) -> Callable[..., Flask]:
    def make(**settings: Any) -> Flask:
        database = tmp_path / "app.db"
        database.write_bytes(sqlite_template.read_bytes())
        return create_app(
            _settings(DATABASE_URL=f"sqlite:///{database}", **settings), str(tmp_path)
        )

    return make


def images(app: Flask) -> list[str]:
    return policy_of(app.test_client().get("/login"))["img-src"]


def test_images_come_from_this_server_unless_a_tile_server_is_configured(make_app, tmp_path):
    assert images(make_app()) == ["'self'", "data:"]
    assert images(make_app(TILE_URL="https://tiles.example.cn/{z}/{x}/{y}.png")) == [
        "'self'",
        "data:",
        "https://tiles.example.cn",
    ]
    assert images(make_app(TILE_URL="/tiles-here/{z}/{x}/{y}.png")) == ["'self'", "data:"]
    # A tile URL that cannot work is not used by the maps, so it is not allowed either.
    assert images(make_app(TILE_URL="https://tiles.example.cn/{x}/{y}.png")) == ["'self'", "data:"]
    # MBTiles in the instance folder are drawn instead of the tile URL, from this server.
    build_mbtiles(tmp_path / "area.mbtiles", block(33.38, 120.16, 16, around=1))
    assert images(make_app(TILE_URL="https://tiles.example.cn/{z}/{x}/{y}.png")) == [
        "'self'",
        "data:",
    ]


def test_the_policy_reads_as_one_line_of_directives() -> None:
    policy = content_security_policy(["https://t.example"], "ws://h:1")
    assert "\n" not in policy and policy.count(";") == 8
    assert "img-src 'self' data: https://t.example" in policy
