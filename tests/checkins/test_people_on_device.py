"""How many people logged in lately on one device (browser and address): read by every scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.uow import unit_of_work
from checkins.attempts import people_on_device
from volunteers.models import LoginSession

NOW = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)
PHONE = ("Mozilla/5.0 (Linux; Android 10; K) Chrome/120.0 Mobile", "10.8.0.7")


def _login(session, login_id: str, user_id: int, minutes_ago: float, device=PHONE) -> None:
    session.add(
        LoginSession(
            id=login_id,
            user_id=user_id,
            created_at=NOW - timedelta(minutes=minutes_ago),
            expires_at=NOW + timedelta(days=30),
            user_agent=device[0],
            address=device[1],
        )
    )


@pytest.mark.both_databases
def test_people_are_counted_once_on_this_device_within_the_window(app, make_user):
    a, b, c, d = (make_user().id for _ in range(4))
    with app.app_context(), unit_of_work() as uow:
        _login(uow.session, "mine", a, 1)
        _login(uow.session, "a-again", a, 5)  # the same person twice counts once
        _login(uow.session, "b", b, 29)
        _login(uow.session, "c-long-ago", c, 31)  # outside the window
        _login(uow.session, "d-elsewhere", d, 2, device=(PHONE[0], "10.8.0.8"))
        _login(uow.session, "old", a, 45)
        uow.commit()
    with app.app_context():
        assert people_on_device(db.session, "mine", NOW, WINDOW) == 2
        assert people_on_device(db.session, "old", NOW, WINDOW) == 1  # older than the window
        assert people_on_device(db.session, "no-such-login", NOW, WINDOW) == 1
