"""A police area has several communities: the officer chooses which one the people pages show,
add to and import into; another area's community is 404 and changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from tests.volunteers.test_roster import xlsx
from volunteers.models import Community, Grid, User

JSON = {"Accept": "application/json"}


@pytest.fixture
def east(app: Any, area: dict[str, Any]) -> int:
    """A second community of the first police area, with its grid E01."""
    with app.app_context(), unit_of_work() as uow:
        community = Community(police_area_id=area["police_area_id"], name="东湖社区")
        uow.session.add(Grid(community=community, code="E01", name="东湖第1网格"))
        uow.commit()
        return community.id


def _people_in(app: Any, community_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(User.name).where(User.community_id == community_id).order_by(User.name)
            )
        )


def _upload(client: Any, rows: list[list[Any]], community_id: Any) -> Any:
    return client.post(
        "/officer/people/import",
        data={"file": (io.BytesIO(xlsx(rows)), "roster.xlsx"), "community_id": str(community_id)},
        content_type="multipart/form-data",
        headers=JSON,
    )


@pytest.mark.both_databases
def test_an_officer_chooses_a_community_and_imports_into_it(app, client, logged_in, east):
    logged_in(Role.OFFICER)
    page = client.get("/officer/people").get_data(as_text=True)
    assert 'id="community-choice"' in page and "东湖社区" in page

    shown = client.get(f"/officer/people?community_id={east}").get_data(as_text=True)
    assert "<h1>人员管理 · 东湖社区</h1>" in shown
    token = _upload(client, [["王秀英", "13912345001", "", "E01", ""]], east).get_json()["token"]
    answer = client.post(
        "/officer/people/import/confirm", json={"token": token, "community_id": east}
    )
    assert answer.status_code == 201, answer.get_json()
    assert _people_in(app, east) == ["王秀英"]
    # The choice is remembered for the pages after it (a redirect, the list, the export).
    assert "王秀英" in client.get("/officer/people?q=13912345001").get_data(as_text=True)


def test_a_form_names_its_community_so_a_choice_in_another_tab_never_moves_it(
    app, client, logged_in, area, east
):
    officer = logged_in(Role.OFFICER)
    client.get(f"/officer/people?community_id={east}")  # chosen in another tab
    answer = client.post(
        "/officer/people",
        json={
            "name": "李桂兰",
            "phone": "13912345002",
            "password": "secret-pass-2",
            "role": "volunteer",
            "community_id": area["community_id"],
        },
    )
    assert answer.status_code == 201, answer.get_json()
    assert "李桂兰" in _people_in(app, area["community_id"])
    assert _people_in(app, east) == []
    assert officer.community_id == area["community_id"]


@pytest.mark.parametrize("value", ["abc", str(2**31), "0", "-1"])
def test_a_malformed_community_is_refused_naming_the_field(client, logged_in, value):
    logged_in(Role.OFFICER)
    answer = client.get(f"/officer/people?community_id={value}", headers=JSON)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_input" and error["field"] == "community_id"


@pytest.mark.both_databases
def test_another_areas_community_is_not_found_and_nothing_changes(
    app, client, logged_in, second_area
):
    logged_in(Role.OFFICER)
    theirs = second_area["community_id"]
    assert client.get(f"/officer/people?community_id={theirs}", headers=JSON).status_code == 404
    answer = _upload(client, [["张凤英", "13912345003", "", "N01", ""]], theirs)
    assert answer.status_code == 404
    added = client.post(
        "/officer/people",
        json={
            "name": "张凤英",
            "phone": "13912345003",
            "password": "secret-pass-3",
            "role": "volunteer",
            "community_id": theirs,
        },
    )
    assert added.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(User.phone == "13912345003")) == 0
