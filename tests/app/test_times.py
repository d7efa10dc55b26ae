"""Every time a page shows is in the police room's zone (LOCAL_TIMEZONE), formatted one way."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from app.times import format_time, local_zone
from app.uow import unit_of_work
from checkins.models import CheckIn, PatrolPoint
from rewards import ledger, reasons
from tests.conftest import log_in

LATE_EVENING_UTC = datetime(2026, 3, 1, 19, 14, tzinfo=UTC)  # 03:14 on 2 March in Shanghai


@pytest.mark.parametrize(
    ("value", "style", "shown"),
    [
        (LATE_EVENING_UTC, "datetime", "2026-03-02 03:14"),
        (LATE_EVENING_UTC, "date", "2026-03-02"),
        (LATE_EVENING_UTC, "time", "03:14"),
        (LATE_EVENING_UTC.replace(tzinfo=None), "datetime", "2026-03-02 03:14"),  # naive is UTC
        (
            LATE_EVENING_UTC.astimezone(timezone(timedelta(hours=-5))),
            "datetime",
            "2026-03-02 03:14",
        ),
        ("2026-03-01T19:14:00+00:00", "datetime", "2026-03-02 03:14"),  # a JSON answer's text
        ("2026-03-02T03:14:00+08:00", "datetime", "2026-03-02 03:14"),
        (time(21, 5), "datetime", "21:05"),  # a time of day is wall-clock time already
        (date(2026, 3, 1), "datetime", "2026-03-01"),
        (None, "datetime", ""),
        ("", "datetime", ""),
        ("not a time", "datetime", "not a time"),
    ],
)
def test_a_time_is_shown_in_the_local_zone(app, value, style, shown):
    with app.app_context():
        assert format_time(value, style) == shown


def test_the_zone_is_the_setting(app):
    app.config["LOCAL_TIMEZONE"] = "Asia/Urumqi"  # UTC+6
    with app.app_context():
        assert str(local_zone()) == "Asia/Urumqi"
        assert format_time(LATE_EVENING_UTC) == "2026-03-02 01:14"


def test_the_points_page_and_the_check_in_page_show_the_same_local_time(
    app, client, make_user, area
):
    """A check-in at 03:14 local (19:14 UTC the day before) paid points: both "我的打卡" and
    "我的积分" say 03:14 on the 2nd; neither says 19:14 on the 1st."""
    user = make_user()
    with app.app_context(), unit_of_work() as uow:
        point = PatrolPoint(name="菜市场入口", lat=33.38, lon=120.16, grid_id=area["grid_ids"][0])
        uow.session.add(point)
        uow.session.flush()
        checkin = CheckIn(
            user_id=user.id,
            point_id=point.id,
            token="t",
            status="valid",
            points=10,
            server_time=LATE_EVENING_UTC,
            observed_at=LATE_EVENING_UTC,
        )
        uow.session.add(checkin)
        uow.session.flush()
        ledger.award(
            uow,
            user_id=user.id,
            delta=10,
            reason=reasons.CHECKIN,
            source_type="checkin",
            source_id=checkin.id,
            at=LATE_EVENING_UTC,
        )
        uow.commit()
    log_in(client, user)
    for page in ("/me/checkins", "/me/points"):
        text = client.get(page, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "2026-03-02 03:14" in text, page
        assert "19:14" not in text and "2026-03-01" not in text, page
