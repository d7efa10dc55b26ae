"""The officer's day on the police room's PC: the officer lands on it after logging in, sees
the figures, the map of patrol points and the chart, and a check-in made on a phone elsewhere
shows on the page without a reload."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import DEMO_LOGINS, log_in, no_horizontal_scroll, shot

JSON = {"Accept": "application/json"}
M_PER_DEG_LAT = 110_900.0
WALKER = "13600000077"  # a demo volunteer no other browser test uses


def _figure(page: Any, name: str) -> int:
    return int(page.locator(f"#k-{name}").inner_text())


def _check_in_elsewhere(browser: Any, live_server: str) -> int:
    """A volunteer checks in at one of the area's points through the API, from a context of
    their own; returns the answer's status (201 counted, 202 held for the officer)."""
    officer = browser.new_context(base_url=live_server, locale="zh-CN")
    walker = browser.new_context(base_url=live_server, locale="zh-CN")
    try:
        page = officer.new_page()
        log_in(page, DEMO_LOGINS["officer"])
        points = page.request.get("/api/points", headers=JSON).json()["points"]
        phone = walker.new_page()
        log_in(phone, WALKER)
        csrf = phone.locator('meta[name="csrf-token"]').get_attribute("content")
        for point in reversed(points):  # the first points are other tests' own
            answer = phone.request.post(
                "/api/checkins",
                data={
                    "token": point["url"].rsplit("/", 1)[1],
                    "lat": point["lat"] + 4 / M_PER_DEG_LAT,  # a few metres off, as fixes are
                    "lon": point["lon"],
                    "accuracy": 10,
                },
                headers={**JSON, "X-CSRFToken": csrf},
            )
            if answer.status in (201, 202):
                return answer.status
        raise AssertionError("no point took the check-in")
    finally:
        officer.close()
        walker.close()


def test_the_officer_lands_on_the_day_and_sees_a_check_in_live(
    browser: Any, live_server: str, desktop: Any
) -> None:
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    assert page.url.endswith("/officer")
    page.wait_for_function("() => Number(document.body.dataset.loaded) >= 1")
    page.locator("#live.ok").wait_for()
    assert page.locator("#hours-chart canvas").count() >= 1
    assert page.locator("#day-map.leaflet-container").is_visible()
    assert page.locator("#day-map path.leaflet-interactive").count() >= 40  # points and grids
    assert page.locator("#grid-rows tr").count() == 11
    assert page.get_by_role("link", name="实时指挥台").is_visible()
    no_horizontal_scroll(page)
    # The figures, map and chart fit the police room's screen without scrolling.
    chart_bottom = page.locator("#hours-chart").evaluate("el => el.getBoundingClientRect().bottom")
    assert chart_bottom <= 900
    shot(page, "desktop-officer-day", full_page=False)

    checkins, held = _figure(page, "checkins"), _figure(page, "held")
    status = _check_in_elsewhere(browser, live_server)
    changed = (
        f"() => Number(document.getElementById('k-checkins').textContent) === {checkins + 1}"
        if status == 201
        else f"() => Number(document.getElementById('k-held').textContent) === {held + 1}"
    )
    page.wait_for_function(changed, timeout=15_000)  # at most one refresh per 5 s
    shot(page, "desktop-officer-day-after-checkin", full_page=True)
