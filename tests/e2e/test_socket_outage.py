"""The patrol page's live link through a database outage, on a real ``wanjia run`` and a
PostgreSQL database of this test's own: a reconnect that the server refuses while the database
is unreachable (``database_unavailable``) is tried again by the page, which is live again once
the database is back. Socket.IO's client never retries a refused connection by itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.roles import Role
from tests.app.test_database_outage import (  # noqa: F401 - fixtures: this test's own database
    OwnDatabase,
    app,
    own_db,
)
from tests.conftest import PASSWORD
from tests.e2e.helpers import PHONE, log_in
from tests.servers import running


def test_a_socket_refused_during_an_outage_connects_again_once_the_database_is_back(
    browser: Any,
    app: Any,  # noqa: F811 - the imported fixtures
    make_user: Any,
    own_db: OwnDatabase,  # noqa: F811
    tmp_path: Path,
) -> None:
    user = make_user(Role.VOLUNTEER)
    instance = tmp_path / "server"
    instance.mkdir()
    settings = {"DATABASE_URL": own_db.url, "SECRET_KEY": app.config["SECRET_KEY"]}
    with running(instance, **settings) as server:
        context = browser.new_context(base_url=server.base, **PHONE)
        try:
            page = context.new_page()
            log_in(page, user.phone, PASSWORD)
            page.goto("/field")
            page.locator("#live.ok").wait_for()
            refusals: list[Any] = []
            page.expose_function("noteRefusal", lambda code: refusals.append(code))
            page.evaluate(
                """() => wjfield.socket.on("connect_error", (err) =>
                    noteRefusal(err.data && err.data.error && err.data.error.code))"""
            )

            own_db.cut_off()
            page.evaluate("() => wjfield.socket.io.engine.close()")  # the link drops
            page.locator("#live.down").wait_for()
            page.wait_for_function("() => !wjfield.socket.connected")
            for _ in range(60):  # Socket.IO reconnects within its 1-5 s delay
                if refusals:
                    break
                page.wait_for_timeout(250)
            assert refusals[:1] == ["database_unavailable"], refusals

            own_db.let_back()
            page.locator("#live.ok").wait_for(timeout=15_000)
            assert page.evaluate("() => wjfield.socket.connected")
        finally:
            context.close()
