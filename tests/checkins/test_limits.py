"""Unbounded calls (issue 17): check-ins are limited per person (not per address), and refused
attempts beyond a day's allowance are counted, not stored."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from checkins.models import CheckIn, RefusalDay
from tests.conftest import log_in

RATE = {"RATELIMIT_ENABLED": True, "CHECKIN_RATE_LIMIT": "3 per minute"}


def _stored(app, user_id, status=None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(CheckIn).where(CheckIn.user_id == user_id)
        if status:
            query = query.where(CheckIn.status == status)
        return db.session.scalar(query)


class TestRateLimit:
    @pytest.fixture
    def app_settings(self):
        return RATE

    @pytest.mark.parametrize(
        ("lang", "text"),
        [("zh-CN", "您的账号短时间内提交的打卡太多"), ("en", "Too many check-ins sent")],
    )
    def test_a_person_sending_check_ins_too_fast_is_told_to_wait(
        self, app, logged_in, make_point, submit, lang, text
    ):
        user = logged_in(Role.GUARD)
        point = make_point()
        answers = [submit(point, lang=lang).status_code for _ in range(3)]
        assert answers == [201, 409, 409]  # counted, then the cooldown: each one answered
        over = submit(point, lang=lang)
        assert over.status_code == 429
        error = over.get_json()["error"]
        assert error["code"] == "too_many_checkins" and text in error["message"]
        assert _stored(app, user.id) == 3  # the one over the limit never reached the rules

    def test_the_limit_is_the_persons_not_the_addresss(
        self, app, client, logged_in, make_user, make_point, submit, token_for
    ):
        """Many phones share one address (carrier NAT, the police room's Wi-Fi): a second
        person there checks in; the first, on another address, is still limited."""
        logged_in(Role.GUARD)
        point = make_point()
        for _ in range(3):
            submit(point)
        # A few metres off: exactly on the point's coordinates is held as a faked position.
        body = {
            "token": token_for(point),
            "lat": point.lat + 0.00003,
            "lon": point.lon + 0.00003,
            "accuracy": 10,
        }
        moved = client.post("/api/checkins", json=body, environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert moved.status_code == 429

        other = app.test_client()
        log_in(other, make_user(Role.GUARD))
        assert other.post("/api/checkins", json=body).status_code == 201


@pytest.mark.both_databases
def test_refusals_beyond_the_days_allowance_are_counted_not_stored(
    app, logged_in, make_point, submit
):
    app.config["CHECKIN_REFUSALS_STORED_PER_DAY"] = 3
    user = logged_in(Role.GUARD)
    point = make_point()
    answers = [submit(point, token="forged").get_json()["error"]["code"] for _ in range(5)]
    assert answers == ["qr_invalid"] * 5  # the person is answered the same
    assert _stored(app, user.id) == 3
    with app.app_context():
        [counted] = db.session.scalars(select(RefusalDay)).all()
    today = datetime.now(ZoneInfo(app.config["LOCAL_TIMEZONE"])).date()
    assert (counted.user_id, counted.day, counted.refused) == (user.id, today, 5)
    assert submit(point).status_code == 201  # a good check-in is kept and paid as ever
    assert _stored(app, user.id, "valid") == 1
    assert submit(point, metres=600).status_code == 422
    assert _stored(app, user.id) == 4
