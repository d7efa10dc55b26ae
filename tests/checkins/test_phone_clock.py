"""The phone's clock does not decide the rules: it dates only an attempt the page queued offline,
such an attempt is judged at server time too, few count a day, and a phone clock far from the
server's puts the attempt on the officers' list (issue 17)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from checkins.models import CheckIn
from checkins.queries import refusal_text
from rewards.models import LedgerEntry

MINUTES = [timedelta(minutes=m) for m in (0, 31, 62, 93)]


def _rows(app, user_id):
    with app.app_context():
        return db.session.scalars(
            select(CheckIn).where(CheckIn.user_id == user_id).order_by(CheckIn.id)
        ).all()


def _paid(app, user_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.user_id == user_id)
        )


@pytest.mark.both_databases
@pytest.mark.parametrize("queued_offline", [False, True], ids=["as-sent", "marked-queued"])
def test_a_scan_10_km_away_a_second_later_is_too_fast_whatever_time_the_phone_claims(
    app, logged_in, make_point, submit, queued_offline
):
    """The issue's first attack: the phone says the far scan was 100 minutes ago, which would
    make the journey slow enough. Unmarked, its time is ignored; marked as queued offline, it
    is judged at server time as well, a second after the near one."""
    user = logged_in(Role.GUARD)
    near = make_point(name="东门")
    far = make_point(name="十公里外", lat=near.lat + 0.09)  # 10 km north
    assert submit(near).status_code == 201
    response = submit(far, ago=timedelta(minutes=100), queued_offline=queued_offline, lang="zh-CN")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "too_fast"
    assert _paid(app, user.id) == 1
    refused = _rows(app, user.id)[-1]
    assert (refused.status, refused.reason, refused.suspicious) == ("refused", "too_fast", True)
    assert refused.detail["clock_gap_minutes"] == 100


@pytest.mark.both_databases
@pytest.mark.parametrize("queued_offline", [False, True], ids=["as-sent", "marked-queued"])
def test_one_visit_sent_four_times_with_ever_earlier_phone_times_pays_once(
    app, logged_in, make_point, submit, queued_offline
):
    """The issue's second attack: one visit, sent with the phone's time now and 31, 62 and 93
    minutes earlier (each beyond the cooldown of the one before). At server time they are the
    same point within the cooldown: the first pays, the rest are refused and flagged."""
    user = logged_in(Role.GUARD)
    point = make_point()
    answers = [submit(point, ago=ago, queued_offline=queued_offline) for ago in MINUTES]
    assert [a.status_code for a in answers] == [201, 409, 409, 409]
    assert {a.get_json()["error"]["code"] for a in answers[1:]} == {"cooldown"}
    assert _paid(app, user.id) == 1
    rows = _rows(app, user.id)
    assert [r.suspicious for r in rows] == [False, True, True, True]
    assert [(r.detail or {}).get("clock_gap_minutes") for r in rows] == [None, 31, 62, 93]


@pytest.mark.both_databases
def test_the_same_visit_replayed_oldest_first_is_flagged_and_late_ones_are_capped(
    app, logged_in, make_point, submit
):
    """Oldest first, the replay tells the story of a phone offline at one post for an hour and
    a half, which the server cannot tell from the truth: each late one is flagged for officers
    (its clock 30+ minutes from the server's), and only ``CHECKIN_LATE_DAILY_CAP`` late ones
    count a day. A scan sent live is not late and still counts."""
    app.config["CHECKIN_LATE_DAILY_CAP"] = 2
    user = logged_in(Role.GUARD)
    point = make_point()
    answers = [submit(point, ago=ago) for ago in reversed(MINUTES[1:])]
    assert [a.status_code for a in answers] == [201, 201, 409]
    capped = answers[-1].get_json()["error"]
    assert capped["code"] == "late_cap" and "2 check-ins sent late" in capped["message"]
    rows = _rows(app, user.id)
    assert [(r.status, r.suspicious) for r in rows] == [("valid", True)] * 2 + [("refused", True)]
    assert [r.reason for r in rows] == ["clock_gap", "clock_gap", "late_cap"]
    assert submit(point).status_code == 201  # live: the last one counted here was 62 min ago
    assert _paid(app, user.id) == 3


@pytest.mark.both_databases
def test_an_honest_offline_queue_sent_later_still_pays_at_the_times_it_was_scanned(
    app, logged_in, make_point, submit
):
    """A guard walks three points 1 km apart without network, the page sends its queue in
    order when the network is back, then the next point is scanned live: all four count, at
    the times they were scanned, and none is flagged."""
    user = logged_in(Role.GUARD)
    points = [make_point(name=f"点{i}", lat=33.38 + i * 0.009) for i in range(4)]
    scanned = [timedelta(minutes=m) for m in (25, 15, 5)]
    for point, ago in zip(points, scanned, strict=False):
        assert submit(point, ago=ago).status_code == 201
    assert submit(points[3]).status_code == 201
    assert _paid(app, user.id) == 4
    rows = _rows(app, user.id)
    late = [r.server_time - r.observed_at for r in rows]
    for lag, ago in zip(late, scanned, strict=False):
        assert ago <= lag < ago + timedelta(seconds=5)
    assert late[3] == timedelta(0)
    assert not any(r.suspicious for r in rows)


@pytest.mark.both_databases
def test_a_live_scan_is_dated_by_the_server_and_a_far_off_phone_clock_is_flagged(
    app, logged_in, make_point, submit
):
    user = logged_in(Role.GUARD)
    assert submit(make_point(), ago=timedelta(minutes=45), queued_offline=False).status_code == 201
    [row] = _rows(app, user.id)
    assert row.observed_at == row.server_time
    assert (row.status, row.suspicious, row.reason) == ("valid", True, "clock_gap")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert refusal_text(row.reason, row.detail) == "提交时手机时间与服务器时间相差 45 分钟。"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "45 minutes away" in refusal_text(row.reason, row.detail)


def test_a_late_scan_within_the_gap_setting_is_not_flagged(app, logged_in, make_point, submit):
    app.config["CHECKIN_CLOCK_GAP_SUSPICIOUS_MINUTES"] = 60
    user = logged_in(Role.GUARD)
    assert submit(make_point(), ago=timedelta(minutes=45)).status_code == 201
    [row] = _rows(app, user.id)
    assert (row.suspicious, row.reason) == (False, None)
    assert row.server_time - row.observed_at > timedelta(minutes=44)
