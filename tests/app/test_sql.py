"""Prepared statements: the same rows in and out as through SQLAlchemy, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select

from app.extensions import db
from app.sql import Prepared
from app.uow import unit_of_work
from checkins.models import CheckIn, PatrolDay

_checkins = CheckIn.__table__
AT = datetime(2026, 11, 30, 23, 30, 15, 123456, tzinfo=UTC)


def _attempt(user_id: int, client_id: str, at: datetime) -> dict:
    return {
        "user_id": user_id,
        "token": "t",
        "client_id": client_id,
        "status": "valid",
        "reason": None,
        "suspicious": True,
        "lat": 33.38,
        "lon": 120.16,
        "accuracy_m": 8.5,
        "distance_m": 3.25,
        "device_time": None,
        "server_time": at,
        "observed_at": at,
        "points": 10,
        "detail": {"distance": 512, "note": "远"},
    }


_INSERT = Prepared(lambda d: d.insert(_checkins).on_conflict_do_nothing().returning(_checkins.c.id))
_SINCE = Prepared(
    lambda _: (
        select(
            _checkins.c.client_id,
            _checkins.c.observed_at,
            _checkins.c.suspicious,
            _checkins.c.detail,
            _checkins.c.lat,
        )
        .where(
            _checkins.c.user_id == bindparam("user_id"),
            _checkins.c.status == "valid",
            _checkins.c.observed_at >= bindparam("since", type_=CheckIn.observed_at.type),
        )
        .order_by(_checkins.c.observed_at)
    )
)


@pytest.mark.both_databases
def test_rows_written_and_read_match_sqlalchemys_own(app, make_user):
    user = make_user()
    with app.app_context(), unit_of_work() as uow:
        conn = uow.connection
        prepared_id = _INSERT.scalar(conn, _attempt(user.id, "prepared", AT))
        conn.execute(insert(_checkins), _attempt(user.id, "core", AT + timedelta(seconds=1)))
        again = _INSERT.scalar(conn, _attempt(user.id, "prepared", AT))
        uow.commit()
    assert isinstance(prepared_id, int) and again is None  # the conflict inserted nothing

    with app.app_context():
        stored = {c.client_id: c for c in db.session.scalars(select(CheckIn))}
        assert stored["prepared"].observed_at == AT and stored["prepared"].suspicious is True
        assert stored["prepared"].detail == {"distance": 512, "note": "远"}
        # A datetime bound by the prepared statement compares with one SQLAlchemy stored.
        conn = db.session.connection()
        params = {"user_id": user.id, "since": AT + timedelta(microseconds=1)}
        assert [row[0] for row in _SINCE.rows(conn, params)] == ["core"]
        both = _SINCE.rows(conn, {"user_id": user.id, "since": AT})
        assert both == [
            tuple(row) for row in conn.execute(_SINCE._build(conn), params | {"since": AT})
        ]
        assert both[0][1] == AT and both[0][1].tzinfo is not None
        assert both[0][2:4] == (True, {"distance": 512, "note": "远"})


_ADD_DAY = Prepared(lambda d: d.insert(PatrolDay.__table__).on_conflict_do_nothing())


@pytest.mark.both_databases
def test_many_runs_once_per_row(app, make_user):
    user = make_user()
    days = [datetime(2026, 11, d, tzinfo=UTC).date() for d in (1, 2, 2, 3)]
    with app.app_context(), unit_of_work() as uow:
        _ADD_DAY.many(uow.connection, [{"user_id": user.id, "day": day} for day in days])
        uow.commit()
    with app.app_context():
        stored = db.session.scalars(select(PatrolDay.day).order_by(PatrolDay.day)).all()
    assert stored == sorted(set(days))


def test_an_insert_leaving_out_a_python_default_is_refused(app, make_user):
    user = make_user()
    lacking = _attempt(user.id, "c", AT)
    del lacking["suspicious"]  # the model fills it in Python, which a prepared run would skip
    with app.app_context(), unit_of_work() as uow, pytest.raises(ValueError, match="suspicious"):
        _INSERT.scalar(uow.connection, lacking)
