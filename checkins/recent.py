"""A person's valid check-ins around one moment, read in one query.

The cooldown, the daily cap and the speed rule all ask about the same few rows: the valid
check-ins of the moment's local day and of the cooldown before it, plus the nearest one on each
side (offline check-ins arrive late, so a later one may already be stored). One indexed range
read gives them all; only when nothing in that range precedes the moment is the previous one
looked up further back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from app.sql import Prepared
from app.types import UTCDateTime
from checkins.models import VALID, CheckIn
from checkins.rules import Visit

_checkins = CheckIn.__table__


@dataclass(frozen=True)
class PastVisit(Visit):
    point_id: int | None


@dataclass(frozen=True)
class Recent:
    visits: tuple[PastVisit, ...]  # ordered by observed_at
    earlier: Visit | None  # the last one before the range, when none in it precedes the moment

    def nearest_at_point(self, point_id: int, at: datetime, window: timedelta) -> datetime | None:
        """The time of the valid check-in at this point closest to ``at`` within ``window``."""
        times = [
            v.observed_at
            for v in self.visits
            if v.point_id == point_id and abs(v.observed_at - at) < window
        ]
        return min(times, key=lambda t: abs(t - at)) if times else None

    def count_between(self, start: datetime, end: datetime) -> int:
        return sum(1 for v in self.visits if start <= v.observed_at < end)

    def neighbours(self, at: datetime) -> list[Visit]:
        """The valid check-ins just before (or at) and just after ``at``."""
        before = [v for v in self.visits if v.observed_at <= at]
        after = [v for v in self.visits if v.observed_at > at]
        found = [before[-1] if before else self.earlier, after[0] if after else None]
        return [v for v in found if v is not None]


_mine = (_checkins.c.user_id == bindparam("user_id"), _checkins.c.status == VALID)
_columns = (_checkins.c.lat, _checkins.c.lon, _checkins.c.observed_at)
_SINCE = Prepared(
    lambda _: select(*_columns, _checkins.c.point_id)
    .where(*_mine, _checkins.c.observed_at >= bindparam("since", type_=UTCDateTime()))
    .order_by(_checkins.c.observed_at)
)
_LAST_BEFORE = Prepared(
    lambda _: select(*_columns)
    .where(*_mine, _checkins.c.observed_at < bindparam("since", type_=UTCDateTime()))
    .order_by(_checkins.c.observed_at.desc())
    .limit(1)
)


def load(conn: Connection, user_id: int, at: datetime, since: datetime) -> Recent:
    """The person's valid check-ins observed from ``since`` on (``since`` <= ``at``)."""
    values = {"user_id": user_id, "since": since}
    visits = tuple(PastVisit(*row) for row in _SINCE.rows(conn, values))
    earlier = None
    if not visits or visits[0].observed_at > at:
        row = _LAST_BEFORE.first(conn, values)
        earlier = Visit(*row) if row else None
    return Recent(visits, earlier)
