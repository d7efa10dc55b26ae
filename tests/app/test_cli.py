"""The wanjia command: demo seeding and account creation."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from app import create_app, demo_second_area
from app.cli import main as wanjia
from app.extensions import db
from checkins.models import PatrolPoint
from rewards.models import Gift
from volunteers.models import Community, Grid, PoliceArea, User


def test_the_demo_seeds_a_station_with_two_police_areas_once(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    runner = CliRunner()
    first = runner.invoke(wanjia, ["demo"])
    assert first.exit_code == 0, first.output
    assert (
        "seeded" in first.output and "城南警务区" in first.output and "城北警务区" in first.output
    )
    for phone in ("13900000001", "13900000010", "13600000001", "13700000001", "13800000001"):
        assert phone in first.output
    for phone in demo_second_area.LOGINS.values():
        assert phone in first.output
    again = runner.invoke(wanjia, ["demo"])
    assert "already there" in again.output
    app = create_app(instance_path=str(tmp_path))
    with app.app_context():
        areas = db.session.scalars(select(PoliceArea).order_by(PoliceArea.id)).all()
        assert [a.name for a in areas] == ["城南警务区", "城北警务区"]
        assert len({a.station_id for a in areas}) == 1
        first_area = areas[0]
        roles = dict(
            db.session.execute(
                select(User.role, func.count())
                .join(Community, Community.id == User.community_id)
                .where(Community.police_area_id == first_area.id)
                .group_by(User.role)
            ).all()
        )
        assert roles == {
            "volunteer": 200,
            "guard": 20,
            "grid_worker": 11,
            "officer": 2,
            "dispatcher": 1,
            "admin": 1,
        }
        staff = db.session.scalars(
            select(User).where(User.role.in_(["officer", "dispatcher"]))
        ).all()
        assert {s.police_area_id for s in staff} == {a.id for a in areas}  # each in an area
        first_grids = (
            select(Grid.id).join(Community).where(Community.police_area_id == first_area.id)
        )
        assert db.session.scalar(select(func.count()).select_from(first_grids.subquery())) == 11
        points = db.session.scalars(
            select(PatrolPoint).where(PatrolPoint.grid_id.in_(first_grids))
        ).all()
        assert len(points) == 40
        assert all(33.37 < p.lat < 33.39 and 120.15 < p.lon < 120.17 for p in points)
        assert db.session.scalar(select(func.count()).select_from(Gift)) >= 5
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


def _serving_instead_of_serve(monkeypatch) -> list[tuple[str, int]]:
    """``wanjia run`` up to the point where it would serve: the (host, port) it would serve."""
    from app import serving

    served: list[tuple[str, int]] = []
    monkeypatch.setattr(serving, "serve", lambda app, host, port, *_: served.append((host, port)))
    return served


def test_a_network_address_with_demo_police_logins_needs_the_demo_flag(tmp_path, monkeypatch):
    """The README prints the demo admin's password: serving it to the network is a choice to
    say out loud (``--demo``), and then every page says it is demo data."""
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    served = _serving_instead_of_serve(monkeypatch)
    runner = CliRunner()
    assert runner.invoke(wanjia, ["demo"]).exit_code == 0

    refused = runner.invoke(wanjia, ["run", "--host", "0.0.0.0", "--no-worker"])  # noqa: S104
    assert refused.exit_code != 0 and served == []
    assert "--demo" in refused.output and "13900000000" in refused.output

    for host in ("127.0.0.1", "localhost", "::1"):  # only this machine can log in
        loopback = runner.invoke(wanjia, ["run", "--host", host, "--no-worker"])
        assert loopback.exit_code == 0, loopback.output
    assert served == [("127.0.0.1", 5000), ("localhost", 5000), ("::1", 5000)]

    said = runner.invoke(wanjia, ["run", "--host", "0.0.0.0", "--no-worker", "--demo"])  # noqa: S104
    assert said.exit_code == 0, said.output
    assert served[-1] == ("0.0.0.0", 5000)  # noqa: S104


def test_production_refuses_the_demo_flag(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WANJIA_PRODUCTION", "true")
    monkeypatch.setenv("WANJIA_SECRET_KEY", "x" * 20 + "a-long-random-production-secret")
    served = _serving_instead_of_serve(monkeypatch)
    result = CliRunner().invoke(wanjia, ["run", "--no-worker", "--demo"])
    assert result.exit_code != 0 and served == []
    assert "--demo is not for production" in result.output


def test_a_network_address_without_demo_logins_needs_no_flag(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    served = _serving_instead_of_serve(monkeypatch)
    result = CliRunner().invoke(wanjia, ["run", "--host", "0.0.0.0", "--no-worker"])  # noqa: S104
    assert result.exit_code == 0, result.output
    assert served == [("0.0.0.0", 5000)]  # noqa: S104


def test_pages_say_demo_data_only_when_served_with_the_demo_flag(app, client):
    assert "演示数据" not in client.get("/login").get_data(as_text=True)
    app.config["DEMO_BANNER"] = True
    page = client.get("/login").get_data(as_text=True)
    assert "演示数据 / demo data" in page
