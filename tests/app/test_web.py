"""Where a login or language switch sends people next: only to a path on this site."""

from __future__ import annotations

import re

import pytest

from app.roles import Role
from app.web import safe_next
from tests.conftest import PASSWORD

HOME = "/"


@pytest.mark.parametrize(
    "target",
    [
        "/\\evil.example",  # browsers read a backslash as a slash: //evil.example
        "/\\\\evil.example",
        "\\\\evil.example",
        "//evil.example",
        "///evil.example",
        "https://evil.example/x",
        "https:evil.example",
        "https:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/%5Cevil.example",  # a backslash encoded, once or twice
        "/%5cevil.example",
        "/%255Cevil.example",
        "/%2F/evil.example",  # a slash encoded: //evil.example once decoded
        "/%2f%2fevil.example",
        "/%252F/evil.example",
        "/\t/evil.example",  # browsers drop tabs and line breaks inside a URL
        "/\n/evil.example",
        "/\r/evil.example",
        "/%09/evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "/x\x00",
        "/x\x7f",
        " //evil.example",  # browsers strip leading spaces
        "/\u3000/evil.example",
        "/\u202e/moc.elpmaxe",  # right-to-left override
        "/\u200b/x",  # zero-width space
        "/" + "a" * 2001,
        "/%25252525252F",  # still decoding after three rounds
    ],
)
def test_a_target_that_could_leave_the_site_falls_back_to_the_default(target):
    assert safe_next(target, HOME) == HOME


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/profile",
        "/c/12.3.abcdefghijklmnop",
        "/points?q=%E6%96%B0%E6%B2%B3&page=2",
        "/points?q=a%20b",
        "/points/新河",
        "/a//b",
        "/search?q=100%25",
    ],
)
def test_a_path_on_this_site_is_kept_as_it_is(target):
    assert safe_next(target, HOME) == target


@pytest.mark.parametrize("target", [None, ""])
def test_no_target_is_the_default(target):
    assert safe_next(target, HOME) == HOME


@pytest.mark.parametrize("target", ["/\\evil.example", "/%5Cevil.example", "//evil.example"])
def test_logging_in_with_a_next_off_the_site_lands_on_the_home_page(client, make_user, target):
    user = make_user()
    response = client.post(
        "/login", data={"phone": user.phone, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_login_form_does_not_carry_a_next_off_the_site(client):
    page = client.get("/login", query_string={"next": "/\\evil.example"}).get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/">' in page


def test_the_language_switch_does_not_follow_a_backslash(client):
    response = client.get("/lang/en", query_string={"next": "/\\evil.example"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (Role.OFFICER, ["/officer/held", "/officer/corrections", "/officer/boundaries"]),
        (Role.ADMIN, ["/admin/areas", "/officer", "/officer/held", "/console"]),
        (Role.VOLUNTEER, ["/field", "/me/checkins", "/store"]),
    ],
)
def test_the_home_page_leads_each_role_to_its_pages(client, logged_in, role, pages):
    """An officer's home is the officer's day (/officer), whose menu leads on; the others'
    is the tiles page. Every page linked answers."""
    logged_in(role)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    found = re.findall(r'href="(/[^"]*)"', page)
    links = {link for link in found if not link.startswith(("/static", "/lang"))}
    assert set(pages) <= links
    for path in links - {"/"}:
        assert client.get(path).status_code == 200, path
