"""The wanjia command: demo seeding and account creation."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from app import create_app
from app.cli import main as wanjia
from app.extensions import db
from checkins.models import PatrolPoint
from rewards.models import Gift
from volunteers.models import Grid, User


def test_the_demo_seeds_a_realistic_police_area_once(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    runner = CliRunner()
    first = runner.invoke(wanjia, ["demo"])
    assert first.exit_code == 0, first.output
    assert "seeded" in first.output
    for phone in ("13900000001", "13900000010", "13600000001", "13700000001", "13800000001"):
        assert phone in first.output
    again = runner.invoke(wanjia, ["demo"])
    assert "already there" in again.output
    app = create_app(instance_path=str(tmp_path))
    with app.app_context():
        roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert roles == {
            "volunteer": 200,
            "guard": 20,
            "grid_worker": 11,
            "officer": 2,
            "dispatcher": 1,
            "admin": 1,
        }
        assert db.session.scalar(select(func.count()).select_from(Grid)) == 11
        assert db.session.scalar(select(func.count()).select_from(PatrolPoint)) == 40
        assert db.session.scalar(select(func.count()).select_from(Gift)) >= 5
        points = db.session.scalars(select(PatrolPoint)).all()
        assert all(33.37 < p.lat < 33.39 and 120.15 < p.lon < 120.17 for p in points)
        db.engine.dispose()


def test_create_user_makes_a_login_and_refuses_bad_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    runner = CliRunner()
    runner.invoke(wanjia, ["demo"])
    ok = runner.invoke(
        wanjia,
        [
            "create-user",
            "--name",
            "赵所长",
            "--phone",
            "13911119999",
            "--role",
            "admin",
            "--password",
            "long-password",
        ],
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        wanjia, ["create-user", "--name", "x", "--phone", "123", "--password", "abcdefg"]
    )
    assert bad.exit_code != 0
    assert "phone_malformed" in bad.output
    app = create_app(instance_path=str(tmp_path))
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.phone == "13911119999")) == "admin"
        db.engine.dispose()
