"""The walls between police areas in the gift store, in a browser on the demo: a volunteer of
城北警务区 sees only that area's gifts; an admin, who manages every area, picks the area of a
new gift and sees each gift's area in the catalog."""

from __future__ import annotations

from typing import Any

import pytest

from app.demo_second_area import GIFTS as NORTH_GIFTS
from app.demo_second_area import LOGINS as NORTH_LOGINS
from tests.e2e.helpers import DEMO_LOGINS, log_in, shot, small_touch_targets

pytestmark = pytest.mark.e2e


def test_a_volunteer_of_the_second_area_sees_only_its_gifts(phone: Any) -> None:
    page = phone.new_page()
    log_in(page, NORTH_LOGINS["volunteer"])
    page.goto("/store")
    text = page.locator("main").inner_text()
    assert all(g["name"] in text for g in NORTH_GIFTS)
    assert "保温杯" not in text  # the first area's gift
    assert small_touch_targets(page) == []
    shot(page, "store-phone-second-area")


def test_an_admin_picks_the_area_of_a_new_gift(desktop: Any) -> None:
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["admin"])
    page.goto("/officer/gifts")
    assert page.locator("#g-area option").count() == 3  # "choose", and the two areas
    page.fill("#g-name", "北湖手电筒")
    page.fill("#g-price", "90")
    page.click("#new-gift button[type=submit]")
    page.locator("#gift-error").wait_for()
    assert "警务区" in page.locator("#gift-error").inner_text()
    page.select_option("#g-area", label="城北警务区")
    with page.expect_navigation():
        page.click("#new-gift button[type=submit]")
    row = page.locator("tr[data-gift]", has_text="北湖手电筒")
    assert "城北警务区" in row.inner_text()
    shot(page, "officer-gifts-desktop-admin", full_page=False)
