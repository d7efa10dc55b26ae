"""Shared duty phones (issue 17): the check-in page keeps its offline queue per person and
forgets it at logout, so one guard's unsent scans never go out under the next guard's login.

The live server is shared by the whole session: these tests use demo guards no other test uses.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.helpers import log_in
from tests.e2e.test_checkin import (
    QUEUE_KEY,
    demo_points,  # noqa: F401 - a fixture
    history,
    position,
    poster_path,
    queue,
    status_is,
)

pytestmark = pytest.mark.e2e

GUARD_A = "13700000015"  # hands the phone over
# Who takes it, one per way of logging out (each checks in once: the rules are per person).
GUARD_B = {
    "profile page": "13700000016",
    "check-in page": "13700000005",
    "no script": "13700000006",
}
GUARD_C = "13700000017"  # hands it over without logging out
GUARD_D = "13700000018"  # takes it so


def queues_on_the_phone(page: Any) -> dict[str, list[dict[str, Any]]]:
    """Every check-in queue kept in the phone's storage, by key."""
    raw = page.evaluate(
        """(prefix) => Object.keys(localStorage).filter(k => k.startsWith(prefix))
             .reduce((all, k) => Object.assign(all, {[k]: localStorage.getItem(k)}), {})""",
        QUEUE_KEY,
    )
    return {key: json.loads(value) for key, value in raw.items()}


def scan_offline(phone: Any, page: Any, point: dict[str, Any]) -> dict[str, Any]:
    """Open the point's poster with no way to reach the server: the scan waits on the phone."""
    phone.set_geolocation(position(point))
    page.route("**/api/checkins", lambda route: route.abort("internetdisconnected"))
    page.goto(poster_path(point))
    status_is(page, "queued")
    page.unroute("**/api/checkins")
    return queue(page)[-1]


def scan_online(phone: Any, page: Any, point: dict[str, Any]) -> list[dict[str, Any]]:
    """Open the point's poster online; return every check-in the page sent."""
    sent: list[Any] = []
    page.on("request", lambda r: sent.append(r) if r.url.endswith("/api/checkins") else None)
    phone.set_geolocation(position(point))
    page.goto(poster_path(point))
    status_is(page, "done")
    page.wait_for_timeout(300)  # anything else the page would send goes out meanwhile
    return [r.post_data_json for r in sent]


def without_clear_site_data(route: Any) -> None:
    """The logout answer without its Clear-Site-Data header: only the page's script clears."""
    response = route.fetch(max_redirects=0)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "clear-site-data"}
    route.fulfill(response=response, headers=headers)


def log_out(page: Any, how: str) -> None:
    if how == "profile page":  # another page than the check-in page, its script alone
        page.goto("/profile")
        page.route("**/logout", without_clear_site_data)
        with page.expect_navigation():
            page.click("footer form button[type=submit]")
    elif how == "check-in page":  # the check-in page's own script alone
        page.route("**/logout", without_clear_site_data)
        with page.expect_navigation():
            page.click("footer form button[type=submit]")
    else:  # the form sent without any script running: the logout answer's header alone
        with page.expect_navigation():
            page.evaluate("() => document.querySelector('footer form').submit()")
    page.unroute("**/logout")
    assert page.locator("h1").inner_text() == "登录"


@pytest.mark.parametrize("how", ["profile page", "check-in page", "no script"])
def test_a_guards_queued_scans_are_cleared_at_logout_and_never_sent_under_the_next_login(
    phone: Any,
    demo_points: list[dict[str, Any]],  # noqa: F811
    how: str,
) -> None:
    """Guard A scans two points without network, then logs out: from another page, from the
    check-in page, or with no script at all (the logout answer clears the phone's storage).
    The phone forgets A's scans; guard B logs in on the same phone and checks in: only B's scan
    goes out, under B's name, and A's history is unchanged."""
    page = phone.new_page()
    log_in(page, GUARD_A)
    before_a = history(page)
    waiting = [scan_offline(phone, page, point) for point in demo_points[20:22]]
    a_key = f"{QUEUE_KEY}.{waiting[0]['person_id']}"
    assert list(queues_on_the_phone(page)) == [a_key]
    assert [w["client_id"] for w in queues_on_the_phone(page)[a_key]] == [
        w["client_id"] for w in waiting
    ]
    assert all(w["queued_offline"] is True for w in waiting)

    log_out(page, how)
    assert queues_on_the_phone(page) == {}

    log_in(page, GUARD_B[how])
    before_b = history(page)
    point = demo_points[22]
    sent = scan_online(phone, page, point)
    assert len(sent) == 1
    assert sent[0]["client_id"] not in {w["client_id"] for w in waiting}
    assert sent[0]["person_id"] != waiting[0]["person_id"]
    after_b = history(page)
    assert after_b["valid_today"] == before_b["valid_today"] + 1
    assert after_b["checkins"][0]["point"] == point["name"]

    log_out(page, "profile page")
    log_in(page, GUARD_A)
    assert history(page) == before_a


def test_without_a_logout_each_person_keeps_their_own_queue(
    phone: Any,
    demo_points: list[dict[str, Any]],  # noqa: F811
) -> None:
    """Guard C leaves a scan waiting and guard D simply logs in over C's login. D's check-in
    page sends only D's scan; C's stays on the phone under C, and goes out (as C's) when C
    logs in again and opens the page."""
    page = phone.new_page()
    log_in(page, GUARD_C)
    before_c = history(page)
    c_point = demo_points[25]
    c_scan = scan_offline(phone, page, c_point)

    log_in(page, GUARD_D)
    sent = scan_online(phone, page, demo_points[26])
    assert len(sent) == 1 and sent[0]["client_id"] != c_scan["client_id"]
    assert history(page)["checkins"][0]["point"] == demo_points[26]["name"]
    c_key = f"{QUEUE_KEY}.{c_scan['person_id']}"
    assert [w["client_id"] for w in queues_on_the_phone(page)[c_key]] == [c_scan["client_id"]]

    log_in(page, GUARD_C)
    sent = scan_online(phone, page, c_point)  # the saved scan here is sent, not a second one
    assert [s["client_id"] for s in sent] == [c_scan["client_id"]]
    after_c = history(page)
    assert after_c["valid_today"] == before_c["valid_today"] + 1
    assert after_c["checkins"][0]["point"] == c_point["name"]
    assert not any(queues_on_the_phone(page).values())  # nothing left to send


def test_a_page_left_open_under_someone_elses_login_keeps_its_scans(
    phone: Any,
    demo_points: list[dict[str, Any]],  # noqa: F811
) -> None:
    """A check-in page opened by guard C, with C's scan waiting, stays open while guard D logs
    in in another tab. When the network comes back, the old page sends C's scan under D's
    login: refused (the page's CSRF token was C's login's; were it not, the server would refuse
    a scan that names another person, tests/checkins/test_shared_phone.py), nothing counts for
    D, and the page keeps the scan for C."""
    page = phone.new_page()
    log_in(page, GUARD_C)
    c_before = history(page)
    point = demo_points[27]
    phone.set_geolocation(position(point))
    page.route("**/api/checkins", lambda route: route.abort("internetdisconnected"))
    page.goto(poster_path(point))
    status_is(page, "queued")
    [waiting] = queue(page)

    other = phone.new_page()
    log_in(other, GUARD_D)
    d_before = history(other)
    page.unroute("**/api/checkins")
    with page.expect_response("**/api/checkins") as answered:
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
    response = answered.value
    assert response.status == 400
    assert response.json()["error"]["code"] == "csrf_failed"
    page.wait_for_timeout(200)
    assert [w["client_id"] for w in queue(page)] == [waiting["client_id"]]
    assert history(other) == d_before
    log_in(other, GUARD_C)
    assert history(other) == c_before
