"""First-login codes: the printed sheet carries each imported person's name and a QR code that
opens the set-your-password page; a code logs its person in once, and never after it is used,
replaced by a reprint, or expired."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode
from sqlalchemy import select, update

from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from tests.volunteers.test_roster import upload, xlsx
from volunteers import first_login
from volunteers.first_login_sheet import CARD_H, CARD_W, COLS, HEADER_H, MARGIN
from volunteers.models import FirstLoginCode, User
from volunteers.person import Person

NAMES = ["张三", "李四", "王小明", "欧阳娜娜", "赵六", "钱七", "孙八", "周九", "吴十", "郑十一"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is missing: install Debian's poppler-utils")
    return path


def _import(client: Any, names: list[str] = NAMES) -> None:
    rows = [[name, str(13912340000 + n), "", "G01", ""] for n, name in enumerate(names)]
    token = upload(client, xlsx(rows)).get_json()["token"]
    assert client.post("/officer/people/import/confirm", json={"token": token}).status_code == 201


def _sheet(client: Any, tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    answer = client.post("/officer/people/first-login-sheet", data={})
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(answer.data)
    return pdf


def _card_urls(pdf: Path, tmp_path: Path) -> list[str]:
    """Each card's QR code, read from the first page rendered at 150 dpi, card by card."""
    out = str(tmp_path / "p")
    subprocess.run([_tool("pdftoppm"), "-r", "150", "-l", "1", "-png", str(pdf), out], check=True)
    page = Image.open(next(tmp_path.glob("p-*.png"))).convert("L")
    scale = 150 / 72
    urls = []
    for index in range(8):
        row, col = divmod(index, COLS)
        left, top = MARGIN + col * CARD_W, MARGIN + HEADER_H + row * CARD_H
        box = tuple(round(v * scale) for v in (left, top, left + CARD_W, top + CARD_H))
        urls += [s.data.decode() for s in decode(page.crop(box), symbols=[ZBarSymbol.QRCODE])]
    return urls


@pytest.mark.both_databases
def test_the_sheet_names_everyone_and_its_code_logs_a_person_in_once(
    app, client, logged_in, tmp_path
):
    logged_in(Role.OFFICER)
    _import(client)
    pdf = _sheet(client, tmp_path)
    read = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True)
    text = "".join(read.stdout.split())
    for name in NAMES:
        assert name in text
    assert "第1/2页" in text and "第1网格" in text and "139****0000" in text
    urls = _card_urls(pdf, tmp_path)
    assert len(urls) == 8 and all("/first-login/" in url for url in urls)

    # The first card belongs to the first name in pinyin order: 李四 (li si).
    path = urls[0].split("localhost", 1)[1]
    phone = app.test_client()
    page = phone.get(path, headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200 and "李四，您好" in page.get_data(as_text=True)
    done = phone.post(path, data={"password": "meihua-66", "password_again": "meihua-66"})
    assert done.status_code == 302 and done.headers["Location"].startswith("/profile")
    assert phone.get("/api/me").get_json()["user"]["name"] == "李四"

    # Once only: the same card, on another phone, is refused with what to do.
    again = app.test_client().post(
        path,
        data={"password": "other-pass-1", "password_again": "other-pass-1"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert again.status_code == 409 and "已经用过或已过期" in again.get_data(as_text=True)
    assert "<form" not in again.get_data(as_text=True).split("<main", 1)[1].split("</main>")[0]
    # And the password chosen is the one that logs in.
    login = app.test_client().post("/login", json={"phone": "13912340001", "password": "meihua-66"})
    assert login.status_code == 200


def _person_with_code(app: Any, make_user: Any) -> tuple[User, str]:
    officer, person = make_user(Role.OFFICER), make_user(Role.VOLUNTEER)
    with app.app_context(), unit_of_work() as uow:
        user = uow.session.get_one(User, person.id)
        user.password_hash = first_login.NO_PASSWORD
        issued = first_login.issue_codes(uow, Person.of(officer), [user], days=14)
        uow.commit()
    return person, issued[0].code


@pytest.mark.both_databases
def test_an_expired_code_is_refused_with_a_clear_message(app, client, make_user):
    person, code = _person_with_code(app, make_user)
    with app.app_context(), unit_of_work() as uow:
        uow.session.execute(
            update(FirstLoginCode).values(expires_at=utcnow() - timedelta(minutes=1))
        )
        uow.commit()
    page = client.get(f"/first-login/{code}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 409 and "请找警务室重新打印" in page.get_data(as_text=True)
    answer = client.post(
        f"/first-login/{code}", json={"password": "new-pass-1", "password_again": "new-pass-1"}
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "first_login_code_spent"


def test_two_different_passwords_or_a_short_one_keep_the_code_usable(app, client, make_user):
    person, code = _person_with_code(app, make_user)
    differ = client.post(
        f"/first-login/{code}", json={"password": "abcdef1", "password_again": "abcdef2"}
    )
    assert differ.status_code == 422 and differ.get_json()["error"]["code"] == "passwords_differ"
    short = client.post(f"/first-login/{code}", json={"password": "abc", "password_again": "abc"})
    assert short.get_json()["error"]["code"] == "password_too_short"
    good = client.post(
        f"/first-login/{code}", json={"password": "abcdef1", "password_again": "abcdef1"}
    )
    assert good.status_code == 200 and good.get_json()["user"]["id"] == person.id


def test_before_the_first_login_no_password_opens_the_account(app, client, make_user):
    person, _code = _person_with_code(app, make_user)
    for password in ("", first_login.NO_PASSWORD, "!first-login"):
        answer = client.post("/login", json={"phone": person.phone, "password": password})
        assert answer.status_code in (401, 422)


def test_printing_again_retires_the_earlier_cards_code(app, client, logged_in, tmp_path):
    logged_in(Role.OFFICER)
    _import(client, ["张三"])
    first = _card_urls(_sheet(client, tmp_path / "a"), tmp_path / "a")
    second = _card_urls(_sheet(client, tmp_path / "b"), tmp_path / "b")
    assert len(first) == len(second) == 1 and first != second
    old, new = (url.split("localhost", 1)[1] for url in (first[0], second[0]))
    assert client.get(old).status_code == 409
    assert client.get(new).status_code == 200
    with app.app_context():
        assert len(db.session.scalars(select(FirstLoginCode)).all()) == 1


def test_no_sheet_when_everyone_has_a_password(client, logged_in):
    logged_in(Role.OFFICER)
    answer = client.post(
        "/officer/people/first-login-sheet", json={}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "nobody_awaiting"


def test_an_unknown_code_is_refused_and_the_page_offers_the_login(client):
    page = client.get("/first-login/not-a-code", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 409 and "/login" in page.get_data(as_text=True)
