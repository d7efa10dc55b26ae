"""Corrections are walled by police area: an officer of another area cannot correct a person
of this one (the 20,000-point correction a review found), see their corrections or decide on
them; each refusal is a 404 and nothing is paid."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.roles import Role
from rewards.models import LedgerEntry
from tests.conftest import STAFF_PASSWORD, log_in


@pytest.fixture
def app_settings():
    return {"CORRECTION_APPROVAL_ABOVE": 100}


def _entries(app, user_id):
    with app.app_context():
        from app.extensions import db

        return db.session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.user_id == user_id)
        )


@pytest.mark.both_databases
def test_an_officer_of_another_area_cannot_correct_this_areas_people(
    app, client, make_user, outsider
):
    volunteer = make_user(Role.VOLUNTEER)
    log_in(client, outsider, password=STAFF_PASSWORD)
    response = client.post(
        "/api/corrections",
        json={"user_id": volunteer.id, "delta": 50, "note": "越区调整积分"},
    )
    assert response.status_code == 404
    assert _entries(app, volunteer.id) == 0


@pytest.mark.both_databases
def test_another_areas_officer_neither_sees_nor_decides_a_waiting_correction(
    app, make_user, outsider
):
    volunteer, own_officer = make_user(Role.VOLUNTEER), make_user(Role.OFFICER)
    asker = app.test_client()
    log_in(asker, own_officer)
    asked = asker.post(
        "/api/corrections", json={"user_id": volunteer.id, "delta": 500, "note": "补记一个月的巡逻"}
    )
    assert asked.status_code == 202, asked.get_json()
    correction_id = asked.get_json()["correction"]["id"]
    stranger = app.test_client()
    log_in(stranger, outsider, password=STAFF_PASSWORD)
    listed = stranger.get("/officer/corrections", headers={"Accept": "application/json"})
    assert correction_id not in {c["id"] for c in listed.get_json()["corrections"]}
    approve = stranger.post(f"/api/corrections/{correction_id}/approve", json={})
    assert approve.status_code == 404
    assert _entries(app, volunteer.id) == 0
