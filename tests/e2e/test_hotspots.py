"""Issue 20's hotspot story in the browser, on the demo server with its worker: the officer opens
热点 from the officer's day, presses 立即分析, the worker's analysis of the demo area's 16 weeks
arrives with its heat layer and proposals, one click accepts the first (a temporary hotspot patrol
point) and its poster PDF downloads; another is not accepted; the live console shows the same
heat layer. Phone (360x740) and desktop (1440x900) screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.helpers import DEMO_LOGINS, log_in, no_horizontal_scroll, shot, small_touch_targets
from tests.servers import running, seed_demo

PAGE = "/officer/hotspots"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo server of this module's own, with its worker: an accepted hotspot adds a patrol
    point that the other browser tests' counts of the demo's points would see."""
    instance = tmp_path_factory.mktemp("hotspots-instance")
    seed_demo(instance)
    with running(instance, worker=True) as server:
        yield server.base


def _analysed(page: Any) -> None:
    """Run the analysis now and wait for the worker's run to reach the page."""
    page.get_by_role("button", name="立即分析").click()
    page.locator("#hotspot-run", has_text="上次分析").wait_for(timeout=30_000)
    page.locator(".proposal").first.wait_for()


def test_an_officer_accepts_a_hotspot_and_prints_its_poster(desktop: Any) -> None:
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"], landing="/officer")
    page.get_by_role("link", name="热点").click()
    page.wait_for_url(f"**{PAGE}")
    _analysed(page)
    assert "选用方法" in page.locator("#hotspot-run").inner_text()
    assert page.locator("#hotspot-scores tbody tr").count() == 4
    assert page.locator(".leaflet-heatmap-layer").count() == 1
    shot(page, "hotspots-desktop-analysed", full_page=False)
    proposals = page.locator(".proposal.proposed")
    assert proposals.count() >= 2
    first = proposals.first
    assert "建议停留" in first.inner_text()
    first.get_by_role("button", name="采纳：设为巡逻点").click()
    accepted = page.locator(".proposal.accepted").first
    accepted.get_by_text("已采纳").wait_for()
    poster = accepted.get_by_role("link", name="打印巡逻点二维码（PDF）")
    answer = desktop.request.get(poster.get_attribute("href"))
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body()[:5] == b"%PDF-"
    page.locator(".proposal.proposed").first.get_by_role("button", name="不采纳").click()
    page.locator(".proposal.dismissed").first.wait_for()
    no_horizontal_scroll(page)
    shot(page, "hotspots-desktop", full_page=False)
    points = page.request.get("/api/points").json()["points"]
    made = [p for p in points if p["name"].startswith("热点巡逻点")]
    assert len(made) == 1 and made[0]["hotspot"] is True


def test_the_console_shows_the_heat_layer(desktop: Any) -> None:
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"], landing=PAGE)
    _analysed(page)
    page.goto("/console")
    page.locator("#map .leaflet-heatmap-layer").wait_for(state="attached")
    shot(page, "hotspots-console-desktop", full_page=False)


def test_the_page_on_a_phone(phone: Any) -> None:
    page = phone.new_page()
    log_in(page, DEMO_LOGINS["officer"], landing=PAGE)
    _analysed(page)
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    shot(page, "hotspots-phone")
