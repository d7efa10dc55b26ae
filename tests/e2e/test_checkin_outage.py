"""The check-in page through a database outage (issue 22), on a real ``wanjia run`` and a real
PostgreSQL database of this test's own: the scan's POST is answered 503, the page keeps the
check-in on the phone, and once the database is back the page sends it again by itself (the
phone never went offline, so no "online" event helps) and it is counted once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.roles import Role
from checkins import tokens
from tests.app.test_database_outage import (  # noqa: F401 - fixtures: this test's own database
    OwnDatabase,
    _stored,
    app,
    own_db,
    point,
)
from tests.conftest import PASSWORD
from tests.e2e.helpers import PHONE, log_in
from tests.servers import running


def test_a_check_in_answered_503_stays_on_the_phone_and_goes_once_the_database_is_back(
    browser: Any,
    app: Any,  # noqa: F811 - the imported fixtures
    make_user: Any,
    point: tuple[int, str],  # noqa: F811
    own_db: OwnDatabase,  # noqa: F811
    tmp_path: Path,
) -> None:
    user = make_user(Role.VOLUNTEER)
    _point_id, token = point
    instance = tmp_path / "server"
    instance.mkdir()
    settings = {"DATABASE_URL": own_db.url, "SECRET_KEY": app.config["SECRET_KEY"]}
    with running(instance, **settings) as server:
        context = browser.new_context(
            base_url=server.base,
            **PHONE,
            permissions=["geolocation"],
            geolocation={"latitude": 33.3801, "longitude": 120.16, "accuracy": 10},
        )
        try:
            page = context.new_page()
            page.clock.install()  # time runs as usual until the test moves it on
            log_in(page, user.phone, PASSWORD)

            # The database goes away as the scan's check-in leaves the phone.
            def outage(route: Any) -> None:
                own_db.cut_off()
                route.continue_()

            with page.expect_response("**/api/checkins") as refused:
                page.route("**/api/checkins", outage)
                page.goto(tokens.check_in_path(token))
            assert refused.value.status == 503
            assert refused.value.json()["error"]["code"] == "database_unavailable"
            page.unroute("**/api/checkins")
            page.locator("#status.queued").wait_for(timeout=8_000)
            # Online all along: the page says the server, not the network, is the trouble.
            assert "警务室服务器暂时无法接收" in page.locator("#status").inner_text()
            [kept] = page.evaluate(
                "(key) => JSON.parse(localStorage.getItem(key))",
                f"wanjia.checkin.queue.{user.id}",
            )

            own_db.let_back()
            with page.expect_response("**/api/checkins") as resent:
                page.clock.fast_forward(30_000)
            assert resent.value.status == 201
            assert resent.value.request.post_data_json["client_id"] == kept["client_id"]
            page.locator("#status.done").wait_for(timeout=8_000)
            page.wait_for_function(
                "(key) => !JSON.parse(localStorage.getItem(key) || '[]').length",
                arg=f"wanjia.checkin.queue.{user.id}",
            )
        finally:
            context.close()
    assert _stored(app, kept["client_id"]) == 1
