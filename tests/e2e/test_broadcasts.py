"""Issue 19's done-when for broadcasts, in the browser: an officer sends a missing-person
broadcast round a point with a 500 m radius; it reaches two phones inside and not one 3 km
away; one answers 我看到了 and the console shows it on its list and map; the officer closes it
as found and both phones are told. Screenshots of the form, the phone's card and the console."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from geopy.distance import geodesic
from PIL import Image

from tests.e2e.helpers import (
    PHONE,
    go_on_duty,
    log_in,
    no_horizontal_scroll,
    shot,
    small_touch_targets,
)

OFFICER = "13900000002"  # 刘警官, the demo's first area
PHONES = ("13600000121", "13600000122", "13600000123")  # demo volunteers no other test uses


def _jpeg(name: str, colour: tuple[int, int, int]) -> dict[str, Any]:
    """A camera-sized photo to attach (1600x1200 JPEG)."""
    out = BytesIO()
    Image.new("RGB", (1600, 1200), colour).save(out, "JPEG", quality=90)
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _near(centre: tuple[float, float], metres: float) -> dict[str, float]:
    there = geodesic(meters=metres).destination(centre, 90)
    return {"latitude": there.latitude, "longitude": there.longitude, "accuracy": 10}


@pytest.fixture
def phones(browser: Any, live_server: str) -> Iterator[Any]:
    """``phones(position)``: a new phone context standing at ``position``."""
    made: list[Any] = []

    def make(position: dict[str, float]) -> Any:
        context = browser.new_context(
            base_url=live_server, geolocation=position, permissions=["geolocation"], **PHONE
        )
        context.set_default_timeout(8_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def test_a_broadcast_reaches_the_phones_in_its_radius_and_is_closed_as_found(
    desktop: Any, phones: Any
) -> None:
    officer = desktop.new_page()
    officer.on("dialog", lambda dialog: dialog.accept())
    log_in(officer, OFFICER, landing="/officer/broadcasts")
    officer.locator("#bc-map .leaflet-tile-loaded, #bc-map path").first.wait_for()
    box = officer.locator("#bc-map").bounding_box()
    officer.locator("#bc-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    centre = officer.locator("#bc-centre")
    centre.filter(has_text=re.compile(r"\d")).wait_for()
    lat, lon = (float(x) for x in re.findall(r"-?\d+\.\d+", centre.inner_text()))

    pages, names = [], []
    for number, metres in zip(PHONES, (80, 300, 3000), strict=True):
        page = phones(_near((lat, lon), metres)).new_page()
        log_in(page, number)
        names.append(go_on_duty(page))
        pages.append(page)
    near1, near2, far = pages
    officer.wait_for_timeout(1500)  # the phones' first positions reach the server

    officer.locator("#bc-look").fill("男，82岁，灰色外套，拄拐杖，说话口齿不清")
    officer.locator("#bc-photo").set_input_files(_jpeg("face.jpg", (90, 110, 160)))
    officer.locator("#bc-urgent").check()
    officer.locator("#bc-after").select_option("0")  # no widening
    shot(officer, "broadcast-form-desktop")
    officer.get_by_role("button", name="发布通报").click()
    officer.locator("#bc-result", has_text="现在送达").wait_for()

    for page in (near1, near2):
        card = page.locator(".broadcast-card", has_text="走失人员")
        card.wait_for()
        assert "不要强行靠近" in card.locator(".bc-todo strong").inner_text()
    assert far.locator(".broadcast-card").count() == 0
    no_horizontal_scroll(near1)
    assert small_touch_targets(near1) == []
    shot(near1, "broadcast-phone-card", full_page=False)

    officer.wait_for_url("**/console")
    officer.locator("#bc-list .bc-item", has_text="走失人员").wait_for()

    assert near1.locator(".bc-photo").evaluate("img => img.naturalWidth") == 320
    near1.locator(".bc-file").set_input_files(_jpeg("there.jpg", (160, 140, 90)))
    near1.get_by_role("button", name="我看到了").tap()
    near1.locator(".bc-status", has_text="已发给警务室").wait_for()
    officer.locator(".bc-seen-row", has_text=f"{names[0]} ").wait_for()
    officer.locator(".bc-seen-row .bc-seen-photo img").wait_for()
    assert officer.locator(".bc-seen-marker").count() >= 1
    shot(officer, "broadcast-console-seen", full_page=False)

    officer.locator(".bc-item", has_text="走失人员").get_by_role("button", name="已找到").click()
    officer.locator("#bc-list .bc-item", has_text="走失人员").wait_for(state="detached")
    for page in (near1, near2):
        page.locator(".broadcast-card.closed .bc-status", has_text="已找到").wait_for()
    assert far.locator(".broadcast-card").count() == 0
    shot(near2, "broadcast-phone-closed", full_page=False)


def test_the_form_says_what_is_missing_and_sends_nothing(desktop: Any) -> None:
    officer = desktop.new_page()
    log_in(officer, OFFICER, landing="/officer/broadcasts")
    officer.locator("label.bc-kind", has_text="防诈骗提醒").click()
    officer.locator("input[name=where][value=area]").check()
    officer.locator("#bc-todo").fill("")
    officer.get_by_role("button", name="发布通报").click()
    for field, text in (("look_for", "请写明要找的人或事"), ("what_to_do", "请写明大家应该怎么做")):
        officer.locator(f'.field-error[data-for="{field}"]', has_text=text).wait_for()
    assert officer.locator("#bc-result").is_hidden()


def test_the_form_fits_a_phone(phone: Any) -> None:
    """An officer out of the police room sends from a phone: nothing sideways, 48 px targets."""
    officer = phone.new_page()
    log_in(officer, OFFICER, landing="/officer/broadcasts")
    officer.locator("#bc-map .leaflet-tile-loaded, #bc-map path").first.wait_for()
    no_horizontal_scroll(officer)
    assert small_touch_targets(officer) == []
    shot(officer, "broadcast-form-phone")


def test_grids_are_chosen_by_tapping_them_on_the_map(desktop: Any) -> None:
    officer = desktop.new_page()
    log_in(officer, OFFICER, landing="/officer/broadcasts")
    officer.locator("label.bc-kind", has_text="道路封闭").click()
    officer.locator("input[name=where][value=grids]").check()
    label = officer.locator("#bc-map .grid-label", has_text="第7网格")
    label.click(force=True)  # the label lets the tap through to the grid under it
    tick = officer.locator("#bc-grids label", has_text="第7网格").locator("input")
    assert tick.is_checked()
    officer.locator("#bc-look").fill("人民路（第7网格）封闭施工，绕行建设路")
    shot(officer, "broadcast-form-grids")
    label.click(force=True)
    assert not tick.is_checked()
    label.click(force=True)
    officer.get_by_role("button", name="发布通报").click()
    officer.locator("#bc-result", has_text="现在送达").wait_for()
