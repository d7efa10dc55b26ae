"""Chinese first: Accept-Language decides, a switch on every page, every message translated."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
# Every package of the project, as the layering contracts name them: a new one is scanned too.
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]


def _used_messages() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    found: set[str] = set()
    for package in PACKAGES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map, keywords={"_": None, "_l": None, "gettext": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_the_code_uses_has_a_chinese_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(_used_messages() - translated)
    assert missing == [], f"add these to {CATALOG.relative_to(ROOT)}: {missing}"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "登录"),
        ("zh-CN,zh;q=0.9", "登录"),
        ("zh-TW", "登录"),
        ("en-US,en;q=0.8", "Log in"),
        ("fr-FR", "登录"),
    ],
)
def test_accept_language_picks_the_language_and_chinese_is_the_default(client, accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    assert f"<h1>{expected}</h1>" in page


def test_the_switch_on_every_page_changes_the_language_and_comes_back(client):
    page = client.get("/register", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert 'href="/lang/en?next=/register"' in page
    response = client.get("/lang/en?next=/register")
    assert response.headers["Location"] == "/register"
    english = client.get("/register", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Join as a volunteer" in english and 'lang="en"' in english
    client.get("/lang/zh_CN?next=/register")
    assert "报名当志愿者" in client.get("/register").get_data(as_text=True)


def test_the_switch_never_leaves_the_site(client):
    assert client.get("/lang/en?next=https://evil.example/x").headers["Location"] == "/x"
    assert client.get("/lang/en?next=//evil.example/x").headers["Location"] == "/x"


def test_html_errors_are_pages_and_api_errors_are_json(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 404 and "该页面或内容不存在。" in page.get_data(as_text=True)
    api = client.get("/api/no-such-thing", headers={"Accept-Language": "en"})
    assert api.get_json() == {
        "error": {"code": "not_found", "message": "This page or item does not exist."}
    }


@pytest.mark.parametrize(
    ("accept", "expected"), [("zh-CN,zh;q=0.9", "zh_Hans_CN"), ("en-US,en;q=0.8", "en")]
)
def test_the_chosen_language_is_parsed_once_and_shared(app, accept, expected):
    from app.i18n import select_locale

    with app.test_request_context(headers={"Accept-Language": accept}):
        first = select_locale()
    with app.test_request_context(headers={"Accept-Language": accept}):
        again = select_locale()
    assert str(first) == expected
    assert again is first
