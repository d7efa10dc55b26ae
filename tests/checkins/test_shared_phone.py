"""Shared duty phones (issue 17): an attempt the page saved names who was logged in; sent under
another login it is refused before any rule runs, and nothing is stored or paid. The page side
(a queue per person, cleared at logout) is tests/e2e/test_shared_phone.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from checkins.models import CheckIn


def _stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CheckIn))


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("lang", "text"),
    [("zh-CN", "不会以您的名义提交"), ("en", "is not sent under your name")],
)
def test_a_scan_saved_by_someone_else_is_refused_and_not_stored(
    app, logged_in, make_user, make_point, submit, lang, text
):
    guard_a = make_user(Role.GUARD)
    logged_in(Role.GUARD)  # guard B has the phone now
    response = submit(make_point(), person_id=guard_a.id, queued_offline=True, lang=lang)
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "queued_by_someone_else" and text in error["message"]
    assert _stored(app) == 0


def test_a_scan_naming_the_person_logged_in_counts(app, logged_in, make_point, submit):
    guard = logged_in(Role.GUARD)
    assert submit(make_point(), person_id=guard.id).status_code == 201
    assert _stored(app) == 1


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_logging_out_tells_the_browser_to_forget_what_the_pages_kept(client, logged_in, accept):
    """The logout answer clears the phone's storage for this site (the check-in page's unsent
    scans), whichever page the logout came from and even if no script ran."""
    logged_in(Role.GUARD)
    response = client.post("/logout", headers={"Accept": accept})
    assert response.status_code in (200, 302)
    assert response.headers["Clear-Site-Data"] == '"storage"'
