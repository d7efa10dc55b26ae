"""The app's ORM session class: while a unit of work is open in this context, the session runs
on that unit's connection, inside its transaction (app/uow.py).

The unit owns the transaction; the session only joins it when something uses the ORM, so a
request that runs nothing but prebuilt statements (a check-in) never pays for the session's own
transaction bookkeeping.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Protocol

from flask_sqlalchemy.session import Session
from sqlalchemy.engine import Connection


class TransactionOwner(Protocol):
    def connection_for_session(self) -> Connection | None: ...


open_unit: ContextVar[TransactionOwner | None] = ContextVar("open_unit", default=None)


class JoinedSession(Session):
    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any) -> Any:
        if bind is None and (unit := open_unit.get()) is not None:
            joined = unit.connection_for_session()
            if joined is not None:
                return joined
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kw)
