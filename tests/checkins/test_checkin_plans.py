"""Every statement a check-in runs searches an index: a station keeps every check-in and login
it ever had, and a scan that read a whole table would slow with the years (one did: the people
logged in on the scan's device, until migration 0021)."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from sqlalchemy import event

from app.extensions import db
from app.roles import Role

# SQLite's plan reads "SCAN <table>" for a whole table, "SCAN anon_1" for a subquery's rows.
_TABLE_SCAN = re.compile(r"^SCAN (?!anon_)\w+")


def test_no_statement_of_a_check_in_reads_a_whole_table(app, logged_in, make_point, submit):
    logged_in(Role.GUARD)
    first, second = make_point(), make_point(name="二号点", lat=33.3805)
    assert submit(first).status_code == 201
    with app.app_context():
        engine = db.engine
    statements: list[tuple[str, Any]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert submit(second).status_code == 201  # the login's read, the rules, the pay
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    searching = [
        (s, p)
        for s, p in statements
        if s.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE"))
    ]
    assert len(searching) >= 5, statements
    with sqlite3.connect(engine.url.database) as plain:
        for statement, parameters in searching:
            steps = [
                row[-1] for row in plain.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            assert not [s for s in steps if _TABLE_SCAN.match(s)], (statement, steps)
