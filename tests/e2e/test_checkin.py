"""QR patrol points and check-ins, as the three users meet them.

A guard scans a poster while logged out, logs in and is checked in at once; a volunteer 500 m
away is refused; a check-in made without network waits on the phone and is counted when the
phone is back online (or the page is opened again); a phone that refuses its location gets help;
the officer prints posters, sees the QR code and places a new point on the map.

The live server is shared by the whole session, so every test uses its own demo person (rules
such as the cooldown, the daily cap and the travel speed are per person).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    PHONE,
    log_in,
    no_horizontal_scroll,
    shot,
    small_touch_targets,
)

pytestmark = pytest.mark.e2e

QUEUE_KEY = "wanjia.checkin.queue"  # then "." and the person's id: one queue per person
M_PER_DEG_LAT = 110_900.0
LOCAL = ZoneInfo("Asia/Shanghai")  # the demo's LOCAL_TIMEZONE: where "today" and route windows live
JSON = {"Accept": "application/json"}
# Each test's own person: the rules (cooldown, cap, speed) are per person.
GUARD_SCANS_LOGGED_OUT = "13700000002"
GUARD_TOO_FAR = "13700000003"
VOLUNTEER_OFFLINE = "13600000002"
VOLUNTEER_REOPENS = "13600000003"
VOLUNTEER_DENIED = "13600000004"


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def demo_points(browser: Any, live_server: str) -> list[dict[str, Any]]:
    """Every patrol point as the officer's JSON API lists it (with its poster URL)."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    try:
        page = context.new_page()
        log_in(page, DEMO_LOGINS["officer"])
        response = page.request.get("/api/points", headers=JSON)
        assert response.status == 200, response.text()
        points = response.json()["points"]
    finally:
        context.close()
    assert len(points) >= 40
    for point in points:
        assert point["radius_m"] == 50 and point["points"] in (10, 20), point
        assert urlsplit(point["url"]).path.startswith("/c/"), point["url"]
    return points


def poster_path(point: dict[str, Any]) -> str:
    """The path of the point's poster URL, to be opened on the live server."""
    return urlsplit(point["url"]).path


def position(point: dict[str, Any], north_m: float = 4.0, accuracy: float = 10) -> dict[str, Any]:
    """A phone's fix ``north_m`` from the point: a few metres off by default, as real fixes are
    (one exactly on the point's coordinates is held as a faked location, checkins/evidence.py)."""
    return {
        "latitude": point["lat"] + north_m / M_PER_DEG_LAT,
        "longitude": point["lon"],
        "accuracy": accuracy,
    }


@pytest.fixture
def make_phone(browser: Any, live_server: str) -> Iterator[Any]:
    """Phone contexts with options of the test's choosing (e.g. no location permission)."""
    made: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(base_url=live_server, **{**PHONE, **options})
        context.set_default_timeout(5_000)
        context.set_default_navigation_timeout(10_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def queue_key(page: Any) -> str:
    """The phone's queue of the person the check-in page was opened for."""
    return f"{QUEUE_KEY}.{page.locator('#checkin').get_attribute('data-person')}"


def queue(page: Any) -> list[dict[str, Any]]:
    raw = page.evaluate("(key) => localStorage.getItem(key)", queue_key(page))
    return json.loads(raw) if raw else []


def status_is(page: Any, kind: str) -> Any:
    """Wait until the check-in status box shows ``kind`` and return it."""
    status = page.locator(f"#status.{kind}")
    status.wait_for(timeout=8_000)
    return status


def history(page: Any) -> dict[str, Any]:
    """The logged-in person's check-in summary, as the history page's JSON gives it. The demo
    seeds two weeks of past patrols for some people, so tests compare with it, never with 0."""
    response = page.request.get("/me/checkins", headers=JSON)
    assert response.status == 200, response.text()
    summary = response.json()
    assert all(c["observed_at"] for c in summary["checkins"])
    return summary


def history_of(browser: Any, live_server: str, phone_number: str) -> dict[str, Any]:
    """Someone's summary, read in a throwaway context (their phone stays logged out)."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    try:
        page = context.new_page()
        log_in(page, phone_number)
        return history(page)
    finally:
        context.close()


def today_is_untouched(before: dict[str, Any]) -> None:
    """The seeded past never includes today: a person's day starts with the full allowance."""
    assert before["valid_today"] == 0 and before["remaining_today"] == 40, before


def icon(page: Any) -> str:
    """What the status icon shows (the tick and the ! are drawn by CSS), checked to be big."""
    shown, size = page.evaluate(
        """() => {
             const el = document.querySelector('#status .status-icon');
             const after = getComputedStyle(el, '::after');
             const drawn = after.content && after.content !== 'none' && after.content !== 'normal';
             return [drawn ? after.content.replace(/^"|"$/g, '') : el.textContent.trim(),
                     parseFloat(drawn ? after.fontSize : getComputedStyle(el).fontSize)];
           }"""
    )
    assert size >= 32, f"the status icon {shown!r} is drawn {size} px high: not seen at a glance"
    return shown


def page_name(page: Any) -> str:
    """The logged-in person's name, from the page footer."""
    return page.locator("footer .who").inner_text().split(" · ")[0]


def phone_page_is_usable(page: Any) -> None:
    """Chinese, no sideways scrolling, every link, button and field at least 48 px."""
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []


def result_above_the_fold(page: Any) -> None:
    """The answer is seen without scrolling on a 740 px high phone."""
    box = page.locator("#status").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740, box


def status_colours(page: Any) -> tuple[str, str]:
    return page.locator("#status").evaluate(
        "el => [getComputedStyle(el).borderTopColor, getComputedStyle(el).backgroundColor]"
    )


GREEN_BORDER = "rgb(67, 160, 71)"
RED_BORDER = "rgb(229, 115, 115)"
AMBER_BORDER = "rgb(255, 179, 0)"


# ------------------------------------------------------------------------- 1. scan, log in, done


def test_guard_scans_poster_logged_out_logs_in_and_is_checked_in(
    browser: Any, live_server: str, phone: Any, desktop: Any, demo_points: list[dict[str, Any]]
) -> None:
    """The poster's URL leads through the login page back to the check-in page, which checks
    the guard in at once: a green tick, the point's value, the new balance and streak.
    The attempt is stored on the phone before it is sent. The history (with the officer's new
    patrol route, the first stop ticked) shows it."""
    point, second = demo_points[0], demo_points[1]
    path = poster_path(point)
    before = history_of(browser, live_server, GUARD_SCANS_LOGGED_OUT)
    today_is_untouched(before)
    phone.set_geolocation(position(point))
    page = phone.new_page()

    # Hold the check-in request on its way out, to see the page while it is being sent.
    held: list[Any] = []
    page.route("**/api/checkins", lambda route: held.append(route))

    page.goto(path)
    assert urlsplit(page.url).path == "/login"
    assert parse_qs(urlsplit(page.url).query) == {"next": [path]}
    assert page.locator("h1").inner_text() == "登录"
    page.fill("input[name=phone]", GUARD_SCANS_LOGGED_OUT)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).tap()
    assert urlsplit(page.url).path == path, page.url
    assert page.locator("h1.point-name").inner_text() == point["name"]

    page.wait_for_function(
        "() => document.getElementById('status-text').textContent === '正在提交…'"
    )
    for _ in range(100):  # the route handler runs as Playwright's events are dispatched
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1
    sent = held[0].request.post_data_json
    waiting = queue(page)
    assert len(waiting) == 1, "the attempt must be on the phone before it is sent"
    assert waiting[0]["client_id"] == sent["client_id"]
    assert waiting[0]["token"] == path.rsplit("/", 1)[1]
    where = pytest.approx((position(point)["latitude"], point["lon"]))
    assert (waiting[0]["lat"], waiting[0]["lon"]) == where
    assert page.locator("#status").get_attribute("class") == "status working"
    assert page.locator("#result").is_hidden()
    phone_page_is_usable(page)
    shot(page, "phone-checkin-working")
    held[0].continue_()
    page.unroute("**/api/checkins")

    status = status_is(page, "done")
    value = point["points"]
    assert page.locator("#status-text").inner_text() == "打卡成功"
    assert status.get_attribute("data-code") in (None, "")
    assert icon(page) == "✓"
    assert status_colours(page)[0] == GREEN_BORDER
    assert page.locator("#result-points").inner_text() == f"+{value} 分"
    assert page.locator("#result-balance").inner_text() == str(before["balance"] + value)
    # A first patrol (or one after a gap) starts a 1-day streak; yesterday's grows by one.
    assert page.locator("#result-streak").inner_text() == f"{before['streak_days'] + 1} 天"
    assert page.locator("#result-remaining").inner_text() == "39"
    assert page.locator("#retry").is_hidden()
    assert queue(page) == [], "an answered attempt leaves the phone's queue"
    result_above_the_fold(page)
    phone_page_is_usable(page)
    shot(page, "phone-checkin-done")
    guard_name = page_name(page)

    # The officer makes a patrol route, open now, whose first stop the guard has just walked.
    officer = desktop.new_page()
    log_in(officer, DEMO_LOGINS["officer"])
    officer.goto("/officer/routes")
    assert officer.locator("h1").inner_text() == "巡逻路线"
    now = datetime.now(LOCAL)
    officer.fill("#r-name", "测试夜巡路线")
    officer.fill("#r-start", (now - timedelta(hours=1)).strftime("%H:%M"))
    officer.fill("#r-end", (now + timedelta(hours=2)).strftime("%H:%M"))
    stops = officer.locator("#new-route fieldset").nth(0)
    stops.locator("label.check", has_text=point["name"]).locator("input").check()
    stops.locator("label.check", has_text=second["name"]).locator("input").check()
    assert (
        stops.locator("label.check", has_text=second["name"]).locator(".stop-order").inner_text()
        == "#2"
    )
    person = (
        officer.locator("#new-route fieldset")
        .nth(1)
        .locator("label.check", has_text=f"{guard_name} · 保安")
    )
    assert person.count() == 1, f"{guard_name} is not one guard among the people"
    person.locator("input").check()
    with officer.expect_navigation():
        officer.get_by_role("button", name="添加路线").click()
    row = officer.locator("table.list").first.locator("tr", has_text="测试夜巡路线")
    assert row.count() == 1
    assert f"1. {point['name']}" in row.inner_text() and f"2. {second['name']}" in row.inner_text()
    assert guard_name in row.inner_text()
    no_horizontal_scroll(officer)
    shot(officer, "desktop-officer-routes")

    # The guard's history: the check-in, paid, and the round with its first stop walked.
    page.get_by_role("link", name="我的打卡").tap()
    page.wait_for_url("**/me/checkins")
    assert page.locator("h1").inner_text() == "我的打卡"
    assert page.locator("[data-balance]").inner_text() == str(before["balance"] + value)
    assert page.locator("[data-remaining]").inner_text() == "39"
    first = page.locator("ul.history li").first
    assert "ok" in first.get_attribute("class")
    assert point["name"] in first.inner_text() and f"+{value}" in first.inner_text()
    assert page.locator("ul.history li").count() == len(before["checkins"]) + 1
    round_box = page.locator("section.round", has_text="测试夜巡路线")
    assert "open" in round_box.get_attribute("class")
    assert round_box.locator("ol.stops li.done").inner_text().startswith(point["name"])
    assert round_box.locator("ol.stops li").nth(1).get_attribute("class") in ("", None)
    phone_page_is_usable(page)
    shot(page, "phone-history-round")
    summary = history(page)
    assert summary["balance"] == before["balance"] + value
    assert summary["streak_days"] == before["streak_days"] + 1 and summary["valid_today"] == 1
    new = summary["checkins"][0]
    assert (new["point"], new["valid"], new["points"]) == (point["name"], True, value)
    assert summary["checkins"][1:] == before["checkins"]


# ------------------------------------------------------------------------- 2. too far


def test_check_in_500_m_away_is_refused_and_pays_nothing(
    phone: Any, desktop: Any, demo_points: list[dict[str, Any]]
) -> None:
    """500 m north of the point the guard is told, in Chinese and in red, how far they are;
    nothing is paid, and the officer sees the attempt flagged on the point's page."""
    point = demo_points[5]
    phone.set_geolocation(position(point, north_m=500))
    page = phone.new_page()
    log_in(page, GUARD_TOO_FAR)
    before = history(page)
    today_is_untouched(before)
    page.goto(poster_path(point))

    status = status_is(page, "refused")
    assert status.get_attribute("data-code") == "too_far"
    text = page.locator("#status-text").inner_text()
    match = re.fullmatch(r"您距离这个巡逻点约 (\d+) 米，请走到 50 米以内再扫码。", text)
    assert match, text
    assert 480 <= int(match.group(1)) <= 520, text
    assert icon(page) == "!"
    assert status_colours(page)[0] == RED_BORDER
    assert page.locator("#result").is_hidden()
    assert page.get_by_role("button", name="重试").is_visible()
    assert queue(page) == []
    result_above_the_fold(page)
    phone_page_is_usable(page)
    shot(page, "phone-checkin-refused")

    summary = history(page)
    assert summary["balance"] == before["balance"], "a refused check-in pays nothing"
    assert summary["valid_today"] == 0 and summary["streak_days"] == before["streak_days"]
    attempt, *older = summary["checkins"]
    assert older == before["checkins"]
    assert (attempt["point"], attempt["valid"], attempt["points"], attempt["reason"]) == (
        point["name"],
        False,
        0,
        "too_far",
    )
    page.goto("/me/checkins")
    assert page.locator("[data-balance]").inner_text() == str(before["balance"])
    refused = page.locator("ul.history li.refused")
    assert refused.count() == 1  # the seeded past holds only counted patrols
    assert page.locator("ul.history li").first.get_attribute("class") == "refused"
    assert "未计分" in refused.inner_text() and "米" in refused.inner_text()
    phone_page_is_usable(page)
    shot(page, "phone-history-refused")

    officer = desktop.new_page()
    log_in(officer, DEMO_LOGINS["officer"])
    officer.goto(f"/officer/points/{point['id']}")
    row = officer.locator("table.list tbody tr.refused").first
    assert row.locator("td").nth(1).inner_text() == page_name(page)
    assert row.locator("td").nth(2).inner_text() == f"{match.group(1)} m"
    assert "⚠" in row.inner_text()  # far away: flagged as suspicious
    no_horizontal_scroll(officer)
    shot(officer, "desktop-officer-point-attempts")


# ------------------------------------------------------------------------- 3. offline


def test_offline_check_in_waits_on_the_phone_and_is_sent_when_back_online(
    phone: Any, demo_points: list[dict[str, Any]]
) -> None:
    """The network drops as the check-in goes out: the page says so in Chinese and keeps the
    attempt; back online, it is sent by itself, counted once, and the page shows the tick."""
    point = demo_points[10]
    phone.set_geolocation(position(point))
    page = phone.new_page()
    log_in(page, VOLUNTEER_OFFLINE)
    before = history(page)
    today_is_untouched(before)

    # The request leaves the page, then the phone loses its network before it arrives.
    def lose_network(route: Any) -> None:
        phone.set_offline(True)
        route.abort("internetdisconnected")

    page.route("**/api/checkins", lose_network)
    page.goto(poster_path(point))
    status = status_is(page, "queued")
    page.unroute("**/api/checkins")
    assert status.get_attribute("data-code") == "queued"
    assert (
        page.locator("#status-text").inner_text()
        == "没有网络。打卡已保存在手机上，联网后会自动提交。"
    )
    assert status_colours(page)[0] == AMBER_BORDER
    assert page.evaluate("() => navigator.onLine") is False
    [waiting] = queue(page)
    where = pytest.approx((position(point)["latitude"], point["lon"]))
    assert (waiting["lat"], waiting["lon"]) == where
    assert waiting["token"] == poster_path(point).rsplit("/", 1)[1]
    scanned_at = datetime.fromisoformat(waiting["device_time"].replace("Z", "+00:00"))
    result_above_the_fold(page)
    phone_page_is_usable(page)
    shot(page, "phone-checkin-queued")
    # Nothing reached the server (the test's own requests are not cut off).
    assert history(page) == before

    with page.expect_request("**/api/checkins") as sent:
        phone.set_offline(False)  # Chromium fires the page's "online" event
    assert sent.value.post_data_json["client_id"] == waiting["client_id"]
    status_is(page, "done")
    page.wait_for_function(
        "(key) => !JSON.parse(localStorage.getItem(key) || '[]').length", arg=queue_key(page)
    )
    assert page.locator("#result-points").inner_text() == f"+{point['points']} 分"
    assert page.locator("#status").get_attribute("data-code") in (None, "")
    shot(page, "phone-checkin-queued-then-sent")

    summary = history(page)
    assert summary["balance"] == before["balance"] + point["points"]
    assert summary["valid_today"] == 1  # counted once
    counted, *older = summary["checkins"]
    assert older == before["checkins"]
    assert (counted["point"], counted["valid"]) == (point["name"], True)
    # It counts when it was scanned, not when the network came back.
    observed = datetime.fromisoformat(counted["observed_at"])
    assert abs((observed - scanned_at).total_seconds()) < 1, (observed, scanned_at)


def test_offline_check_in_is_sent_when_the_page_is_opened_again(
    phone: Any, demo_points: list[dict[str, Any]]
) -> None:
    """The phone was offline and the page closed; opening the poster page again sends the
    saved check-in (once) and shows its answer instead of starting a second one."""
    point = demo_points[15]
    phone.set_geolocation(position(point))
    page = phone.new_page()
    log_in(page, VOLUNTEER_REOPENS)
    before = history(page)
    today_is_untouched(before)
    page.route("**/api/checkins", lambda route: route.abort("internetdisconnected"))
    page.goto(poster_path(point))
    status_is(page, "queued")
    [waiting] = queue(page)
    page.close()

    page = phone.new_page()  # the same phone: the same localStorage
    posts: list[Any] = []
    page.on("request", lambda r: posts.append(r) if r.url.endswith("/api/checkins") else None)
    page.goto(poster_path(point))
    status_is(page, "done")
    assert page.locator("#result-points").inner_text() == f"+{point['points']} 分"
    assert queue(page) == []
    assert [r.post_data_json["client_id"] for r in posts] == [waiting["client_id"]]
    summary = history(page)
    assert summary["valid_today"] == 1
    assert (summary["checkins"][0]["point"], summary["checkins"][0]["valid"]) == (
        point["name"],
        True,
    )
    assert summary["checkins"][1:] == before["checkins"]
    assert summary["balance"] == before["balance"] + point["points"]


# ------------------------------------------------------------------------- 4. location denied


def test_location_denied_shows_help_and_retry_works_once_allowed(
    make_phone: Any, demo_points: list[dict[str, Any]]
) -> None:
    """Without location permission the page explains how to allow it; once allowed, 重试
    checks the volunteer in."""
    point = demo_points[20]
    context = make_phone(geolocation=position(point))  # no "geolocation" permission
    page = context.new_page()
    log_in(page, VOLUNTEER_DENIED)
    before = history(page)
    page.goto(poster_path(point))

    status = status_is(page, "refused")
    assert status.get_attribute("data-code") == "location_denied"
    assert page.locator("#status-text").inner_text() == "本页面无法获取位置，请允许后重试。"
    help_box = page.locator("#help")
    assert help_box.is_visible()
    assert help_box.locator("h2").inner_text() == "如何允许获取位置"
    assert help_box.locator("li").count() == 3
    assert "微信" in help_box.inner_text()
    retry = page.get_by_role("button", name="重试")
    assert retry.is_visible()
    box = retry.bounding_box()  # seen at once, above the help text, without scrolling
    assert box is not None and box["y"] + box["height"] <= 740, box
    assert queue(page) == []
    assert history(page) == before  # nothing was sent
    result_above_the_fold(page)
    phone_page_is_usable(page)
    shot(page, "phone-checkin-denied-help")

    context.grant_permissions(["geolocation"])
    retry.tap()
    status_is(page, "done")
    assert help_box.is_hidden() and retry.is_hidden()
    assert page.locator("#status").get_attribute("data-code") in (None, "")
    assert page.locator("#result-points").inner_text() == f"+{point['points']} 分"


# ------------------------------------------------------------------------- 5. posters


def test_officer_prints_grid_posters_and_sees_the_point_qr(
    desktop: Any, demo_points: list[dict[str, Any]], tmp_path: Any
) -> None:
    """A grid's poster sheet is a real PDF naming its points; the point page shows a QR image
    that decodes to the poster URL, with working PDF/PNG/SVG links."""
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    page.goto("/officer/points")
    point = demo_points[2]
    grid_points = [p for p in demo_points if p["grid_id"] == point["grid_id"]]
    links = page.locator("p.chips a.chip", has_text="PDF")
    assert links.count() == 11
    href = page.locator(f"p.chips a.chip[href='/officer/grids/{point['grid_id']}/posters.pdf']")
    assert href.count() == 1
    response = page.request.get(href.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2_000
    sheet = tmp_path / "grid.pdf"
    sheet.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(sheet), "-"], capture_output=True, text=True, check=True
    ).stdout
    for p in grid_points:
        assert p["name"] in text, f"{p['name']} missing from the grid's poster sheet"

    page.goto(f"/officer/points/{point['id']}")
    assert page.locator("h1").inner_text() == point["name"]
    qr = page.locator(".poster-box img")
    qr.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.poster-box img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert qr.evaluate("i => i.naturalWidth") > 0
    assert page.locator(".poster-box .code").inner_text() == point["url"]
    kinds = {
        "PDF": ("application/pdf", b"%PDF-"),
        "PNG": ("image/png", b"\x89PNG"),
        "SVG": ("image/svg+xml", b"<"),
    }
    for label, (mime, magic) in kinds.items():
        link = page.locator(".poster-box a.chip", has_text=label)
        got = page.request.get(link.get_attribute("href"))
        assert got.status == 200 and got.headers["content-type"].startswith(mime), label
        assert got.body().lstrip().startswith(magic), label
        if label == "PNG":
            from io import BytesIO

            from PIL import Image
            from pyzbar.pyzbar import decode

            [code] = decode(Image.open(BytesIO(got.body())))
            assert code.data.decode() == point["url"]
    no_horizontal_scroll(page)
    shot(page, "desktop-officer-point")


# ------------------------------------------------------------------------- 6. new point on the map


def test_officer_places_a_new_point_by_clicking_the_map(desktop: Any) -> None:
    """A click on the map fills the new point's position; the point is saved, listed and drawn."""
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    page.goto("/officer/points")
    assert page.locator("h1").inner_text() == "巡逻点"
    page.wait_for_function(
        "() => document.querySelectorAll('#points-map .leaflet-marker-icon').length >= 40",
        timeout=2_000,
    )
    rows_before = page.locator("table.list").nth(0).locator("tbody tr").count()
    map_box = page.locator("#points-map").bounding_box()
    assert map_box and map_box["width"] >= 600 and map_box["height"] >= 480, map_box
    no_horizontal_scroll(page)
    shot(page, "desktop-officer-points-map", full_page=False)

    assert page.input_value("#np-lat") == "" and page.input_value("#np-lon") == ""
    # An empty spot near the middle of the map, away from the markers.
    page.mouse.click(
        map_box["x"] + map_box["width"] * 0.47, map_box["y"] + map_box["height"] * 0.53
    )
    lat, lon = float(page.input_value("#np-lat")), float(page.input_value("#np-lon"))
    assert 33.37 < lat < 33.39 and 120.15 < lon < 120.17, (lat, lon)
    assert page.locator("#points-map path.leaflet-interactive[stroke='#c62828']").count() == 1
    assert page.evaluate("() => document.activeElement.id") == "np-name"
    page.keyboard.type("测试新点")
    page.select_option("#np-grid", label="第3网格")
    page.fill("#np-points", "20")
    shot(page, "desktop-officer-points-new", full_page=False)
    with page.expect_navigation():
        page.get_by_role("button", name="添加巡逻点").click()

    assert page.locator("#point-error").is_hidden()
    rows = page.locator("table.list").nth(0).locator("tbody tr")
    assert rows.count() == rows_before + 1
    row = rows.filter(has_text="测试新点")
    assert row.count() == 1
    assert "第3网格" in row.inner_text() and "+20" in row.inner_text()
    page.wait_for_function(
        "() => document.querySelector('#points-map .leaflet-marker-icon[title=\"测试新点\"]')"
    )
    saved = [
        p
        for p in page.request.get("/api/points", headers=JSON).json()["points"]
        if p["name"] == "测试新点"
    ]
    assert len(saved) == 1
    assert (saved[0]["lat"], saved[0]["lon"]) == (
        pytest.approx(lat, abs=1e-6),
        pytest.approx(lon, abs=1e-6),
    )
    assert saved[0]["points"] == 20 and saved[0]["radius_m"] == 50
    assert urlsplit(saved[0]["url"]).path.startswith("/c/")


def test_officer_adds_a_point_by_typing_its_position(desktop: Any) -> None:
    """Without touching the map, a typed position makes a point too; a bad one is refused in
    Chinese and the form keeps what was typed."""
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    page.goto("/officer/points")
    no_horizontal_scroll(page)
    shot(page, "desktop-officer-points")
    rows = page.locator("table.list").nth(0).locator("tbody tr")
    rows_before = rows.count()
    page.fill("#np-name", "测试手填点")
    page.select_option("#np-grid", label="第5网格")
    page.fill("#np-lat", "33.3811")
    page.fill("#np-lon", "")
    page.get_by_role("button", name="添加巡逻点").click()
    error = page.locator("#point-error")
    error.wait_for()
    assert error.get_attribute("data-code")
    assert re.search(r"[\u4e00-\u9fff]", error.inner_text()), error.inner_text()
    assert page.input_value("#np-name") == "测试手填点"

    page.fill("#np-lon", "120.1577")
    with page.expect_navigation():
        page.get_by_role("button", name="添加巡逻点").click()
    assert rows.count() == rows_before + 1
    row = rows.filter(has_text="测试手填点")
    assert row.count() == 1 and "第5网格" in row.inner_text() and "+10" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name="码牌和打卡记录").click()
    assert page.locator("h1").inner_text() == "测试手填点"
    assert "33.381100, 120.157700 · 50 m" in page.locator("dl.facts").inner_text()
