"""The demo's appointments: a resident login who met 陈警官 yesterday and may rate it, her new
booking waiting for his answer, and five neighbours' ratings that show his average."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from app import create_app
from app.cli import main as wanjia
from app.demo import DEMO_LOGINS
from app.extensions import db
from app.types import utcnow
from police_room import ratings
from police_room.models import Appointment
from volunteers.models import User


def test_the_demo_resident_has_a_meeting_to_rate_and_a_booking_waiting(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    seeded = CliRunner().invoke(wanjia, ["demo"])
    assert seeded.exit_code == 0, seeded.output
    assert DEMO_LOGINS["resident"] == "13200000001" and "13200000001" in seeded.output
    app = create_app(instance_path=str(tmp_path))
    with app.app_context():
        resident = db.session.scalars(select(User).where(User.phone == "13200000001")).one()
        officer = db.session.scalars(select(User).where(User.name == "陈警官")).one()
        assert resident.role == "resident"
        mine = db.session.scalars(
            select(Appointment).where(Appointment.resident_id == resident.id)
        ).all()
        assert sorted(a.status for a in mine) == ["done", "requested"]
        assert all(ratings.can_rate(a, utcnow()) for a in mine if a.status == "done")
        assert ratings.rated(db.session(), [a.id for a in mine]) == {}
        assert ratings.public_rating(db.session(), officer.id) == (4.4, 5)
    page = app.test_client().get("/area/chengnan", headers={"Accept-Language": "zh-CN"})
    assert "居民评价：4.4 分" in page.get_data(as_text=True)
