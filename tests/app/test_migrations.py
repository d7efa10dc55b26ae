"""Migrations are the only way the schema is made: they go up and down on both databases and
agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app.extensions import db
from volunteers.models import PoliceArea, User


@pytest.mark.both_databases
def test_the_models_and_the_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


@pytest.mark.both_databases
def test_migrations_downgrade_to_nothing_and_upgrade_again(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
    assert {"users", "grids", "patrol_points", "gifts", "login_sessions"} <= tables


@pytest.mark.both_databases
def test_stations_carry_existing_areas_and_staff_over(app, make_user, area):
    """Migration 0009 on a database with data: the areas go under one station, officers and
    dispatchers into their community's area; field people are not police-room staff."""
    officer, volunteer = make_user("officer"), make_user("volunteer")
    with app.app_context():
        downgrade(revision="0008")
        upgrade()
        rows = db.session.execute(select(PoliceArea.id, PoliceArea.station_id)).all()
        assert [station for _id, station in rows] == [rows[0][1]] and rows[0][1] is not None
        staff = db.session.get(User, officer.id)
        field = db.session.get(User, volunteer.id)
        assert (staff.police_area_id, field.police_area_id) == (area["police_area_id"], None)
        db.session.remove()
