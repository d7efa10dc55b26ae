"""The last positions, kept in the database so that a restart does not empty the live map.

Live positions sit in the presence store: this process's memory (embedded) or Redis (scaled).
After a restart of the embedded server (or of Redis) the store starts empty, and the first
dispatch round, run by the sweep at once, would ask nobody until the phones share again (every
``POSITION_INTERVAL_SECONDS``). Making rounds wait for the phones instead would delay the round
of an urgent incident by that interval after every restart and would need the sweep to know when
the server started; restoring is cheaper and is right at once. So each on-duty person's latest
position is also saved here, at most every ``POSITION_SAVE_SECONDS`` (a write per phone per
minute, not per share), and a new presence store loads the ones younger than the presence grace
(realtime.presence_backend): older ones would have left the live map anyway.

Privacy (DESIGN.md): one row per person, only while on duty. Going off duty deletes it in the
same transaction (`forget`, run by volunteers.duty), a save re-checks the duty under the
person's row lock, and the presence sweep deletes rows older than the grace (a phone that went
quiet without going off duty).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.sql import lock_row, per_dialect
from app.uow import UnitOfWork
from realtime.models import LastPosition
from realtime.presence import PresenceStore, Seen
from volunteers.models import User


def due(session: Session, seen: Seen, *, every: timedelta) -> bool:
    """Whether ``seen`` should be saved: none is stored yet, or the stored one is ``every`` old."""
    saved = session.scalar(select(LastPosition.seen_at).where(LastPosition.user_id == seen.user_id))
    return saved is None or seen.seen_at - saved >= every


def _upsert(dialect: Any) -> Any:
    table = LastPosition.__table__
    insert = dialect.insert(table)
    return insert.on_conflict_do_update(
        index_elements=[table.c.user_id],
        set_={c: insert.excluded[c] for c in ("lat", "lon", "accuracy_m", "seen_at")},
    )


_UPSERT = per_dialect(_upsert)


def save(uow: UnitOfWork, seen: Seen) -> bool:
    """Store ``seen`` as the person's last position if they are still on duty (a concurrent
    going off duty, which deletes the row, is waited for under the person's row lock)."""
    session = uow.session
    lock_row(session, User, seen.user_id)
    on_duty = session.scalar(
        select(User.id).where(
            User.id == seen.user_id, User.on_duty.is_(True), User.active.is_(True)
        )
    )
    if on_duty is None:
        return False
    session.execute(
        _UPSERT(session),
        {
            "user_id": seen.user_id,
            "lat": seen.lat,
            "lon": seen.lon,
            "accuracy_m": seen.accuracy_m,
            "seen_at": seen.seen_at,
        },
    )
    return True


def forget(uow: UnitOfWork, user_id: int) -> None:
    """Delete the person's stored position (they went off duty)."""
    uow.session.execute(delete(LastPosition).where(LastPosition.user_id == user_id))


def forget_older(uow: UnitOfWork, older_than: datetime) -> None:
    """Delete stored positions not refreshed since ``older_than`` (phones gone quiet)."""
    uow.session.execute(delete(LastPosition).where(LastPosition.seen_at < older_than))


def restore(session: Session, presence: PresenceStore, *, newer_than: datetime) -> int:
    """Load into ``presence`` the stored positions seen after ``newer_than`` of people still on
    duty, except where the store already holds a position as recent (Redis outlives a web
    process). Returns how many were loaded."""
    rows = session.execute(
        select(LastPosition, User.role)
        .join(User, User.id == LastPosition.user_id)
        .where(
            LastPosition.seen_at > newer_than,
            User.on_duty.is_(True),
            User.active.is_(True),
        )
    ).all()
    held = presence.get_many(row.user_id for row, _role in rows)
    fresh = [
        Seen(row.user_id, role, row.lat, row.lon, row.accuracy_m, row.seen_at)
        for row, role in rows
        if row.user_id not in held or held[row.user_id].seen_at < row.seen_at
    ]
    presence.update_many(fresh)
    return len(fresh)
