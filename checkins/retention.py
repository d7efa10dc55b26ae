"""How long a check-in keeps where the phone was (DESIGN.md, privacy: purge position history
after a set period). Past ``CHECKIN_POSITION_DAYS`` a check-in keeps its point, time, status,
points and distance from the point (what patrol records, coverage and the barometer read) and
loses its latitude, longitude and accuracy. Held check-ins keep theirs until an officer has
decided them: the position is the evidence the decision needs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from app.uow import UnitOfWork
from checkins.models import HELD, CheckIn


def forget_old_positions(uow: UnitOfWork, older_than: datetime) -> int:
    """Clear the position of check-ins made before ``older_than``; returns how many."""
    cleared = uow.session.execute(
        update(CheckIn)
        .where(
            CheckIn.server_time < older_than,
            CheckIn.lat.is_not(None),
            CheckIn.status != HELD,
        )
        .values(lat=None, lon=None, accuracy_m=None)
    )
    return int(getattr(cleared, "rowcount", 0) or 0)
